//! TikTok Login Kit v2 OAuth: `client_key`, comma-separated scopes,
//! optional PKCE, rotating refresh tokens and flat token-endpoint errors.

use axum::Json;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use creatorsync_core::Platform;
use serde_json::json;

use super::{St, log_id};
use crate::{AuthCode, RefreshPolicy, form, verify_pkce};

/// The flat OAuth error of TikTok's token endpoints.
fn flat(status: StatusCode, error: &str, description: &str) -> Response {
    (
        status,
        Json(json!({"error": error, "error_description": description, "log_id": log_id()})),
    )
        .into_response()
}

/// GET /v2/auth/authorize/ — auto-approves as the login user.
pub(crate) async fn authorize(State(st): State<St>, RawQuery(q): RawQuery) -> Response {
    let ctx = &st.ctx;
    let q = form(q.as_deref().unwrap_or(""));
    let get = |k: &str| q.get(k).cloned().unwrap_or_default();
    let app = ctx.config.app(Platform::TikTok);
    if get("client_key") != app.client_id {
        return flat(
            StatusCode::BAD_REQUEST,
            "invalid_client",
            "client_key is invalid",
        );
    }
    let redirect_uri = get("redirect_uri");
    let Ok(mut url) = url::Url::parse(&redirect_uri) else {
        return flat(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "redirect_uri is invalid",
        );
    };
    let state = get("state");
    let (user, deny) = ctx.logins.get(Platform::TikTok);
    if get("response_type") != "code" {
        url.query_pairs_mut()
            .append_pair("error", "unsupported_response_type")
            .append_pair("state", &state);
        return Redirect::to(url.as_str()).into_response();
    }
    if deny {
        url.query_pairs_mut()
            .append_pair("error", "access_denied")
            .append_pair(
                "error_description",
                "The user denied the authorization request",
            )
            .append_pair("state", &state);
        return Redirect::to(url.as_str()).into_response();
    }
    let subject = user
        .or_else(|| ctx.config.identity(Platform::TikTok).map(|i| i.id.clone()))
        .unwrap_or_default();
    let scopes: Vec<String> = get("scope")
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect();
    let pkce = q.get("code_challenge").map(|c| {
        (
            c.clone(),
            q.get("code_challenge_method")
                .cloned()
                .unwrap_or_else(|| "S256".into()),
        )
    });
    let code = ctx.tokens.issue_code(AuthCode {
        platform: Platform::TikTok,
        client_id: app.client_id,
        redirect_uri: redirect_uri.clone(),
        subject,
        scopes: scopes.clone(),
        pkce,
        expires_at: ctx.clock.now() + chrono::Duration::minutes(10),
    });
    url.query_pairs_mut()
        .append_pair("code", &code)
        .append_pair("scopes", &scopes.join(","))
        .append_pair("state", &state);
    Redirect::to(url.as_str()).into_response()
}

/// POST /v2/oauth/token/
pub(crate) async fn token(State(st): State<St>, body: String) -> Response {
    let ctx = &st.ctx;
    let f = form(&body);
    let app = ctx.config.app(Platform::TikTok);
    let key = f.get("client_key").cloned().unwrap_or_default();
    if key != app.client_id || f.get("client_secret") != Some(&app.client_secret) {
        return flat(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "Client key or secret is incorrect.",
        );
    }
    let now = ctx.clock.now();
    let life = ctx.config.lifetimes(Platform::TikTok);
    let issued = match f.get("grant_type").map(String::as_str) {
        Some("authorization_code") => {
            let bad = || {
                flat(
                    StatusCode::BAD_REQUEST,
                    "invalid_grant",
                    "Authorization code is expired.",
                )
            };
            let Some(code) = f.get("code").and_then(|c| ctx.tokens.take_code(c)) else {
                return bad();
            };
            if code.platform != Platform::TikTok || code.client_id != key || code.expires_at <= now
            {
                return bad();
            }
            if f.get("redirect_uri") != Some(&code.redirect_uri) {
                return flat(
                    StatusCode::BAD_REQUEST,
                    "invalid_request",
                    "redirect_uri does not match.",
                );
            }
            if let Some((challenge, method)) = &code.pkce
                && !f
                    .get("code_verifier")
                    .is_some_and(|v| verify_pkce(challenge, method, v))
            {
                return flat(
                    StatusCode::BAD_REQUEST,
                    "invalid_grant",
                    "Code verifier is invalid.",
                );
            }
            ctx.tokens.issue(
                Platform::TikTok,
                &code.subject,
                &key,
                &code.scopes,
                now,
                life.access,
                Some(life.refresh),
            )
        }
        Some("refresh_token") => {
            let rt = f.get("refresh_token").cloned().unwrap_or_default();
            match ctx.tokens.refresh(
                Platform::TikTok,
                &rt,
                &key,
                now,
                life.access,
                life.refresh,
                RefreshPolicy::Rotate,
            ) {
                Ok(i) => i,
                Err(()) => {
                    return flat(
                        StatusCode::BAD_REQUEST,
                        "invalid_grant",
                        "Refresh token is invalid or expired.",
                    );
                }
            }
        }
        _ => {
            return flat(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "grant_type is invalid.",
            );
        }
    };
    Json(json!({
        "open_id": issued.subject,
        "scope": issued.scopes.join(","),
        "access_token": issued.access_token,
        "expires_in": issued.expires_in,
        "refresh_token": issued.refresh_token,
        "refresh_expires_in": issued.refresh_expires_in,
        "token_type": "Bearer",
    }))
    .into_response()
}

/// POST /v2/oauth/revoke/ (form client_key, client_secret, token).
pub(crate) async fn revoke(State(st): State<St>, body: String) -> Response {
    let f = form(&body);
    let app = st.ctx.config.app(Platform::TikTok);
    if f.get("client_key") != Some(&app.client_id)
        || f.get("client_secret") != Some(&app.client_secret)
    {
        return flat(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "Client key or secret is incorrect.",
        );
    }
    let Some(token) = f.get("token").filter(|t| !t.is_empty()) else {
        return flat(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "token is required.",
        );
    };
    // RFC 7009 style: revoking an unknown token is not an error.
    st.ctx.tokens.revoke(token);
    Json(json!({})).into_response()
}
