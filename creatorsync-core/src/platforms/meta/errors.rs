//! Meta's Graph error answers (Facebook and Instagram alike):
//! `{"error":{"message","error_user_msg","code","error_subcode"}}`.

use std::time::Duration;

use serde_json::Value;

use crate::Error;
use crate::http::ErrorBody;

/// `X-Business-Use-Case-Usage` `estimated_time_to_regain_access`
/// (minutes), the largest over all entries.
fn regain(b: &ErrorBody<'_>) -> Option<Duration> {
    let v: Value = serde_json::from_str(b.header("x-business-use-case-usage")?).ok()?;
    let minutes = v
        .as_object()?
        .values()
        .filter_map(Value::as_array)
        .flatten()
        .filter_map(|e| e.get("estimated_time_to_regain_access")?.as_u64())
        .max()?;
    Some(Duration::from_secs(minutes * 60))
}

/// A Graph answer as an [`Error`]. Meta's transient codes (1, 2) come with
/// a 5xx status, which is what makes them retryable; the status is never
/// invented here.
pub(crate) fn map(b: &ErrorBody<'_>) -> Error {
    let message = b
        .s("/error/error_user_msg")
        .or_else(|| b.s("/error/message"))
        .unwrap_or_else(|| b.excerpt());
    let code = b
        .json
        .pointer("/error/code")
        .and_then(Value::as_i64)
        .unwrap_or(0);
    let sub = b
        .json
        .pointer("/error/error_subcode")
        .and_then(Value::as_i64)
        .unwrap_or(0);
    let code_str = if sub != 0 {
        format!("{code}/{sub}")
    } else {
        code.to_string()
    };
    match (code, sub) {
        (190 | 102, _) => b.reauth(format!("Meta refused the token ({code_str}): {message}")),
        // Instagram's 100 posts per rolling 24 hours; the answer does not
        // say when the oldest post leaves the window: a day is the bound.
        (_, 2_207_042) => b.exhausted(
            "posts",
            chrono::Utc::now() + chrono::Duration::hours(24),
            message,
        ),
        (4 | 17 | 32 | 613 | 80001 | 80002, _) => {
            b.limited(b.retry_after().or_else(|| regain(b)), None, message)
        }
        (506, _) => b.duplicate(message),
        // The Graph version asked for is retired (or unknown): say which
        // one and what to do, not only Meta's words.
        (2635, _) => b.generic(
            Some(code_str),
            format!(
                "the Graph API version in use is retired or unknown ({message}); upgrade creatorsync or configure a supported api_version"
            ),
        ),
        (_, 2_207_001..=2_207_099) | (9004 | 36001 | 36003, _) => {
            b.media_rejected(message, Some(code_str))
        }
        _ if b.status == 429 => b.limited(b.retry_after(), None, message),
        _ => b.generic(Some(code_str), message),
    }
}
