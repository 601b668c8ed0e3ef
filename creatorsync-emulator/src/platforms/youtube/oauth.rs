//! Google OAuth 2.0: auto-approving authorize page, the token endpoint
//! (authorization_code with optional PKCE S256, non-rotating refresh) and
//! revoke.

use axum::Json;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use creatorsync_core::Platform;
use serde_json::{Value, json};

use super::St;
use crate::{AuthCode, RefreshPolicy, form, verify_pkce};

fn oauth_error(status: StatusCode, error: &str, description: &str) -> Response {
    (
        status,
        Json(json!({"error": error, "error_description": description})),
    )
        .into_response()
}

fn redirect_with(redirect_uri: &str, params: &[(&str, &str)]) -> Response {
    let mut url = match url::Url::parse(redirect_uri) {
        Ok(u) => u,
        Err(_) => {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "Invalid parameter value for redirect_uri",
            );
        }
    };
    {
        let mut q = url.query_pairs_mut();
        for (k, v) in params {
            q.append_pair(k, v);
        }
    }
    Redirect::to(url.as_str()).into_response()
}

/// GET /o/oauth2/v2/auth — auto-approves as the login user.
pub(crate) async fn authorize(State(st): State<St>, RawQuery(q): RawQuery) -> Response {
    let q = form(q.as_deref().unwrap_or(""));
    let ctx = &st.ctx;
    let app = ctx.config.app(Platform::YouTube);
    let get = |k: &str| q.get(k).cloned().unwrap_or_default();
    if get("client_id") != app.client_id {
        return oauth_error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "The OAuth client was not found.",
        );
    }
    let redirect_uri = get("redirect_uri");
    if redirect_uri.is_empty() || url::Url::parse(&redirect_uri).is_err() {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "Missing required parameter: redirect_uri",
        );
    }
    let state = get("state");
    if get("response_type") != "code" {
        return redirect_with(
            &redirect_uri,
            &[("error", "unsupported_response_type"), ("state", &state)],
        );
    }
    let (user, deny) = ctx.logins.get(Platform::YouTube);
    if deny {
        return redirect_with(
            &redirect_uri,
            &[
                ("error", "access_denied"),
                ("error_description", "The user denied access"),
                ("state", &state),
            ],
        );
    }
    let subject = user
        .or_else(|| ctx.config.identity(Platform::YouTube).map(|i| i.id.clone()))
        .unwrap_or_default();
    let pkce = q.get("code_challenge").map(|c| {
        (
            c.clone(),
            q.get("code_challenge_method")
                .cloned()
                .unwrap_or_else(|| "plain".to_owned()),
        )
    });
    let scopes = get("scope")
        .split(' ')
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect();
    let code = ctx.tokens.issue_code(AuthCode {
        platform: Platform::YouTube,
        client_id: app.client_id,
        redirect_uri: redirect_uri.clone(),
        subject,
        scopes,
        pkce,
        expires_at: ctx.clock.now() + chrono::Duration::minutes(10),
    });
    st.lock()
        .offline
        .insert(code.clone(), get("access_type") == "offline");
    let mut params = vec![
        ("code", code.as_str()),
        ("scope", q.get("scope").map_or("", |s| s)),
    ];
    if q.contains_key("state") {
        params.push(("state", &state));
    }
    redirect_with(&redirect_uri, &params)
}

/// Client credentials from the form or HTTP Basic.
fn client_credentials(
    headers: &HeaderMap,
    f: &std::collections::HashMap<String, String>,
) -> (String, String) {
    use base64::Engine;
    if let (Some(id), Some(secret)) = (f.get("client_id"), f.get("client_secret")) {
        return (id.clone(), secret.clone());
    }
    let basic = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
        .and_then(|b| {
            base64::engine::general_purpose::STANDARD
                .decode(b.trim())
                .ok()
        })
        .and_then(|b| String::from_utf8(b).ok());
    match basic.as_deref().and_then(|s| s.split_once(':')) {
        Some((i, s)) => (i.to_owned(), s.to_owned()),
        None => (
            f.get("client_id").cloned().unwrap_or_default(),
            f.get("client_secret").cloned().unwrap_or_default(),
        ),
    }
}

/// POST /token.
pub(crate) async fn token(State(st): State<St>, headers: HeaderMap, body: String) -> Response {
    let ctx = &st.ctx;
    let f = form(&body);
    let app = ctx.config.app(Platform::YouTube);
    let (id, secret) = client_credentials(&headers, &f);
    if id != app.client_id || secret != app.client_secret {
        return oauth_error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "The OAuth client was not found.",
        );
    }
    let now = ctx.clock.now();
    let life = ctx.config.lifetimes(Platform::YouTube);
    let bad_grant = || oauth_error(StatusCode::BAD_REQUEST, "invalid_grant", "Bad Request");
    let issued = match f.get("grant_type").map(String::as_str) {
        Some("authorization_code") => {
            let Some(code) = f.get("code").and_then(|c| ctx.tokens.take_code(c)) else {
                return bad_grant();
            };
            let offline = f
                .get("code")
                .and_then(|c| st.lock().offline.remove(c))
                .unwrap_or(false);
            if code.platform != Platform::YouTube || code.client_id != id || code.expires_at <= now
            {
                return bad_grant();
            }
            if f.get("redirect_uri") != Some(&code.redirect_uri) {
                return oauth_error(
                    StatusCode::BAD_REQUEST,
                    "redirect_uri_mismatch",
                    "Bad Request",
                );
            }
            if let Some((challenge, method)) = &code.pkce {
                let ok = f
                    .get("code_verifier")
                    .is_some_and(|v| verify_pkce(challenge, method, v));
                if !ok {
                    return oauth_error(
                        StatusCode::BAD_REQUEST,
                        "invalid_grant",
                        "Invalid code verifier.",
                    );
                }
            }
            ctx.tokens.issue(
                Platform::YouTube,
                &code.subject,
                &id,
                &code.scopes,
                now,
                life.access,
                offline.then_some(life.refresh),
            )
        }
        Some("refresh_token") => {
            let rt = f.get("refresh_token").cloned().unwrap_or_default();
            match ctx.tokens.refresh(
                Platform::YouTube,
                &rt,
                &id,
                now,
                life.access,
                life.refresh,
                RefreshPolicy::KeepOmit,
            ) {
                Ok(i) => i,
                Err(()) => {
                    return oauth_error(
                        StatusCode::BAD_REQUEST,
                        "invalid_grant",
                        "Token has been expired or revoked.",
                    );
                }
            }
        }
        _ => {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "unsupported_grant_type",
                "Invalid grant_type: ",
            );
        }
    };
    let mut out = json!({
        "access_token": issued.access_token,
        "expires_in": issued.expires_in,
        "scope": issued.scopes.join(" "),
        "token_type": "Bearer",
    });
    if let (Some(rt), Value::Object(m)) = (issued.refresh_token, &mut out) {
        m.insert("refresh_token".into(), Value::String(rt));
    }
    Json(out).into_response()
}

/// POST /revoke?token= (or the token in the form body).
pub(crate) async fn revoke(State(st): State<St>, RawQuery(q): RawQuery, body: String) -> Response {
    let q = form(q.as_deref().unwrap_or(""));
    let token = q
        .get("token")
        .cloned()
        .or_else(|| form(&body).get("token").cloned());
    if token.is_some_and(|t| st.ctx.tokens.revoke(&t)) {
        Json(json!({})).into_response()
    } else {
        oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_token",
            "Token expired or revoked",
        )
    }
}
