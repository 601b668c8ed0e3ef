//! Each platform's error bodies, mapped into [`Error`] in this one place.

use std::time::Duration;

use chrono::{DateTime, Datelike, TimeZone, Utc};
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
        .map_err(|e| super::retry::transport_error(platform, &e))?;
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

/// `Retry-After` as seconds or an HTTP date.
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let v = header_str(headers, "retry-after")?.trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = DateTime::parse_from_rfc2822(v).ok()?.with_timezone(&Utc);
    (at - Utc::now()).to_std().ok()
}

/// X's `x-rate-limit-reset` (unix seconds).
fn x_reset(headers: &HeaderMap) -> Option<DateTime<Utc>> {
    let secs = header_str(headers, "x-rate-limit-reset")?
        .trim()
        .parse::<i64>()
        .ok()?;
    Utc.timestamp_opt(secs, 0).single()
}

/// Meta's `X-Business-Use-Case-Usage` `estimated_time_to_regain_access`
/// (minutes), the largest over all entries.
fn meta_regain(headers: &HeaderMap) -> Option<Duration> {
    let v: Value = serde_json::from_str(header_str(headers, "x-business-use-case-usage")?).ok()?;
    let minutes = v
        .as_object()?
        .values()
        .filter_map(Value::as_array)
        .flatten()
        .filter_map(|e| e.get("estimated_time_to_regain_access")?.as_u64())
        .max()?;
    Some(Duration::from_secs(minutes * 60))
}

/// Next midnight in UTC (LinkedIn daily quotas).
fn next_utc_midnight(now: DateTime<Utc>) -> DateTime<Utc> {
    let tomorrow = now.date_naive().succ_opt().unwrap_or(now.date_naive());
    Utc.from_utc_datetime(&tomorrow.and_hms_opt(0, 0, 0).unwrap_or_default())
}

/// Next midnight in US Pacific time (YouTube quota reset), approximated
/// with UTC-8 (UTC-7 during daylight saving time, April–October).
fn next_pacific_midnight(now: DateTime<Utc>) -> DateTime<Utc> {
    let offset = if (4..=10).contains(&now.month()) {
        7
    } else {
        8
    };
    let local = now - chrono::Duration::hours(offset);
    next_utc_midnight(local) + chrono::Duration::hours(offset)
}

fn s(v: &Value, path: &[&str]) -> Option<String> {
    let mut cur = v;
    for p in path {
        cur = cur.get(p)?;
    }
    match cur {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// How much of a body without a message field becomes the message.
const EXCERPT_CHARS: usize = 200;

/// Maps an error answer (status, headers, body) of `platform` to [`Error`].
///
/// The body kept in [`Error::Platform`] and every message taken from it
/// are redacted (a platform may quote a token, a code or a signed URL in
/// its message).
pub(crate) fn platform_error(
    platform: Platform,
    status: u16,
    headers: &HeaderMap,
    body: &[u8],
) -> Error {
    redact_messages(map_error(platform, status, headers, body))
}

/// The messages of an error built by [`map_error`], redacted.
fn redact_messages(mut err: Error) -> Error {
    match &mut err {
        Error::Platform { message, .. }
        | Error::RateLimited { message, .. }
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

fn map_error(platform: Platform, status: u16, headers: &HeaderMap, body: &[u8]) -> Error {
    let text = String::from_utf8_lossy(body);
    let json: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    let raw = Some(redact_text(&text));
    let generic = |code: Option<String>, message: String| Error::Platform {
        platform,
        status,
        code,
        message,
        body: raw.clone(),
    };
    let limited = |retry: Option<Duration>, reset: Option<DateTime<Utc>>, message: String| {
        Error::RateLimited {
            platform,
            retry_after: retry,
            reset_at: reset,
            message,
        }
    };
    let reauth = |reason: String| Error::ReauthRequired {
        platform,
        account: None,
        reason,
    };

    // OAuth token endpoints of every platform (RFC 6749 shape).
    if let Some(err) = json.get("error").and_then(Value::as_str) {
        let desc = s(&json, &["error_description"]).unwrap_or_default();
        return match err {
            "invalid_grant" | "invalid_token" => reauth(format!("{err}: {desc}")),
            _ if status == 429 => limited(retry_after(headers), None, desc),
            _ => generic(
                Some(err.to_owned()),
                if desc.is_empty() {
                    err.to_owned()
                } else {
                    desc
                },
            ),
        };
    }

    match platform {
        Platform::X => {
            let detail = s(&json, &["detail"])
                .or_else(|| s(&json, &["errors", "0", "message"]))
                .or_else(|| {
                    json.get("errors")
                        .and_then(|e| e.get(0))
                        .and_then(|e| s(e, &["message"]))
                })
                .or_else(|| s(&json, &["title"]))
                .unwrap_or_else(|| redacted_excerpt(&text, EXCERPT_CHARS));
            let code = json
                .get("errors")
                .and_then(|e| e.get(0))
                .and_then(|e| s(e, &["code"]))
                .or_else(|| s(&json, &["type"]));
            match status {
                401 => reauth(format!("X refused the token: {detail}")),
                429 => limited(retry_after(headers), x_reset(headers), detail),
                403 if detail.to_ascii_lowercase().contains("duplicate")
                    || code.as_deref() == Some("187") =>
                {
                    Error::Duplicate {
                        platform,
                        message: detail,
                    }
                }
                _ => generic(code, detail),
            }
        }
        Platform::LinkedIn => {
            let message =
                s(&json, &["message"]).unwrap_or_else(|| redacted_excerpt(&text, EXCERPT_CHARS));
            let code = s(&json, &["code"]).or_else(|| s(&json, &["serviceErrorCode"]));
            match status {
                401 => reauth(format!("LinkedIn refused the token: {message}")),
                429 => limited(
                    retry_after(headers),
                    Some(next_utc_midnight(Utc::now())),
                    message,
                ),
                422 if message.to_ascii_lowercase().contains("duplicate") => {
                    Error::Duplicate { platform, message }
                }
                _ => generic(code, message),
            }
        }
        Platform::Facebook | Platform::Instagram => {
            let e = json.get("error").cloned().unwrap_or(Value::Null);
            let message = s(&e, &["error_user_msg"])
                .or_else(|| s(&e, &["message"]))
                .unwrap_or_else(|| redacted_excerpt(&text, EXCERPT_CHARS));
            let code = e.get("code").and_then(Value::as_i64).unwrap_or(0);
            let sub = e.get("error_subcode").and_then(Value::as_i64).unwrap_or(0);
            let code_str = if sub != 0 {
                format!("{code}/{sub}")
            } else {
                code.to_string()
            };
            match (code, sub) {
                (190, _) | (102, _) => {
                    reauth(format!("Meta refused the token ({code_str}): {message}"))
                }
                (4 | 17 | 32 | 613 | 80001 | 80002, _) | (_, 2_207_042) => limited(
                    retry_after(headers).or_else(|| meta_regain(headers)),
                    None,
                    message,
                ),
                (506, _) => Error::Duplicate { platform, message },
                (_, 2_207_001..=2_207_099) | (9004 | 36001 | 36003, _) => Error::MediaRejected {
                    platform,
                    reason: message,
                    code: Some(code_str),
                },
                _ if status == 429 => limited(retry_after(headers), None, message),
                // Codes 1 and 2 are Meta's transient "unknown/service" errors.
                (1 | 2, _) => Error::Platform {
                    platform,
                    status: status.max(500),
                    code: Some(code_str),
                    message,
                    body: raw.clone(),
                },
                _ => generic(Some(code_str), message),
            }
        }
        Platform::YouTube => {
            let message = s(&json, &["error", "message"])
                .unwrap_or_else(|| redacted_excerpt(&text, EXCERPT_CHARS));
            let reason = json
                .pointer("/error/errors/0/reason")
                .and_then(Value::as_str)
                .map(str::to_owned);
            match (status, reason.as_deref()) {
                (401, _) => reauth(format!("Google refused the token: {message}")),
                (_, Some("quotaExceeded" | "dailyLimitExceeded")) => {
                    limited(None, Some(next_pacific_midnight(Utc::now())), message)
                }
                (_, Some("uploadLimitExceeded")) => {
                    limited(None, Some(next_utc_midnight(Utc::now())), message)
                }
                (_, Some("rateLimitExceeded" | "userRateLimitExceeded")) | (429, _) => {
                    limited(retry_after(headers), None, message)
                }
                _ => generic(reason, message),
            }
        }
        Platform::TikTok => {
            let code = s(&json, &["error", "code"]);
            let message = s(&json, &["error", "message"])
                .unwrap_or_else(|| redacted_excerpt(&text, EXCERPT_CHARS));
            match code.as_deref() {
                Some(
                    "access_token_invalid" | "scope_not_authorized" | "scope_permission_missed",
                ) => reauth(format!("TikTok refused the token: {message}")),
                Some(
                    "rate_limit_exceeded"
                    | "spam_risk_too_many_posts"
                    | "spam_risk_too_many_pending_share",
                ) => limited(retry_after(headers), None, message),
                Some(
                    c @ ("file_format_check_failed"
                    | "picture_size_check_failed"
                    | "duration_limit_exceeded"
                    | "video_pull_failed"
                    | "photo_pull_failed"),
                ) => Error::MediaRejected {
                    platform,
                    reason: message,
                    code: Some(c.to_owned()),
                },
                _ if status == 401 => reauth(format!("TikTok refused the token: {message}")),
                _ if status == 429 => limited(retry_after(headers), None, message),
                _ => generic(code, message),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(p: Platform, status: u16, body: &str) -> Error {
        platform_error(p, status, &HeaderMap::new(), body.as_bytes())
    }

    #[test]
    fn maps_each_platform_shape() {
        assert!(matches!(
            map(
                Platform::X,
                403,
                r#"{"detail":"You are not allowed to create a Tweet with duplicate content.","type":"about:blank","title":"Forbidden","status":403}"#
            ),
            Error::Duplicate { .. }
        ));
        assert!(matches!(
            map(Platform::X, 401, r#"{"title":"Unauthorized","status":401}"#),
            Error::ReauthRequired { .. }
        ));
        assert!(matches!(
            map(
                Platform::LinkedIn,
                401,
                r#"{"status":401,"serviceErrorCode":65602,"code":"EXPIRED_ACCESS_TOKEN","message":"The token used in the request has expired"}"#
            ),
            Error::ReauthRequired { .. }
        ));
        assert!(matches!(
            map(
                Platform::Facebook,
                400,
                r#"{"error":{"message":"Error validating access token","type":"OAuthException","code":190,"error_subcode":463,"fbtrace_id":"x"}}"#
            ),
            Error::ReauthRequired { .. }
        ));
        assert!(matches!(
            map(
                Platform::Instagram,
                400,
                r#"{"error":{"message":"Media download failed","type":"OAuthException","code":9004,"error_subcode":2207052,"fbtrace_id":"x"}}"#
            ),
            Error::MediaRejected { .. }
        ));
        assert!(matches!(
            map(
                Platform::YouTube,
                403,
                r#"{"error":{"code":403,"message":"quota","errors":[{"message":"q","domain":"youtube.quota","reason":"quotaExceeded"}]}}"#
            ),
            Error::RateLimited {
                reset_at: Some(_),
                ..
            }
        ));
        assert!(matches!(
            map(
                Platform::TikTok,
                401,
                r#"{"data":{},"error":{"code":"access_token_invalid","message":"The access token is invalid","log_id":"1"}}"#
            ),
            Error::ReauthRequired { .. }
        ));
        assert!(matches!(
            map(
                Platform::TikTok,
                400,
                r#"{"error":"invalid_grant","error_description":"refresh token revoked","log_id":"1"}"#
            ),
            Error::ReauthRequired { .. }
        ));
        let e = map(
            Platform::LinkedIn,
            426,
            r#"{"status":426,"code":"NONEXISTENT_VERSION","message":"Requested version 20230101 is not active"}"#,
        );
        assert_eq!(e.status(), Some(426));
    }

    #[test]
    fn messages_and_bodies_are_redacted_on_every_platform() {
        let bodies = [
            // No message field: the message falls back to the body.
            "<html>proxy error for https://me:PASSW0RD@up.example/v?upload_id=SESS10N \
             access_token=T0KEN Authorization: Bearer B3ARER</html>",
            // A message field quoting secrets, in each platform's shape.
            r#"{"detail":"bad access_token=T0KEN","errors":[{"message":"code=C0DE"}]}"#,
            r#"{"message":"refresh_token=T0KEN rejected"}"#,
            r#"{"error":{"message":"https://x.example/cb?code=C0DE#FRAG","code":100}}"#,
            r#"{"error":{"code":"invalid_params","message":"upload_token=T0KEN"}}"#,
            r#"{"error":"invalid_request","error_description":"client_secret=S3CRET"}"#,
        ];
        let secrets = [
            "PASSW0RD", "SESS10N", "T0KEN", "B3ARER", "C0DE", "FRAG", "S3CRET",
        ];
        for platform in Platform::ALL {
            for status in [400, 401, 403, 429, 500] {
                for body in bodies {
                    let e = map(platform, status, body);
                    let shown = format!("{e} {e:?}");
                    for secret in secrets {
                        assert!(
                            !shown.contains(secret),
                            "{platform} {status}: {secret} in {shown}"
                        );
                    }
                }
            }
        }
        // Only the secret goes: the rest of the message stays useful.
        let e = map(
            Platform::LinkedIn,
            400,
            "upstream failed: token=abc; retry later",
        );
        assert!(
            e.to_string()
                .contains("upstream failed: token=[redacted]; retry later"),
            "{e}"
        );
    }

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

    #[test]
    fn retry_after_and_resets() {
        let mut h = HeaderMap::new();
        h.insert("retry-after", "3".parse().unwrap());
        let e = platform_error(
            Platform::TikTok,
            429,
            &h,
            br#"{"error":{"code":"rate_limit_exceeded","message":"slow down"}}"#,
        );
        assert_eq!(e.retry_after(), Some(Duration::from_secs(3)));
        let mut h = HeaderMap::new();
        h.insert(
            "x-business-use-case-usage",
            r#"{"123":[{"type":"pages","call_count":100,"estimated_time_to_regain_access":2}]}"#
                .parse()
                .unwrap(),
        );
        let e = platform_error(
            Platform::Facebook,
            400,
            &h,
            br#"{"error":{"message":"limit","code":32}}"#,
        );
        assert_eq!(e.retry_after(), Some(Duration::from_secs(120)));
        let p = next_pacific_midnight(Utc::now());
        assert!(p > Utc::now() && p - Utc::now() <= chrono::Duration::hours(25));
    }
}
