//! Publish options and the report as plain JS objects.

use creatorsync_core::{Error, PublishReport, Result, Target};
use napi::Status;
use napi::bindgen_prelude::Unknown;
use napi::threadsafe_function::ThreadsafeFunction;
use napi_derive::napi;
use serde_json::{Value, json};

use crate::convert;
use crate::error;

/// Publish options.
#[napi(object, object_to_js = false)]
pub struct PublishOptions {
    /// Platforms (`'x'`) or accounts (`{ platform, accountId }`); default:
    /// every connected account.
    #[napi(ts_type = "Array<Platform | { platform: Platform; accountId: string }>")]
    pub targets: Option<Vec<Value>>,
    /// Reuse it to retry without double posting (default: a new one,
    /// returned in the report).
    pub idempotency_key: Option<String>,
    /// Publish to the targets the post is valid for; report the others.
    pub valid_targets_only: Option<bool>,
}

pub(crate) type ProgressTsfn =
    ThreadsafeFunction<Value, Unknown<'static>, Value, Status, false, true>;

pub(crate) fn targets(list: Vec<Value>) -> Result<Vec<Target>> {
    list.into_iter()
        .map(|t| match t {
            Value::String(s) => Ok(Target::Platform(convert::platform(&s)?)),
            Value::Object(o) => {
                let platform = o
                    .get("platform")
                    .and_then(Value::as_str)
                    .ok_or_else(|| Error::invalid_input("targets", "a target needs `platform`"))?;
                let platform = convert::platform(platform)?;
                match o.get("accountId").and_then(Value::as_str) {
                    Some(a) => Ok(Target::Account {
                        platform,
                        account_id: a.to_owned(),
                    }),
                    None => Ok(Target::Platform(platform)),
                }
            }
            _ => Err(Error::invalid_input(
                "targets",
                "a platform name or { platform, accountId }",
            )),
        })
        .collect()
}

/// The report as a plain object (results in target order, plus the seed
/// system's per-platform `legacy` shape).
pub(crate) fn report_to_js(r: &PublishReport) -> Value {
    let results: Vec<Value> = r
        .results
        .iter()
        .map(|t| {
            let (post_id, url, err) = match &t.outcome {
                Ok(p) => (json!(p.post_id), json!(p.url), Value::Null),
                Err(e) => (Value::Null, Value::Null, error::to_plain(e)),
            };
            json!({
                "platform": t.account.platform.as_str(),
                "accountId": t.account.account_id,
                "ok": t.outcome.is_ok(),
                "postId": post_id,
                "url": url,
                "error": err,
                "reused": t.reused,
                "elapsedMs": t.elapsed.as_secs_f64() * 1000.0,
            })
        })
        .collect();
    json!({
        "idempotencyKey": r.idempotency_key,
        "allOk": r.all_ok(),
        "results": results,
        "legacy": serde_json::to_value(r.legacy()).unwrap_or(Value::Null),
        "elapsedMs": r.elapsed.as_secs_f64() * 1000.0,
    })
}
