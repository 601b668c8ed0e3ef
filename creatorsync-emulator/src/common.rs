//! Helpers every platform module uses: bearer tokens, the platform's own
//! 401 answers, the current login user, form/query parsing.

use std::collections::HashMap;
use std::sync::Mutex;

use axum::Json;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use creatorsync_core::Platform;
use serde_json::json;

use crate::Ctx;
use crate::tokens::{TokenInfo, TokenProblem};

/// The bearer token of a request (`Authorization: Bearer x` or `OAuth x`).
pub fn bearer(headers: &HeaderMap) -> Option<String> {
    let v = headers.get("authorization")?.to_str().ok()?;
    let (scheme, token) = v.split_once(' ')?;
    (scheme.eq_ignore_ascii_case("bearer") || scheme.eq_ignore_ascii_case("oauth"))
        .then(|| token.trim().to_owned())
}

/// The platform's answer to a missing/invalid/expired/revoked access token.
pub fn auth_error(platform: Platform, problem: Option<TokenProblem>) -> Response {
    let trace = crate::tokens::random_token("", 8);
    match platform {
        Platform::X => (
            StatusCode::UNAUTHORIZED,
            Json(json!({"title": "Unauthorized", "type": "about:blank", "status": 401, "detail": "Unauthorized"})),
        )
            .into_response(),
        Platform::LinkedIn => {
            let (n, code, msg) = match problem {
                Some(TokenProblem::Expired) => (65602, "EXPIRED_ACCESS_TOKEN", "The token used in the request has expired"),
                Some(TokenProblem::Revoked) => (65601, "REVOKED_ACCESS_TOKEN", "The token used in the request has been revoked by the user"),
                _ => (65600, "INVALID_ACCESS_TOKEN", "Invalid access token"),
            };
            (StatusCode::UNAUTHORIZED, Json(json!({"status": 401, "serviceErrorCode": n, "code": code, "message": msg}))).into_response()
        }
        Platform::Facebook | Platform::Instagram => {
            let (sub, msg) = match problem {
                Some(TokenProblem::Expired) => (463, "Error validating access token: Session has expired."),
                Some(TokenProblem::Revoked) => (460, "Error validating access token: The session has been invalidated because the user changed their password or Facebook has changed the session for security reasons."),
                _ => (467, "Invalid OAuth access token - Cannot parse access token"),
            };
            (
                StatusCode::BAD_REQUEST,
                Json(json!({"error": {"message": msg, "type": "OAuthException", "code": 190, "error_subcode": sub, "fbtrace_id": trace}})),
            )
                .into_response()
        }
        Platform::YouTube => {
            let mut resp = (
                StatusCode::UNAUTHORIZED,
                Json(json!({"error": {"code": 401, "message": "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.", "errors": [{"message": "Invalid Credentials", "domain": "global", "reason": "authError", "location": "Authorization", "locationType": "header"}], "status": "UNAUTHENTICATED"}})),
            )
                .into_response();
            resp.headers_mut().insert(
                "www-authenticate",
                axum::http::HeaderValue::from_static("Bearer realm=\"https://accounts.google.com/\", error=\"invalid_token\""),
            );
            resp
        }
        Platform::TikTok => (
            StatusCode::UNAUTHORIZED,
            Json(json!({"data": {}, "error": {"code": "access_token_invalid", "message": "The access token is invalid or not found in the request.", "log_id": trace}})),
        )
            .into_response(),
    }
}

/// Checks an access token, answering the platform's 401 when it is bad.
pub fn check_token(
    ctx: &Ctx,
    platform: Platform,
    token: Option<&str>,
) -> Result<TokenInfo, Response> {
    let Some(token) = token else {
        return Err(auth_error(platform, None));
    };
    ctx.tokens
        .check(platform, token, ctx.clock.now())
        .map_err(|p| auth_error(platform, Some(p)))
}

/// Checks the request's bearer token.
pub fn check_bearer(
    ctx: &Ctx,
    platform: Platform,
    headers: &HeaderMap,
) -> Result<TokenInfo, Response> {
    check_token(ctx, platform, bearer(headers).as_deref())
}

/// Parses `application/x-www-form-urlencoded` (or a query string) into a map.
pub fn form(s: &str) -> HashMap<String, String> {
    url::form_urlencoded::parse(s.as_bytes())
        .into_owned()
        .collect()
}

/// Who auto-approves the authorize page of each platform, and whether
/// consent is denied.
#[derive(Debug, Default)]
pub struct Logins {
    inner: Mutex<HashMap<Platform, (Option<String>, bool)>>,
}

impl Logins {
    /// Sets the login user (None: the seeded identity) and deny flag.
    pub fn set(&self, platform: Platform, user: Option<String>, deny: bool) {
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(platform, (user, deny));
    }

    /// The login user id override (None: seeded identity) and deny flag.
    pub fn get(&self, platform: Platform) -> (Option<String>, bool) {
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(&platform)
            .cloned()
            .unwrap_or((None, false))
    }
}
