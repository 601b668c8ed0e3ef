//! X's error answers: `{"detail","title","type"}` (v2) or
//! `{"errors":[{"code","message"}]}` (v1.1 and media).

use crate::Error;
use crate::http::ErrorBody;

/// X's answer as an [`Error`].
pub(super) fn map(b: &ErrorBody<'_>) -> Error {
    let detail = b
        .s("/detail")
        .or_else(|| b.s("/errors/0/message"))
        .or_else(|| b.s("/title"))
        .unwrap_or_else(|| b.excerpt());
    let code = b.s("/errors/0/code").or_else(|| b.s("/type"));
    match b.status {
        401 => b.reauth(format!("X refused the token: {detail}")),
        // A spent 24-hour budget (per app or per user) resets at its own
        // time, hours away; the 15-minute window's reset says nothing then.
        429 => {
            let daily = [
                ("x-app-limit-24hour", "posts_app_day"),
                ("x-user-limit-24hour", "posts_user_day"),
            ]
            .into_iter()
            .filter(|(h, _)| b.header(&format!("{h}-remaining")).map(str::trim) == Some("0"))
            .filter_map(|(h, bucket)| Some((b.unix_time(&format!("{h}-reset"))?, bucket)))
            .max();
            match daily {
                Some((resets_at, bucket)) => b.exhausted(bucket, resets_at, detail),
                None => b.limited(b.retry_after(), b.unix_time("x-rate-limit-reset"), detail),
            }
        }
        403 if detail.to_ascii_lowercase().contains("duplicate")
            || code.as_deref() == Some("187") =>
        {
            b.duplicate(detail)
        }
        _ => b.generic(code, detail),
    }
}
