//! Instagram API with Instagram Login, on the Instagram listener (facts
//! from Meta's Instagram Platform docs, read 2026-12; see
//! `docs/platforms.md`):
//!
//! * `GET /oauth/authorize` (www.instagram.com): auto-approves (or denies)
//!   and redirects with a `code`.
//! * `POST /oauth/access_token` (api.instagram.com): the code for a
//!   short-lived token (1 h), answered as
//!   `{"data": [{"access_token", "user_id", "permissions"}]}`.
//! * `GET /access_token?grant_type=ig_exchange_token` (graph.instagram.com):
//!   a long-lived token (60 days).
//! * `GET /refresh_access_token?grant_type=ig_refresh_token`: a new 60-day
//!   token for a long-lived one at least 24 hours old
//!   ([`EmulatorConfig::instagram_refresh_min_age`](crate::EmulatorConfig)).
//! * The content routes for its tokens, with or without a Graph version:
//!   `/me`, `/{ig}/media`, `/{ig}/media_publish`,
//!   `/{ig}/content_publishing_limit`, `/{id}`. They share the containers
//!   and media of Facebook Login; there is no resumable upload (a container
//!   with `upload_type=resumable` is refused, and rupload does not know
//!   these tokens), videos come by `video_url`.

use std::time::Duration;

use axum::extract::Request;
use axum::http::{Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use creatorsync_core::Platform;
use serde_json::{Value, json};

use super::instagram::{self, Caller};
use super::{M, Req, bad_param, graph_error, ok, pick, proof, unsupported};
use crate::tokens::AuthCode;

/// Lifetime of the short-lived token of the code exchange (1 hour).
const SHORT_LIVED: Duration = Duration::from_secs(3600);
/// Default lifetime of a long-lived token (60 days).
const LONG_LIVED: Duration = Duration::from_secs(60 * 86_400);

/// What an Instagram Login token stands for.
#[derive(Clone, Debug)]
pub(crate) struct IgToken {
    /// The Instagram professional account it acts for.
    pub ig: String,
    /// Long-lived (from `ig_exchange_token` or a refresh).
    pub long_lived: bool,
    /// When it was issued (emulator clock).
    pub issued: DateTime<Utc>,
}

/// The OAuth routes of Instagram Login.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Route {
    Authorize,
    Exchange,
    LongLived,
    Refresh,
}

impl Route {
    /// The route of `method segs` (path without its version), if any.
    /// Facebook Login's code exchange is `/{version}/oauth/access_token`;
    /// Instagram's is unversioned and a POST.
    pub(crate) fn of(method: &Method, segs: &[&str], versioned: bool) -> Option<Self> {
        match (method, segs) {
            (&Method::GET, ["oauth", "authorize"]) => Some(Self::Authorize),
            (&Method::POST, ["oauth", "access_token"]) if !versioned => Some(Self::Exchange),
            (&Method::GET, ["access_token"]) => Some(Self::LongLived),
            (&Method::GET, ["refresh_access_token"]) => Some(Self::Refresh),
            _ => None,
        }
    }
}

/// Serves one OAuth route.
pub(crate) async fn oauth(m: &M, route: Route, req: Request) -> Response {
    if route == Route::Authorize {
        return authorize(m, &req);
    }
    let r = match Req::parse(m, req).await {
        Ok(r) => r,
        Err(e) => return e,
    };
    match route {
        Route::Exchange => exchange(m, &r),
        Route::LongLived => long_lived(m, &r),
        Route::Refresh | Route::Authorize => refresh(m, &r),
    }
}

/// The Instagram account a token acts for, when it is an Instagram Login
/// token.
pub(crate) fn account_of(m: &M, token: &str) -> Option<String> {
    m.lock().ig_tokens.get(token).map(|t| t.ig.clone())
}

/// The seeded Instagram professional account that logs in (the login
/// override, else the first one linked to a seeded page): (id, username,
/// name).
fn login_account(m: &M) -> (Option<(String, String, String)>, bool) {
    let (user, deny) = m.ctx.logins.get(Platform::Instagram);
    let accounts = super::pages_of(
        m,
        &m.ctx
            .config
            .identity(Platform::Facebook)
            .map(|i| i.id.clone())
            .unwrap_or_default(),
    )
    .into_iter()
    .filter_map(|p| {
        let (ig, username) = p.instagram?;
        Some((ig, username, p.name))
    });
    let mut accounts = accounts.filter(|(ig, _, _)| user.as_ref().is_none_or(|u| u == ig));
    (accounts.next(), deny)
}

fn profile(m: &M, ig: &str) -> Value {
    let found = login_account_by_id(m, ig);
    let (username, name) = found.unwrap_or_else(|| (ig.to_owned(), ig.to_owned()));
    json!({"id": ig, "user_id": ig, "username": username, "name": name, "account_type": "BUSINESS"})
}

fn login_account_by_id(m: &M, ig: &str) -> Option<(String, String)> {
    let identity = m.ctx.config.identity(Platform::Facebook)?;
    identity.pages.iter().find_map(|p| {
        let (id, username) = p.instagram.as_ref()?;
        (id == ig).then(|| (username.clone(), p.name.clone()))
    })
}

/// GET /oauth/authorize.
fn authorize(m: &M, req: &Request) -> Response {
    let q = crate::common::form(req.uri().query().unwrap_or(""));
    let app = &m.ctx.config.instagram_login_app;
    if q.get("client_id") != Some(&app.client_id) {
        return bad_param("Invalid platform app");
    }
    if q.get("response_type").map(String::as_str) != Some("code") {
        return bad_param("response_type must be code");
    }
    let Some(redirect) = q.get("redirect_uri").and_then(|u| url::Url::parse(u).ok()) else {
        return bad_param("Invalid redirect_uri");
    };
    let (account, deny) = login_account(m);
    let mut to = redirect.clone();
    {
        let mut qp = to.query_pairs_mut();
        match account {
            Some((ig, _, _)) if !deny => {
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
                    platform: Platform::Instagram,
                    client_id: app.client_id.clone(),
                    redirect_uri: redirect.to_string(),
                    subject: ig,
                    scopes,
                    pkce: None,
                    expires_at: m.now() + chrono::Duration::minutes(10),
                });
                qp.append_pair("code", &code);
            }
            _ => {
                qp.append_pair("error", "access_denied")
                    .append_pair("error_reason", "user_denied")
                    .append_pair("error_description", "The user denied your request.");
            }
        }
        if let Some(s) = q.get("state") {
            qp.append_pair("state", s);
        }
    }
    (StatusCode::FOUND, [(header::LOCATION, to.to_string())]).into_response()
}

fn bad_app(m: &M, r: &Req, with_id: bool) -> Option<Response> {
    let app = &m.ctx.config.instagram_login_app;
    if with_id && r.get("client_id") != app.client_id {
        return Some(graph_error(
            400,
            101,
            None,
            "OAuthException",
            "Error validating application. Invalid application ID.",
        ));
    }
    (r.get("client_secret") != app.client_secret).then(|| {
        graph_error(
            400,
            1,
            None,
            "OAuthException",
            "Error validating client secret.",
        )
    })
}

/// Issues a token for `ig` and records it.
fn issue(m: &M, ig: &str, scopes: &[String], ttl: Duration, long_lived: bool) -> String {
    let now = m.now();
    let app = &m.ctx.config.instagram_login_app;
    let i = m.ctx.tokens.issue(
        Platform::Instagram,
        ig,
        &app.client_id,
        scopes,
        now,
        Some(ttl),
        None,
    );
    m.lock().ig_tokens.insert(
        i.access_token.clone(),
        IgToken {
            ig: ig.to_owned(),
            long_lived,
            issued: now,
        },
    );
    i.access_token
}

fn long_lived_ttl(m: &M) -> Duration {
    m.ctx
        .config
        .lifetimes(Platform::Instagram)
        .access
        .unwrap_or(LONG_LIVED)
}

/// POST /oauth/access_token (api.instagram.com).
fn exchange(m: &M, r: &Req) -> Response {
    if let Some(e) = bad_app(m, r, true) {
        return e;
    }
    if r.get("grant_type") != "authorization_code" {
        return bad_param("grant_type must be authorization_code");
    }
    let now = m.now();
    let Some(code) = m.ctx.tokens.take_code(r.get("code")) else {
        return graph_error(
            400,
            100,
            Some(36009),
            "OAuthException",
            "This authorization code has been used.",
        );
    };
    if code.expires_at <= now
        || code.platform != Platform::Instagram
        || code.client_id != r.get("client_id")
    {
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
    let token = issue(m, &code.subject, &code.scopes, SHORT_LIVED, false);
    ok(
        json!({"data": [{"access_token": token, "user_id": code.subject, "permissions": code.scopes.join(",")}]}),
    )
}

/// The valid Instagram Login token `r` names in `access_token`.
fn valid_token(m: &M, r: &Req) -> Result<(String, IgToken, Vec<String>), Response> {
    let token = r.get("access_token").to_owned();
    let info = crate::common::check_token(&m.ctx, Platform::Instagram, Some(&token))?;
    let t = m
        .lock()
        .ig_tokens
        .get(&token)
        .cloned()
        .ok_or_else(|| crate::common::auth_error(Platform::Instagram, None))?;
    Ok((token, t, info.scopes))
}

fn token_answer(token: &str, ttl: Duration) -> Response {
    ok(json!({"access_token": token, "token_type": "bearer", "expires_in": ttl.as_secs()}))
}

/// GET /access_token?grant_type=ig_exchange_token.
fn long_lived(m: &M, r: &Req) -> Response {
    if let Some(e) = bad_app(m, r, false) {
        return e;
    }
    if r.get("grant_type") != "ig_exchange_token" {
        return bad_param("grant_type must be ig_exchange_token");
    }
    let (_, t, scopes) = match valid_token(m, r) {
        Ok(v) => v,
        Err(e) => return e,
    };
    if t.long_lived {
        return bad_param("access_token must be a short-lived token");
    }
    let ttl = long_lived_ttl(m);
    token_answer(&issue(m, &t.ig, &scopes, ttl, true), ttl)
}

/// GET /refresh_access_token?grant_type=ig_refresh_token.
fn refresh(m: &M, r: &Req) -> Response {
    if r.get("grant_type") != "ig_refresh_token" {
        return bad_param("grant_type must be ig_refresh_token");
    }
    let (_, t, scopes) = match valid_token(m, r) {
        Ok(v) => v,
        Err(e) => return e,
    };
    if !t.long_lived {
        return bad_param("only long-lived tokens can be refreshed");
    }
    let min_age = chrono::Duration::from_std(m.ctx.config.instagram_refresh_min_age)
        .unwrap_or(chrono::Duration::MAX);
    if m.now() - t.issued < min_age {
        // UNCONFIRMED answer: the docs say a token must be at least 24
        // hours old, not what a younger one gets.
        return bad_param("the access token must be at least 24 hours old to be refreshed");
    }
    let ttl = long_lived_ttl(m);
    token_answer(&issue(m, &t.ig, &scopes, ttl, true), ttl)
}

/// The Graph routes for an Instagram Login token acting for `ig`.
pub(crate) async fn api(
    m: &M,
    listener: Platform,
    ig: &str,
    method: &Method,
    segs: &[&str],
    r: &Req,
) -> Response {
    let token = r.token().unwrap_or_default();
    if listener != Platform::Instagram {
        // graph.facebook.com does not know Instagram Login tokens.
        return crate::common::auth_error(Platform::Facebook, None);
    }
    if let Err(e) = crate::common::check_token(&m.ctx, Platform::Instagram, Some(&token)) {
        return e;
    }
    if let Some(given) = r.params.get("appsecret_proof") {
        let secret = &m.ctx.config.instagram_login_app.client_secret;
        if !given.eq_ignore_ascii_case(&proof(secret, &token)) {
            return graph_error(
                400,
                100,
                None,
                "GraphMethodException",
                "Invalid appsecret_proof provided in the API argument",
            );
        }
    }
    let caller = Caller::Instagram(ig);
    let who = |s: &str| {
        if s == "me" {
            ig.to_owned()
        } else {
            s.to_owned()
        }
    };
    match (method, segs) {
        (&Method::GET, ["me"]) => ok(pick(profile(m, ig), r.params.get("fields"))),
        (&Method::POST, [x, "media"]) => instagram::create(m, caller, &who(x), r).await,
        (&Method::GET, [x, "media"]) => instagram::list(m, caller, &who(x), r),
        (&Method::POST, [x, "media_publish"]) => instagram::publish(m, caller, &who(x), r),
        (&Method::GET, [x, "content_publishing_limit"]) => instagram::quota(m, caller, &who(x)),
        (&Method::POST, [media, "comments"]) => super::ig_comments::create(m, caller, media, r),
        (&Method::GET, [media, "comments"]) => super::ig_comments::list(m, caller, media, r),
        (&Method::GET, [id]) if *id == ig => ok(pick(profile(m, ig), r.params.get("fields"))),
        (&Method::GET, [id]) => instagram::read(m, caller, id).map_or_else(
            || unsupported(method, id),
            |v| ok(pick(v, r.params.get("fields"))),
        ),
        _ => graph_error(
            400,
            100,
            None,
            "GraphMethodException",
            &format!("Unknown path components: /{}", segs.join("/")),
        ),
    }
}
