//! X OAuth 2.0: authorization code with PKCE, rotating refresh tokens
//! (only with `offline.access`), revocation.

use std::collections::HashMap;

use axum::Json;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use creatorsync_core::Platform;
use serde_json::json;

use super::{St, X};
use crate::tokens::{AuthCode, RefreshPolicy, verify_pkce};

fn oauth_error(status: StatusCode, error: &str, description: &str) -> Response {
    (
        status,
        Json(json!({"error": error, "error_description": description})),
    )
        .into_response()
}

/// `GET /i/oauth2/authorize`: auto-approves as the login user.
pub(super) async fn authorize(State(x): St, Query(q): Query<HashMap<String, String>>) -> Response {
    let app = x.ctx.config.app(Platform::X);
    let get = |k: &str| q.get(k).cloned().unwrap_or_default();
    if get("client_id") != app.client_id {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "Invalid client_id",
        );
    }
    let Ok(mut redirect) = url::Url::parse(&get("redirect_uri")) else {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "Invalid redirect_uri",
        );
    };
    let challenge = get("code_challenge");
    let method = q
        .get("code_challenge_method")
        .cloned()
        .unwrap_or_else(|| "plain".to_owned());
    if get("response_type") != "code"
        || challenge.is_empty()
        || !matches!(method.as_str(), "S256" | "plain")
    {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "response_type=code and a code_challenge (S256 or plain) are required",
        );
    }
    let (user, deny) = x.login_user();
    let state = get("state");
    if deny {
        redirect
            .query_pairs_mut()
            .append_pair("error", "access_denied")
            .append_pair("error_description", "The user denied the request")
            .append_pair("state", &state);
        return Redirect::to(redirect.as_str()).into_response();
    }
    let code = x.ctx.tokens.issue_code(AuthCode {
        platform: Platform::X,
        client_id: app.client_id,
        redirect_uri: get("redirect_uri"),
        subject: user,
        scopes: get("scope").split_whitespace().map(str::to_owned).collect(),
        pkce: Some((challenge, method)),
        expires_at: x.ctx.clock.now() + chrono::Duration::seconds(30),
    });
    redirect
        .query_pairs_mut()
        .append_pair("state", &state)
        .append_pair("code", &code);
    Redirect::to(redirect.as_str()).into_response()
}

/// The client id of a token-endpoint request: HTTP Basic for confidential
/// clients (secret checked), `client_id` in the body for public ones.
fn client(x: &X, headers: &HeaderMap, f: &HashMap<String, String>) -> Result<String, Response> {
    let app = x.ctx.config.app(Platform::X);
    let bad = || {
        oauth_error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "Missing valid authorization header",
        )
    };
    let basic = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "));
    if let Some(b) = basic {
        let decoded = STANDARD
            .decode(b.trim())
            .ok()
            .and_then(|d| String::from_utf8(d).ok())
            .ok_or_else(bad)?;
        let (id, secret) = decoded.split_once(':').ok_or_else(bad)?;
        return if id == app.client_id && secret == app.client_secret {
            Ok(id.to_owned())
        } else {
            Err(bad())
        };
    }
    match f.get("client_id") {
        Some(id) if *id == app.client_id => Ok(id.clone()),
        _ => Err(bad()),
    }
}

/// `POST /2/oauth2/token` (form).
pub(super) async fn token(State(x): St, headers: HeaderMap, body: String) -> Response {
    let f = crate::common::form(&body);
    let client_id = match client(&x, &headers, &f) {
        Ok(c) => c,
        Err(r) => return r,
    };
    let now = x.ctx.clock.now();
    let life = x.ctx.config.lifetimes(Platform::X);
    let get = |k: &str| f.get(k).cloned().unwrap_or_default();
    let issued = match get("grant_type").as_str() {
        "authorization_code" => {
            let bad = || {
                oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_request",
                    "Value passed for the authorization code was invalid.",
                )
            };
            let Some(code) = x.ctx.tokens.take_code(&get("code")) else {
                return bad();
            };
            let pkce_ok = code
                .pkce
                .as_ref()
                .is_none_or(|(c, m)| verify_pkce(c, m, &get("code_verifier")));
            if code.platform != Platform::X
                || code.client_id != client_id
                || code.redirect_uri != get("redirect_uri")
                || code.expires_at <= now
                || !pkce_ok
            {
                return bad();
            }
            let offline = code.scopes.iter().any(|s| s == "offline.access");
            x.ctx.tokens.issue(
                Platform::X,
                &code.subject,
                &client_id,
                &code.scopes,
                now,
                life.access,
                offline.then_some(life.refresh),
            )
        }
        "refresh_token" => match x.ctx.tokens.refresh(
            Platform::X,
            &get("refresh_token"),
            &client_id,
            now,
            life.access,
            life.refresh,
            RefreshPolicy::Rotate,
        ) {
            Ok(i) => i,
            Err(()) => {
                return oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_request",
                    "Value passed for the token was invalid.",
                );
            }
        },
        _ => {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "unsupported_grant_type",
                "grant_type must be authorization_code or refresh_token",
            );
        }
    };
    let mut out = json!({
        "token_type": "bearer",
        "expires_in": issued.expires_in,
        "access_token": issued.access_token,
        "scope": issued.scopes.join(" "),
    });
    if let Some(rt) = issued.refresh_token {
        out["refresh_token"] = json!(rt);
    }
    Json(out).into_response()
}

/// `POST /2/oauth2/revoke` (form `token`).
pub(super) async fn revoke(State(x): St, headers: HeaderMap, body: String) -> Response {
    let f = crate::common::form(&body);
    if let Err(r) = client(&x, &headers, &f) {
        return r;
    }
    x.ctx
        .tokens
        .revoke(f.get("token").map_or("", String::as_str));
    Json(json!({"revoked": true})).into_response()
}
