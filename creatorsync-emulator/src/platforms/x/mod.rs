//! Emulated X API (shared/platforms.md §1, contract.md): OAuth 2.0 with
//! PKCE and rotating refresh tokens, OAuth 1.0a with exact RFC 5849
//! signature checks, chunked media upload with a processing state
//! machine, posts, and the `x-rate-limit-*` headers.

#![allow(clippy::result_large_err)] // handlers pass ready-made axum responses up as errors

mod analytics;
mod media;
mod oauth1;
mod oauth2;
mod sign;
mod tweets;
mod upload;

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use creatorsync_core::Platform;
use serde_json::{Value, json};

use crate::Ctx;
use crate::config::Identity;

/// Length of X's rate-limit windows (15 minutes).
const WINDOW_SECS: i64 = 900;
/// Length of X's per-app daily windows.
const DAY_SECS: i64 = 86_400;
/// The window key of app-wide budgets (never a user id: those are numeric).
const APP: &str = "@app";
/// `x-rate-limit-limit` advertised on routes without their own limit
/// (UNCONFIRMED: X publishes per-endpoint numbers per tier).
const DEFAULT_ROUTE_LIMIT: u64 = 900;

/// X state (tokens live in the shared registry; OAuth 1.0a tokens here).
#[derive(Debug)]
pub(crate) struct X {
    ctx: Ctx,
    oauth1: oauth1::Store,
    media: Mutex<HashMap<String, media::Media>>,
    next_id: AtomicU64,
    /// Fixed windows per (route, user): (window start unix, calls).
    windows: Mutex<HashMap<(String, String), (i64, u64)>>,
}

type St = State<Arc<X>>;

impl X {
    /// A fresh snowflake-like id (19 digits, increasing).
    fn id(&self) -> String {
        (1_880_028_106_020_515_840 + self.next_id.fetch_add(1, Ordering::SeqCst)).to_string()
    }

    /// The user behind an id (seeded identity or a synthetic one).
    fn user(&self, id: &str) -> Identity {
        match self.ctx.config.identity(Platform::X) {
            Some(i) if i.id == id => i.clone(),
            _ => Identity {
                id: id.to_owned(),
                username: format!("user_{id}"),
                name: format!("User {id}"),
                organizations: Vec::new(),
                pages: Vec::new(),
            },
        }
    }

    /// The login user of the authorize pages.
    fn login_user(&self) -> (String, bool) {
        let (user, deny) = self.ctx.logins.get(Platform::X);
        let id = user
            .or_else(|| self.ctx.config.identity(Platform::X).map(|i| i.id.clone()))
            .unwrap_or_else(|| "2244994945".to_owned());
        (id, deny)
    }

    /// Counts one call of `route` by `user` in its 15-minute window:
    /// Ok((limit, remaining, reset)) or Err(reset) when over `limit`.
    fn count(&self, route: &str, user: &str, limit: u64) -> Result<(u64, u64, i64), i64> {
        self.count_in(route, user, limit, WINDOW_SECS)
    }

    /// Like [`X::count`] for a window of `window` seconds.
    fn count_in(
        &self,
        route: &str,
        user: &str,
        limit: u64,
        window: i64,
    ) -> Result<(u64, u64, i64), i64> {
        let now = self.ctx.clock.unix();
        let mut w = self
            .windows
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let e = w
            .entry((route.to_owned(), user.to_owned()))
            .or_insert((now, 0));
        if now >= e.0 + window {
            *e = (now, 0);
        }
        let reset = e.0 + window;
        if e.1 >= limit {
            return Err(reset);
        }
        e.1 += 1;
        Ok((limit, limit - e.1, reset))
    }
}

/// The X router.
pub(crate) fn router(ctx: Ctx) -> Router {
    let x = Arc::new(X {
        ctx: ctx.clone(),
        oauth1: oauth1::Store::default(),
        media: Mutex::default(),
        next_id: AtomicU64::new(0),
        windows: Mutex::default(),
    });
    Router::new()
        .route("/i/oauth2/authorize", get(oauth2::authorize))
        .route("/2/oauth2/token", post(oauth2::token))
        .route("/2/oauth2/revoke", post(oauth2::revoke))
        .route("/oauth/request_token", post(oauth1::request_token))
        .route("/oauth/authorize", get(oauth1::authorize))
        .route("/oauth/authenticate", get(oauth1::authorize))
        .route("/oauth/access_token", post(oauth1::access_token))
        .route("/2/users/me", get(users_me))
        .route("/2/media/upload/initialize", post(upload::initialize))
        .route("/2/media/upload/{id}/append", post(upload::append))
        .route("/2/media/upload/{id}/finalize", post(upload::finalize))
        .route("/2/media/upload", get(upload::status))
        .route("/2/media/metadata", post(upload::metadata))
        .route("/2/media/analytics", get(analytics::media))
        .route(
            "/1.1/media/upload.json",
            get(upload::v1_status).post(upload::v1_command),
        )
        .route("/2/tweets", post(tweets::create).get(analytics::lookup))
        .route("/2/tweets/{id}", get(tweets::get).delete(tweets::remove))
        .route("/2/users/{id}/tweets", get(tweets::timeline))
        .with_state(x)
        .fallback_service(super::not_found(Platform::X))
        .layer(axum::middleware::from_fn_with_state(ctx, rate_headers))
}

/// Adds `x-rate-limit-*` to every answer that does not carry its own.
async fn rate_headers(State(ctx): State<Ctx>, req: Request, next: Next) -> Response {
    let mut resp = next.run(req).await;
    let h = resp.headers_mut();
    if !h.contains_key("x-rate-limit-limit") {
        let reset = ctx.clock.unix() + WINDOW_SECS;
        set_rate(h, DEFAULT_ROUTE_LIMIT, DEFAULT_ROUTE_LIMIT - 1, reset);
    }
    resp
}

fn set_rate(h: &mut HeaderMap, limit: u64, remaining: u64, reset: i64) {
    set_limit_headers(h, "x-rate-limit", limit, remaining, reset);
}

/// Sets `{prefix}-limit`, `-remaining` and `-reset` (X's header families:
/// `x-rate-limit`, `x-app-limit-24hour`, `x-user-limit-24hour`).
fn set_limit_headers(h: &mut HeaderMap, prefix: &str, limit: u64, remaining: u64, reset: i64) {
    let v = |n: String| HeaderValue::from_str(&n).unwrap_or(HeaderValue::from_static("0"));
    for (suffix, value) in [
        ("limit", limit.to_string()),
        ("remaining", remaining.to_string()),
        ("reset", reset.to_string()),
    ] {
        if let Ok(name) = axum::http::HeaderName::try_from(format!("{prefix}-{suffix}")) {
            h.insert(name, v(value));
        }
    }
}

/// X v2's 429 with the headers of the window that ran out.
fn too_many(prefix: &str, limit: u64, reset: i64) -> Response {
    let mut r = problem(
        StatusCode::TOO_MANY_REQUESTS,
        "Too Many Requests",
        "Too Many Requests",
    );
    set_limit_headers(r.headers_mut(), prefix, limit, 0, reset);
    r
}

/// Counts a media upload call (`route`) by `user` in its 15-minute window
/// (X: 1,875 per user per endpoint); the 429 when over.
fn count_media(x: &X, route: &str, user: &str) -> Result<(u64, u64, i64), Response> {
    let limit = x.ctx.config.x_media_per_window;
    x.count(route, user, limit)
        .map_err(|reset| too_many("x-rate-limit", limit, reset))
}

/// An RFC 7807 problem answer (X API v2 error shape).
fn problem(status: StatusCode, title: &str, detail: &str) -> Response {
    (
        status,
        axum::Json(json!({"title": title, "detail": detail, "type": "about:blank", "status": status.as_u16()})),
    )
        .into_response()
}

/// X v2's 400 "Invalid Request" with the parameter at fault.
fn invalid(parameter: &str, message: &str) -> Response {
    (
        StatusCode::BAD_REQUEST,
        axum::Json(json!({
            "errors": [{"parameters": {parameter: []}, "message": message}],
            "title": "Invalid Request",
            "detail": "One or more parameters to your request was invalid.",
            "type": "https://api.twitter.com/2/problems/invalid-request"
        })),
    )
        .into_response()
}

/// A v1.1-style error (`{"errors":[{"code","message"}]}`).
fn v1_error(status: StatusCode, code: u32, message: &str) -> Response {
    (
        status,
        axum::Json(json!({"errors": [{"code": code, "message": message}]})),
    )
        .into_response()
}

/// The caller of an API route: a valid OAuth 2.0 bearer or a valid
/// OAuth 1.0a signature (then `form` holds the signed form body, if any).
fn caller(
    x: &X,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    form: Option<&str>,
) -> Result<String, Response> {
    let auth = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if let Some(params) = sign::parse_header(auth) {
        let ok = oauth1::verify(x, method, uri, headers, &params, form)?;
        return match ok.access_user {
            Some(u) => Ok(u),
            None => Err(v1_error(
                StatusCode::UNAUTHORIZED,
                89,
                "Invalid or expired token.",
            )),
        };
    }
    crate::common::check_bearer(&x.ctx, Platform::X, headers).map(|t| t.subject)
}

/// With an OAuth 2.0 bearer, requires `scope` (OAuth 1.0a carries the
/// app's permissions instead of scopes and passes).
fn require_scope(x: &X, headers: &HeaderMap, scope: &str) -> Result<(), Response> {
    let Some(token) = crate::common::bearer(headers) else {
        return Ok(());
    };
    match x.ctx.tokens.check(Platform::X, &token, x.ctx.clock.now()) {
        Ok(t) if !t.scopes.iter().any(|s| s == scope) => Err(problem(
            StatusCode::FORBIDDEN,
            "Forbidden",
            &format!("Missing required OAuth 2.0 scope: {scope}"),
        )),
        _ => Ok(()),
    }
}

async fn users_me(State(x): St, method: Method, uri: Uri, headers: HeaderMap) -> Response {
    let id = match caller(&x, &method, &uri, &headers, None) {
        Ok(id) => id,
        Err(r) => return r,
    };
    let u = x.user(&id);
    axum::Json(json!({"data": {"id": u.id, "name": u.name, "username": u.username}}))
        .into_response()
}

/// Parses a JSON body or answers X's 400.
fn json_body(body: &[u8]) -> Result<Value, Response> {
    serde_json::from_slice(body).map_err(|e| {
        problem(
            StatusCode::BAD_REQUEST,
            "Invalid Request",
            &format!("Request body is not valid JSON: {e}"),
        )
    })
}
