//! Error answers into [`Error`]: the RFC 6749 shape every token endpoint
//! shares, then the platform's own shape ([`ErrorShape`], implemented in
//! each `platforms/<p>/errors.rs`), then a generic fallback. Every message
//! and body kept is redacted here, once.

use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use http::HeaderMap;
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::{redact_text, redacted_excerpt};
use crate::{Error, Platform, Result};

/// Reads a successful response as JSON, keeping the (redacted) body when it
/// does not decode.
pub(crate) async fn decode_json<T: DeserializeOwned>(
    platform: Platform,
    resp: reqwest::Response,
) -> Result<T> {
    let status = resp.status().as_u16();
    let body = resp
        .bytes()
        .await
        .map_err(|e| super::retry::transport_error(platform, e))?;
    serde_json::from_slice(&body).map_err(|e| {
        Error::unexpected_response(
            platform,
            Some(status),
            &decode_failure(&e),
            Some(&String::from_utf8_lossy(&body)),
        )
    })
}

/// What went wrong decoding a body, without serde_json's own text: it
/// quotes the offending value (`invalid type: string "…"`), which may be a
/// token.
fn decode_failure(e: &serde_json::Error) -> String {
    use serde_json::error::Category;
    let what = match e.classify() {
        Category::Io => "could not read the response",
        Category::Syntax => "the response is not valid JSON",
        Category::Data => "the response does not have the expected fields or types",
        Category::Eof => "the response ended early",
    };
    format!(
        "could not decode the response: {what} (line {}, column {})",
        e.line(),
        e.column()
    )
}

fn header_str<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// How one platform's error answers read. Every request names its
/// platform's shape ([`super::HttpClient::send`]).
pub(crate) trait ErrorShape: Send + Sync {
    /// The platform.
    fn platform(&self) -> Platform;

    /// The error an answer in the platform's own shape means. Called after
    /// the RFC 6749 shape was ruled out; [`ErrorBody::generic`] is the
    /// fallback.
    fn error(&self, body: &ErrorBody<'_>) -> Error;
}

/// An error answer, parsed once for the platform's [`ErrorShape`].
#[derive(Debug)]
pub(crate) struct ErrorBody<'a> {
    /// The platform.
    pub(crate) platform: Platform,
    /// The HTTP status.
    pub(crate) status: u16,
    /// The response headers.
    pub(crate) headers: &'a HeaderMap,
    /// The body as JSON (`Null` when it is not JSON).
    pub(crate) json: Value,
    text: String,
}

/// How much of a body without a message field becomes the message.
const EXCERPT_CHARS: usize = 200;

impl ErrorBody<'_> {
    /// A string or number at a JSON pointer (`/error/message`).
    pub(crate) fn s(&self, pointer: &str) -> Option<String> {
        match self.json.pointer(pointer)? {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        }
    }

    /// The start of the body (redacted), for answers without a message.
    pub(crate) fn excerpt(&self) -> String {
        redacted_excerpt(&self.text, EXCERPT_CHARS)
    }

    /// A header as text.
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        header_str(self.headers, name)
    }

    /// `Retry-After` as seconds or an HTTP date.
    pub(crate) fn retry_after(&self) -> Option<Duration> {
        let v = self.header("retry-after")?.trim();
        if let Ok(secs) = v.parse::<u64>() {
            return Some(Duration::from_secs(secs));
        }
        let at = DateTime::parse_from_rfc2822(v).ok()?.with_timezone(&Utc);
        (at - Utc::now()).to_std().ok()
    }

    /// A header holding unix seconds (`x-rate-limit-reset`).
    pub(crate) fn unix_time(&self, name: &str) -> Option<DateTime<Utc>> {
        let secs = self.header(name)?.trim().parse::<i64>().ok()?;
        Utc.timestamp_opt(secs, 0).single()
    }

    /// [`Error::Platform`] with this answer's status and body.
    pub(crate) fn generic(&self, code: Option<String>, message: String) -> Error {
        Error::Platform {
            platform: self.platform,
            status: self.status,
            code,
            message,
            body: Some(redact_text(&self.text)),
        }
    }

    /// [`Error::RateLimited`].
    pub(crate) fn limited(
        &self,
        retry_after: Option<Duration>,
        reset_at: Option<DateTime<Utc>>,
        message: String,
    ) -> Error {
        Error::RateLimited {
            platform: self.platform,
            retry_after,
            reset_at,
            message,
        }
    }

    /// [`Error::QuotaExhausted`]: the platform says the quota `bucket` (a
    /// name in the platform's quota data) is used up until `resets_at`.
    pub(crate) fn exhausted(
        &self,
        bucket: &str,
        resets_at: DateTime<Utc>,
        message: String,
    ) -> Error {
        Error::QuotaExhausted {
            platform: self.platform,
            bucket: bucket.to_owned(),
            limit: None,
            resets_at,
            message,
        }
    }

    /// [`Error::ReauthRequired`].
    pub(crate) fn reauth(&self, reason: String) -> Error {
        Error::ReauthRequired {
            platform: self.platform,
            account: None,
            reason,
        }
    }

    /// [`Error::Duplicate`].
    pub(crate) fn duplicate(&self, message: String) -> Error {
        Error::Duplicate {
            platform: self.platform,
            message,
        }
    }

    /// [`Error::MediaRejected`].
    pub(crate) fn media_rejected(&self, reason: String, code: Option<String>) -> Error {
        Error::MediaRejected {
            platform: self.platform,
            reason,
            code,
        }
    }
}

/// Next midnight in UTC (daily quotas that reset at 00:00 UTC).
pub(crate) fn next_utc_midnight(now: DateTime<Utc>) -> DateTime<Utc> {
    let tomorrow = now.date_naive().succ_opt().unwrap_or(now.date_naive());
    Utc.from_utc_datetime(&tomorrow.and_hms_opt(0, 0, 0).unwrap_or_default())
}

/// Maps an error answer (status, headers, body) to [`Error`] by `shape`.
///
/// The body kept in [`Error::Platform`] and every message taken from it
/// are redacted (a platform may quote a token, a code or a signed URL in
/// its message).
pub(crate) fn platform_error(
    shape: &dyn ErrorShape,
    status: u16,
    headers: &HeaderMap,
    body: &[u8],
) -> Error {
    let b = ErrorBody {
        platform: shape.platform(),
        status,
        headers,
        json: serde_json::from_slice(body).unwrap_or(Value::Null),
        text: String::from_utf8_lossy(body).into_owned(),
    };
    redact_messages(oauth_error(&b).unwrap_or_else(|| shape.error(&b)))
}

/// The messages of an error, redacted.
fn redact_messages(mut err: Error) -> Error {
    match &mut err {
        Error::Platform { message, .. }
        | Error::RateLimited { message, .. }
        | Error::QuotaExhausted { message, .. }
        | Error::Duplicate { message, .. }
        | Error::ReauthRequired {
            reason: message, ..
        }
        | Error::MediaRejected {
            reason: message, ..
        } => *message = redact_text(message),
        _ => {}
    }
    err
}

/// OAuth token endpoints of every platform (RFC 6749 section 5.2 shape).
fn oauth_error(b: &ErrorBody<'_>) -> Option<Error> {
    let err = b.json.get("error").and_then(Value::as_str)?;
    let desc = b.s("/error_description").unwrap_or_default();
    Some(match err {
        "invalid_grant" | "invalid_token" => b.reauth(format!("{err}: {desc}")),
        _ if b.status == 429 => b.limited(b.retry_after(), None, desc),
        _ => b.generic(
            Some(err.to_owned()),
            if desc.is_empty() {
                err.to_owned()
            } else {
                desc
            },
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn decode_errors_do_not_quote_values() {
        #[derive(Debug, serde::Deserialize)]
        struct Grant {
            #[allow(dead_code)]
            expires_in: u64,
        }
        let body = r#"{"expires_in":"SECRET-VALUE"}"#;
        let e = serde_json::from_str::<Grant>(body).unwrap_err();
        assert!(
            e.to_string().contains("SECRET-VALUE"),
            "serde_json quotes it: {e}"
        );
        let resp = reqwest::Response::from(http::Response::new(body));
        let err = decode_json::<Grant>(Platform::YouTube, resp)
            .await
            .unwrap_err();
        let shown = err.to_string();
        assert!(
            !shown.contains("SECRET-VALUE") && shown.contains("line 1"),
            "{shown}"
        );
    }
}
