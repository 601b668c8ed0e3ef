//! LinkedIn's error answers: `{"status","serviceErrorCode","code","message"}`.

use chrono::Utc;

use crate::Error;
use crate::http::{ErrorBody, next_utc_midnight};

/// LinkedIn's answer as an [`Error`]. Its daily quotas reset at midnight
/// UTC.
pub(super) fn map(b: &ErrorBody<'_>) -> Error {
    let message = b.s("/message").unwrap_or_else(|| b.excerpt());
    let code = b.s("/code").or_else(|| b.s("/serviceErrorCode"));
    match b.status {
        401 => b.reauth(format!("LinkedIn refused the token: {message}")),
        // LinkedIn's limits are daily: a 429 without a Retry-After is the
        // day used up; one with a Retry-After is a short throttle.
        429 => match b.retry_after() {
            Some(wait) => b.limited(Some(wait), None, message),
            None => b.exhausted("posts_day", next_utc_midnight(Utc::now()), message),
        },
        422 if message.to_ascii_lowercase().contains("duplicate") => b.duplicate(message),
        _ => b.generic(code, message),
    }
}
