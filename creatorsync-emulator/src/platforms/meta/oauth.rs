//! Facebook Login: dialog, code exchange, long-lived exchange, page tokens,
//! permissions, revocation, debug_token, identity reads.

use std::time::Duration;

use axum::extract::Request;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use creatorsync_core::Platform;
use serde_json::{Value, json};

use super::{M, Req, SHORT_LIVED_SECS, TokKind, bad_param, graph_error, ok, pages_of, user_of};
use crate::tokens::AuthCode;

fn login_user(m: &M) -> (String, bool) {
    let (user, deny) = m.ctx.logins.get(Platform::Facebook);
    let user = user.unwrap_or_else(|| {
        m.ctx
            .config
            .identity(Platform::Facebook)
            .map_or_else(|| "fb-demo-user".to_owned(), |i| i.id.clone())
    });
    (user, deny)
}

/// GET /dialog/oauth: auto-approves (or denies) and redirects.
pub(crate) fn dialog(m: &M, req: &Request) -> Response {
    let q = crate::common::form(req.uri().query().unwrap_or(""));
    let app = m.ctx.config.app(Platform::Facebook);
    if q.get("client_id") != Some(&app.client_id) {
        return bad_param("Invalid application ID");
    }
    let Some(redirect) = q.get("redirect_uri").and_then(|u| url::Url::parse(u).ok()) else {
        return bad_param("Invalid redirect_uri");
    };
    let (user, deny) = login_user(m);
    let mut to = redirect.clone();
    {
        let mut qp = to.query_pairs_mut();
        if deny {
            qp.append_pair("error", "access_denied")
                .append_pair("error_code", "200")
                .append_pair("error_description", "Permissions error")
                .append_pair("error_reason", "user_denied");
        } else {
            let scopes = q
                .get("scope")
                .map(|s| {
                    s.split([',', ' '])
                        .filter(|x| !x.is_empty())
                        .map(str::to_owned)
                        .collect()
                })
                .unwrap_or_default();
            let code = m.ctx.tokens.issue_code(AuthCode {
                platform: Platform::Facebook,
                client_id: app.client_id.clone(),
                redirect_uri: redirect.to_string(),
                subject: user,
                scopes,
                pkce: None,
                expires_at: m.now() + chrono::Duration::minutes(10),
            });
            qp.append_pair("code", &code);
        }
        if let Some(s) = q.get("state") {
            qp.append_pair("state", s);
        }
    }
    (StatusCode::FOUND, [(header::LOCATION, to.to_string())]).into_response()
}

fn token_body(token: &str, expires_in: u64) -> Response {
    ok(json!({"access_token": token, "token_type": "bearer", "expires_in": expires_in}))
}

/// GET /oauth/access_token: code exchange or fb_exchange_token.
pub(crate) fn access_token(m: &M, r: &Req) -> Response {
    let app = m.ctx.config.app(Platform::Facebook);
    if r.get("client_id") != app.client_id {
        return graph_error(
            400,
            101,
            None,
            "OAuthException",
            "Error validating application. Invalid application ID.",
        );
    }
    if r.get("client_secret") != app.client_secret {
        return graph_error(
            400,
            1,
            None,
            "OAuthException",
            "Error validating client secret.",
        );
    }
    let now = m.now();
    if r.get("grant_type") == "fb_exchange_token" {
        let Ok(kind) = super::request::check(m, r.get("fb_exchange_token")) else {
            return graph_error(
                400,
                190,
                Some(467),
                "OAuthException",
                "Invalid OAuth access token - Cannot parse access token",
            );
        };
        let TokKind::User { user, .. } = kind else {
            return bad_param("fb_exchange_token must be a user access token");
        };
        let ttl = m
            .ctx
            .config
            .lifetimes(Platform::Facebook)
            .access
            .unwrap_or(Duration::from_secs(60 * 86400));
        let scopes = m
            .ctx
            .tokens
            .check(Platform::Facebook, r.get("fb_exchange_token"), now)
            .map(|i| i.scopes)
            .unwrap_or_default();
        let i = m.ctx.tokens.issue(
            Platform::Facebook,
            &user,
            &app.client_id,
            &scopes,
            now,
            Some(ttl),
            None,
        );
        m.lock().tokens.insert(
            i.access_token.clone(),
            TokKind::User {
                user,
                long_lived: true,
            },
        );
        return token_body(&i.access_token, ttl.as_secs());
    }
    let Some(code) = m.ctx.tokens.take_code(r.get("code")) else {
        return graph_error(
            400,
            100,
            Some(36009),
            "OAuthException",
            "This authorization code has been used.",
        );
    };
    if code.expires_at <= now || code.client_id != app.client_id {
        return graph_error(
            400,
            100,
            Some(36007),
            "OAuthException",
            "This authorization code has expired.",
        );
    }
    let same_redirect =
        url::Url::parse(r.get("redirect_uri")).is_ok_and(|u| u.to_string() == code.redirect_uri);
    if !same_redirect {
        return graph_error(
            400,
            100,
            Some(36008),
            "OAuthException",
            "Error validating verification code. Please make sure your redirect_uri is identical to the one you used in the OAuth dialog request",
        );
    }
    let ttl = Duration::from_secs(SHORT_LIVED_SECS);
    let i = m.ctx.tokens.issue(
        Platform::Facebook,
        &code.subject,
        &app.client_id,
        &code.scopes,
        now,
        Some(ttl),
        None,
    );
    m.lock().tokens.insert(
        i.access_token.clone(),
        TokKind::User {
            user: code.subject,
            long_lived: false,
        },
    );
    token_body(&i.access_token, SHORT_LIVED_SECS)
}

/// GET /debug_token?input_token=..
pub(crate) fn debug_token(m: &M, r: &Req) -> Response {
    let app = m.ctx.config.app(Platform::Facebook);
    let app_token = format!("{}|{}", app.client_id, app.client_secret);
    let caller = r.token().unwrap_or_default();
    if caller != app_token && super::request::check(m, &caller).is_err() {
        return crate::common::auth_error(Platform::Facebook, None);
    }
    let input = r.get("input_token");
    let now = m.now();
    let kind = m.lock().tokens.get(input).cloned();
    let (info, kind) = match (m.ctx.tokens.check(Platform::Facebook, input, now), kind) {
        (Ok(i), Some(k)) => (i, k),
        _ => {
            return ok(
                json!({"data": {"app_id": app.client_id, "is_valid": false, "error": {"code": 190, "message": "Invalid OAuth access token."}}}),
            );
        }
    };
    let (ty, profile) = match &kind {
        TokKind::User { .. } => ("USER", None),
        TokKind::Page { page, .. } => ("PAGE", Some(page.clone())),
    };
    let mut data = json!({
        "app_id": app.client_id, "type": ty, "application": "CreatorSync Emulator",
        "data_access_expires_at": (now + chrono::Duration::days(90)).timestamp(),
        "expires_at": info.expires_at.map_or(0, |t| t.timestamp()),
        "is_valid": true, "scopes": info.scopes, "user_id": user_of(&kind),
        "granular_scopes": info.scopes.iter().map(|s| json!({"scope": s})).collect::<Vec<_>>(),
    });
    if let Some(p) = profile {
        data["profile_id"] = json!(p);
    }
    ok(json!({ "data": data }))
}

/// GET /me.
pub(crate) fn me(m: &M, kind: &TokKind, r: &Req) -> Response {
    let v = match kind {
        TokKind::User { user, .. } => user_json(m, user),
        TokKind::Page { page, .. } => page_json(m, page).unwrap_or_else(|| json!({"id": page})),
    };
    ok(super::pick(v, r.params.get("fields")))
}

fn user_json(m: &M, user: &str) -> Value {
    let name = m
        .ctx
        .config
        .identity(Platform::Facebook)
        .filter(|i| i.id == user)
        .map_or_else(|| user.to_owned(), |i| i.name.clone());
    json!({"id": user, "name": name})
}

fn page_json(m: &M, page: &str) -> Option<Value> {
    let identity = m.ctx.config.identity(Platform::Facebook)?;
    let p = identity.pages.iter().find(|p| p.id == page)?;
    let mut v = json!({"id": p.id, "name": p.name, "category": "Media"});
    if let Some((ig, _)) = &p.instagram {
        v["instagram_business_account"] = json!({ "id": ig });
    }
    Some(v)
}

/// GET /me/accounts: the user's pages with PAGE tokens.
pub(crate) fn accounts(m: &M, token: &str, kind: &TokKind) -> Response {
    let TokKind::User { user, long_lived } = kind else {
        return graph_error(
            400,
            100,
            None,
            "OAuthException",
            "(#100) Tried accessing nonexisting field (accounts) on node type (Page)",
        );
    };
    let now = m.now();
    let Ok(info) = m.ctx.tokens.check(Platform::Facebook, token, now) else {
        return crate::common::auth_error(Platform::Facebook, None);
    };
    let app = m.ctx.config.app(Platform::Facebook);
    let existing = m.lock().page_tokens.get(token).cloned().unwrap_or_default();
    let mut data = Vec::new();
    for p in pages_of(m, user) {
        let pt = if let Some((_, t)) = existing.iter().find(|(id, _)| *id == p.id) {
            t.clone()
        } else {
            // Long-lived user token -> page token without expiry; short-lived -> expires with it.
            let ttl = (!long_lived)
                .then(|| {
                    info.expires_at
                        .map(|at| (at - now).to_std().unwrap_or_default())
                })
                .flatten();
            let i = m.ctx.tokens.issue(
                Platform::Facebook,
                &p.id,
                &app.client_id,
                &info.scopes,
                now,
                ttl,
                None,
            );
            let mut g = m.lock();
            g.tokens.insert(
                i.access_token.clone(),
                TokKind::Page {
                    page: p.id.clone(),
                    user: user.clone(),
                },
            );
            g.page_tokens
                .entry(token.to_owned())
                .or_default()
                .push((p.id.clone(), i.access_token.clone()));
            i.access_token
        };
        let mut v = page_json(m, &p.id).unwrap_or_else(|| json!({"id": p.id, "name": p.name}));
        v["access_token"] = json!(pt);
        v["tasks"] = json!([
            "ANALYZE",
            "ADVERTISE",
            "MODERATE",
            "CREATE_CONTENT",
            "MANAGE"
        ]);
        v["category_list"] = json!([{"id": "2211", "name": "Media"}]);
        data.push(v);
    }
    let first = data
        .first()
        .and_then(|v| v["id"].as_str())
        .unwrap_or("")
        .to_owned();
    let last = data
        .last()
        .and_then(|v| v["id"].as_str())
        .unwrap_or("")
        .to_owned();
    ok(json!({"data": data, "paging": {"cursors": {"before": first, "after": last}}}))
}

/// GET /me/permissions.
pub(crate) fn permissions(m: &M, token: &str) -> Response {
    let scopes = m
        .ctx
        .tokens
        .check(Platform::Facebook, token, m.now())
        .map(|i| i.scopes)
        .unwrap_or_default();
    let data: Vec<Value> = scopes
        .iter()
        .map(|s| json!({"permission": s, "status": "granted"}))
        .collect();
    ok(json!({ "data": data }))
}

/// DELETE /{user-id}/permissions: revokes the user's and their page tokens.
pub(crate) fn revoke(m: &M, kind: &TokKind, user: &str) -> Response {
    let me = user_of(kind).to_owned();
    if user != me && user != "me" {
        return graph_error(
            400,
            100,
            None,
            "OAuthException",
            "(#100) Cannot revoke permissions of another user",
        );
    }
    m.ctx.tokens.revoke_all(Platform::Facebook, Some(&me));
    let page_tokens: Vec<String> = m
        .lock()
        .tokens
        .iter()
        .filter(|(_, k)| matches!(k, TokKind::Page { user, .. } if *user == me))
        .map(|(t, _)| t.clone())
        .collect();
    for t in page_tokens {
        m.ctx.tokens.revoke(&t);
    }
    ok(json!({"success": true}))
}

/// GET /{id} for users, pages and Instagram accounts.
pub(crate) fn read_identity(m: &M, kind: &TokKind, id: &str) -> Option<Value> {
    let user = user_of(kind);
    if id == user {
        return Some(user_json(m, user));
    }
    let pages = pages_of(m, user);
    if pages.iter().any(|p| p.id == id) {
        return page_json(m, id);
    }
    let p = pages
        .iter()
        .find(|p| p.instagram.as_ref().is_some_and(|(ig, _)| ig == id))?;
    let (ig, username) = p.instagram.clone()?;
    Some(json!({"id": ig, "username": username, "name": p.name}))
}
