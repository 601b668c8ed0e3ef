//! `CreatorSyncError`: the one JS error class, and the one mapping from the
//! core's [`Error`] into it.
//!
//! The class is defined in JavaScript (so `instanceof Error` holds and the
//! stack is a real JS stack) when the addon loads, and every core error
//! becomes `new CreatorSyncError(message, code, props)` on the JS thread:
//! `code` is [`Error::code`] (`NOT_CONNECTED`, `RATE_LIMITED`, ...) and
//! `props` carries the fields a caller branches on (`retryAfter`,
//! `resetsAt`, `bucket`, `violations`, `status`, `platformCode`,
//! `currentVersion`, ...). Messages and props never contain tokens or
//! secrets (the core's messages don't).

use std::cell::RefCell;

use creatorsync_core::Error;
use napi::Env;
use napi::bindgen_prelude::{FnArgs, Function, FunctionRef, Unknown};
use serde_json::{Map, Value, json};

/// The class, evaluated once per JS realm (main thread or worker).
const CLASS_SOURCE: &str = r"(class CreatorSyncError extends Error {
  constructor(message, code, props) {
    super(message);
    Object.defineProperty(this, 'name', { value: 'CreatorSyncError', enumerable: false, configurable: true, writable: true });
    this.code = code;
    if (props) Object.assign(this, props);
  }
})";

type ClassArgs = FnArgs<(String, String, Value)>;

thread_local! {
    /// One reference per JS thread: each worker loads its own copy of the
    /// module exports, and references are thread-affine.
    static CLASS: RefCell<Option<FunctionRef<ClassArgs, Unknown<'static>>>> = const { RefCell::new(None) };
}

/// Defines the class in this realm and remembers it; returns it for export.
pub(crate) fn define_class(env: &Env) -> napi::Result<Function<'_, ClassArgs, Unknown<'static>>> {
    let class: Function<'_, ClassArgs, Unknown<'static>> = env.run_script(CLASS_SOURCE)?;
    let reference = class.create_ref()?;
    CLASS.with(|c| *c.borrow_mut() = Some(reference));
    Ok(class)
}

/// `new CreatorSyncError(message, code, props)` as a JS value.
fn instantiate<'a>(
    env: &'a Env,
    message: String,
    code: &str,
    props: Value,
) -> napi::Result<Unknown<'a>> {
    CLASS.with(|c| {
        let borrowed = c.borrow();
        let class = borrowed.as_ref().ok_or_else(|| {
            napi::Error::from_reason("CreatorSyncError is not defined in this thread")
        })?;
        let class = class.borrow_back(env)?;
        class.new_instance(FnArgs::from((message, code.to_owned(), props)))
    })
}

/// A `napi::Error` that rejects / throws with the given JS value as is.
fn throwing(value: Unknown<'_>) -> napi::Error {
    napi::Error::from(value)
}

/// Builds the JS error of a core error (call on the JS thread).
pub(crate) fn to_js(env: &Env, err: &Error) -> napi::Error {
    match instantiate(env, err.to_string(), err.code(), props(err)) {
        Ok(value) => throwing(value),
        Err(e) => e,
    }
}

/// The properties a caller branches on, per variant.
pub(crate) fn props(err: &Error) -> Value {
    let mut p = Map::new();
    if let Some(platform) = err.platform() {
        p.insert("platform".into(), json!(platform.as_str()));
    }
    if let Some(status) = err.status() {
        p.insert("status".into(), json!(status));
    }
    p.insert("retryable".into(), json!(err.is_retryable()));
    p.insert("maybeCommitted".into(), json!(err.maybe_committed()));
    match err {
        Error::NotConnected {
            user_id, account, ..
        } => {
            p.insert("userId".into(), json!(user_id));
            p.insert("account".into(), json!(account));
        }
        Error::ReauthRequired {
            account, reason, ..
        } => {
            p.insert("account".into(), json!(account));
            p.insert("reason".into(), json!(reason));
        }
        Error::RateLimited { reset_at, .. } => {
            p.insert(
                "retryAfter".into(),
                json!(err.retry_after().map(|d| d.as_secs_f64().ceil() as u64)),
            );
            p.insert("resetAt".into(), json!(reset_at.map(|t| t.to_rfc3339())));
        }
        Error::QuotaExhausted {
            bucket,
            limit,
            resets_at,
            ..
        } => {
            // The same forms as RATE_LIMITED: seconds to wait, and the
            // reset as an RFC 3339 string.
            p.insert(
                "retryAfter".into(),
                json!(err.retry_after().map(|d| d.as_secs_f64().ceil() as u64)),
            );
            p.insert("resetsAt".into(), json!(resets_at.to_rfc3339()));
            p.insert("bucket".into(), json!(bucket));
            p.insert("limit".into(), json!(limit));
        }
        Error::InvalidPost { violations } => {
            let list: Vec<Value> = violations
                .iter()
                .map(|v| {
                    json!({
                        "platform": v.platform.map(|p| p.as_str()),
                        "field": v.field,
                        "code": v.code,
                        "message": v.message,
                    })
                })
                .collect();
            p.insert("violations".into(), Value::Array(list));
        }
        Error::InvalidInput { field, .. } => {
            p.insert(
                "field".into(),
                json!(creatorsync_core::contract::case::to_camel(field)),
            );
        }
        Error::InvalidMedia {
            source_name,
            reason,
            ..
        } => {
            p.insert("source".into(), json!(source_name));
            p.insert("reason".into(), json!(reason));
        }
        Error::MediaRejected { reason, code, .. } => {
            p.insert("reason".into(), json!(reason));
            p.insert("platformCode".into(), json!(code));
        }
        Error::Platform { code, body, .. } => {
            p.insert("platformCode".into(), json!(code));
            p.insert("body".into(), json!(body));
        }
        Error::UnexpectedResponse { body, .. } => {
            p.insert("platformCode".into(), json!("unexpected_response"));
            p.insert("body".into(), json!(body));
        }
        Error::Unsupported { .. } => {
            p.insert("platformCode".into(), json!("unsupported"));
        }
        Error::AuthorizationDenied {
            error, description, ..
        } => {
            p.insert("error".into(), json!(error));
            p.insert("description".into(), json!(description));
        }
        Error::InvalidState { problem } => {
            p.insert("problem".into(), json!(problem));
        }
        Error::Transport {
            maybe_sent,
            timeout,
            ..
        } => {
            p.insert("maybeSent".into(), json!(maybe_sent));
            p.insert("timeout".into(), json!(timeout));
        }
        Error::Conflict { current_version } => {
            p.insert("currentVersion".into(), json!(current_version));
        }
        Error::Key { key_id, .. } => {
            p.insert("keyId".into(), json!(key_id));
        }
        Error::Timeout { what, .. } => {
            p.insert("what".into(), json!(what));
        }
        Error::InProgress { retry_after, .. } => {
            p.insert(
                "retryAfter".into(),
                json!(retry_after.map(|d| d.as_secs_f64().ceil() as u64)),
            );
        }
        Error::CreatedUnfinished {
            post_id,
            url,
            cause,
            ..
        } => {
            p.insert("postId".into(), json!(post_id));
            p.insert("url".into(), json!(url));
            p.insert("cause".into(), to_plain(cause));
        }
        Error::OutcomeUnknown { cause, .. } => {
            p.insert("cause".into(), to_plain(cause));
        }
        _ => {}
    }
    Value::Object(p)
}

/// The plain-object form of an error inside a publish report (same fields
/// as the thrown error, plus `code` and `message`).
pub(crate) fn to_plain(err: &Error) -> Value {
    let mut v = props(err);
    if let Some(o) = v.as_object_mut() {
        o.insert("code".into(), json!(err.code()));
        o.insert("message".into(), json!(err.to_string()));
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};
    use creatorsync_core::Platform;

    #[test]
    fn quota_exhausted_carries_resets_at_bucket_and_limit_like_rate_limited() {
        let at = Utc.with_ymd_and_hms(2026, 12, 5, 8, 0, 0).unwrap();
        let quota = props(&Error::QuotaExhausted {
            platform: Platform::YouTube,
            bucket: "uploads".into(),
            limit: Some(100),
            resets_at: at,
            message: "Video Uploads per day".into(),
        });
        assert_eq!(quota["resetsAt"], "2026-12-05T08:00:00+00:00");
        assert_eq!(quota["bucket"], "uploads");
        assert_eq!(quota["limit"], 100);
        assert_eq!(quota["platform"], "youtube");
        assert_eq!(quota["status"], 429);
        assert!(quota["retryAfter"].is_u64());
        let rate = props(&Error::RateLimited {
            platform: Platform::X,
            retry_after: None,
            reset_at: Some(at),
            message: String::new(),
        });
        // One form for a reset time across codes.
        assert_eq!(rate["resetAt"], quota["resetsAt"]);
    }
}
