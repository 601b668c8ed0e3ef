//! LinkedIn 3-legged OAuth: authorization code (no PKCE), refresh tokens
//! whose lifetime counts down from the original grant, revoke, introspect.

use std::collections::HashMap;

use axum::Json;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use creatorsync_core::Platform;
use serde_json::json;

use super::{Li, St};
use crate::tokens::{AuthCode, RefreshPolicy};

/// Authorization codes live 30 minutes.
const CODE_TTL_SECS: i64 = 1800;

fn oauth_error(status: StatusCode, error: &str, description: &str) -> Response {
    (
        status,
        Json(json!({"error": error, "error_description": description})),
    )
        .into_response()
}

/// `GET /oauth/v2/authorization`: auto-approves as the login user.
pub(super) async fn authorize(State(li): St, Query(q): Query<HashMap<String, String>>) -> Response {
    let app = li.ctx.config.app(Platform::LinkedIn);
    let get = |k: &str| q.get(k).cloned().unwrap_or_default();
    if get("client_id") != app.client_id || get("response_type") != "code" {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "Invalid client_id or response_type",
        );
    }
    let Ok(mut redirect) = url::Url::parse(&get("redirect_uri")) else {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "Invalid redirect_uri",
        );
    };
    let (user, deny) = li.ctx.logins.get(Platform::LinkedIn);
    let user = user
        .or_else(|| {
            li.ctx
                .config
                .identity(Platform::LinkedIn)
                .map(|i| i.id.clone())
        })
        .unwrap_or_default();
    let state = get("state");
    if deny {
        redirect
            .query_pairs_mut()
            .append_pair("error", "access_denied")
            .append_pair("error_description", "The user cancelled the authorization")
            .append_pair("state", &state);
        return Redirect::to(redirect.as_str()).into_response();
    }
    let code = li.ctx.tokens.issue_code(AuthCode {
        platform: Platform::LinkedIn,
        client_id: app.client_id,
        redirect_uri: get("redirect_uri"),
        subject: user,
        scopes: get("scope")
            .split([' ', ','])
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect(),
        pkce: None,
        expires_at: li.ctx.clock.now() + chrono::Duration::seconds(CODE_TTL_SECS),
    });
    redirect
        .query_pairs_mut()
        .append_pair("code", &code)
        .append_pair("state", &state);
    Redirect::to(redirect.as_str()).into_response()
}

fn client_ok(li: &Li, f: &HashMap<String, String>) -> Result<String, Response> {
    let app = li.ctx.config.app(Platform::LinkedIn);
    if f.get("client_id") == Some(&app.client_id)
        && f.get("client_secret") == Some(&app.client_secret)
    {
        Ok(app.client_id)
    } else {
        Err(oauth_error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "Client authentication failed",
        ))
    }
}

/// `POST /oauth/v2/accessToken` (form).
pub(super) async fn token(State(li): St, body: String) -> Response {
    let f = crate::common::form(&body);
    let client_id = match client_ok(&li, &f) {
        Ok(c) => c,
        Err(r) => return r,
    };
    let now = li.ctx.clock.now();
    let life = li.ctx.config.lifetimes(Platform::LinkedIn);
    let get = |k: &str| f.get(k).cloned().unwrap_or_default();
    let issued = match get("grant_type").as_str() {
        "authorization_code" => {
            let code = li.ctx.tokens.take_code(&get("code")).filter(|c| {
                c.platform == Platform::LinkedIn
                    && c.client_id == client_id
                    && c.redirect_uri == get("redirect_uri")
                    && c.expires_at > now
            });
            let Some(code) = code else {
                return oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_request",
                    "Unable to retrieve access token: appid/redirect uri/code verifier does not match authorization code. Or authorization code expired. Or external member binding exists",
                );
            };
            li.ctx.tokens.issue(
                Platform::LinkedIn,
                &code.subject,
                &client_id,
                &code.scopes,
                now,
                life.access,
                life.refresh.map(Some),
            )
        }
        "refresh_token" => match li.ctx.tokens.refresh(
            Platform::LinkedIn,
            &get("refresh_token"),
            &client_id,
            now,
            life.access,
            life.refresh,
            RefreshPolicy::KeepReturn,
        ) {
            Ok(i) => i,
            Err(()) => {
                return oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_request",
                    "The provided authorization grant or refresh token is invalid, expired or revoked.",
                );
            }
        },
        _ => {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "unsupported_grant_type",
                "Unsupported grant_type",
            );
        }
    };
    let mut out = json!({
        "access_token": issued.access_token,
        "expires_in": issued.expires_in,
        "scope": issued.scopes.join(","),
        "token_type": "Bearer",
    });
    if let Some(rt) = issued.refresh_token {
        out["refresh_token"] = json!(rt);
        out["refresh_token_expires_in"] = json!(issued.refresh_expires_in);
    }
    Json(out).into_response()
}

/// `POST /oauth/v2/revoke` (form `client_id&client_secret&token`).
pub(super) async fn revoke(State(li): St, body: String) -> Response {
    let f = crate::common::form(&body);
    if let Err(r) = client_ok(&li, &f) {
        return r;
    }
    li.ctx
        .tokens
        .revoke(f.get("token").map_or("", String::as_str));
    StatusCode::OK.into_response()
}

/// `POST /oauth/v2/introspectToken` (form `client_id&client_secret&token`).
pub(super) async fn introspect(State(li): St, body: String) -> Response {
    let f = crate::common::form(&body);
    if let Err(r) = client_ok(&li, &f) {
        return r;
    }
    let token = f.get("token").map_or("", String::as_str);
    match li
        .ctx
        .tokens
        .check(Platform::LinkedIn, token, li.ctx.clock.now())
    {
        Ok(t) => Json(json!({
            "active": true, "status": "active", "client_id": t.client_id, "auth_type": "3L",
            "expires_at": t.expires_at.map(|e| e.timestamp()), "scope": t.scopes.join(","),
        }))
        .into_response(),
        Err(p) => {
            let status = match p {
                crate::tokens::TokenProblem::Expired => "expired",
                crate::tokens::TokenProblem::Revoked => "revoked",
                crate::tokens::TokenProblem::Unknown => "invalid",
            };
            Json(json!({"active": false, "status": status})).into_response()
        }
    }
}
