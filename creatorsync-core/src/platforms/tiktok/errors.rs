//! TikTok's error answers: `{"data":{},"error":{"code","message","log_id"}}`
//! (also with HTTP 200: [`super`] checks `error.code` on success too).

use chrono::Utc;

use crate::Error;
use crate::http::{ErrorBody, next_utc_midnight};

/// TikTok's answer as an [`Error`].
pub(super) fn map(b: &ErrorBody<'_>) -> Error {
    let code = b.s("/error/code");
    let message = b.s("/error/message").unwrap_or_else(|| b.excerpt());
    match code.as_deref() {
        Some("access_token_invalid" | "scope_not_authorized" | "scope_permission_missed") => {
            b.reauth(format!("TikTok refused the token: {message}"))
        }
        // The daily caps do not say when they reset: a day is the bound.
        Some("spam_risk_too_many_posts" | "spam_risk_too_many_pending_share") => {
            b.exhausted("posts", Utc::now() + chrono::Duration::hours(24), message)
        }
        Some("reached_active_user_cap") => {
            b.exhausted("active_creators", next_utc_midnight(Utc::now()), message)
        }
        Some("rate_limit_exceeded") => b.limited(b.retry_after(), None, message),
        Some(
            c @ ("file_format_check_failed"
            | "picture_size_check_failed"
            | "duration_limit_exceeded"
            | "video_pull_failed"
            | "photo_pull_failed"),
        ) => b.media_rejected(message, Some(c.to_owned())),
        _ if b.status == 401 => b.reauth(format!("TikTok refused the token: {message}")),
        _ if b.status == 429 => b.limited(b.retry_after(), None, message),
        _ => b.generic(code, message),
    }
}
