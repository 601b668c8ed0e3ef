//! The control API: inspect what was published and steer the emulator
//! (faults, clock, tokens, login user) over HTTP, for the Python and Node
//! suites and anyone driving the binary.
//!
//! | method + path | body | effect |
//! |---|---|---|
//! | GET `/posts[?platform=x]` | | published posts (incl. deleted) |
//! | GET `/chunks?platform=youtube` | | received upload chunks |
//! | GET `/requests[?since=N][&platform=x]` | | requests received (seq >= N), in arrival order |
//! | GET `/requests/mark` | | `{"mark":N}`: the seq the next request gets |
//! | GET `/stats` | | counters + refresh counts per platform |
//! | POST `/faults/{platform}` | a [`Fault`] | add a fault rule |
//! | DELETE `/faults/{platform}` | | clear the platform's faults |
//! | POST `/clock/advance` | `{"seconds":N}` | move the clock |
//! | POST `/tokens/{platform}/expire` | `{"subject":..?}` | expire access tokens now |
//! | POST `/tokens/{platform}/revoke` | `{"subject":..?}` | revoke all tokens |
//! | POST `/login/{platform}` | `{"user":..?,"deny":bool}` | who approves / deny consent |
//! | POST `/hosts/unreachable` | `{"host":"127.0.0.1:P","unreachable":true}` | media fetches fail |

use std::collections::BTreeMap;
use std::time::Duration;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use creatorsync_core::Platform;
use serde::Deserialize;
use serde_json::json;

use crate::Ctx;
use crate::faults::Fault;

fn platform(s: &str) -> Result<Platform, Response> {
    s.parse::<Platform>().map_err(|e| {
        (
            StatusCode::BAD_REQUEST,
            Json(json!({"error": e.to_string()})),
        )
            .into_response()
    })
}

#[derive(Deserialize)]
struct PlatformQuery {
    platform: Option<String>,
}

async fn posts(State(ctx): State<Ctx>, Query(q): Query<PlatformQuery>) -> Response {
    let all = ctx.record.posts();
    match q.platform.as_deref().map(platform).transpose() {
        Ok(Some(p)) => Json(
            all.into_iter()
                .filter(|x| x.platform == p)
                .collect::<Vec<_>>(),
        )
        .into_response(),
        Ok(None) => Json(all).into_response(),
        Err(e) => e,
    }
}

async fn chunks(State(ctx): State<Ctx>, Query(q): Query<PlatformQuery>) -> Response {
    match q.platform.as_deref().map(platform).transpose() {
        Ok(Some(p)) => Json(ctx.record.chunks_for(p)).into_response(),
        Ok(None) => (
            StatusCode::BAD_REQUEST,
            Json(json!({"error": "platform query parameter required"})),
        )
            .into_response(),
        Err(e) => e,
    }
}

#[derive(Deserialize)]
struct RequestsQuery {
    #[serde(default)]
    since: u64,
    platform: Option<String>,
}

async fn requests(State(ctx): State<Ctx>, Query(q): Query<RequestsQuery>) -> Response {
    let all = ctx.record.requests_since(q.since);
    match q.platform.as_deref().map(platform).transpose() {
        Ok(Some(p)) => Json(
            all.into_iter()
                .filter(|r| r.platform == p)
                .collect::<Vec<_>>(),
        )
        .into_response(),
        Ok(None) => Json(all).into_response(),
        Err(e) => e,
    }
}

async fn mark(State(ctx): State<Ctx>) -> Response {
    Json(json!({"mark": ctx.record.mark()})).into_response()
}

async fn stats(State(ctx): State<Ctx>) -> Response {
    let refreshes: BTreeMap<String, u64> = Platform::ALL
        .iter()
        .map(|p| (p.as_str().to_owned(), ctx.tokens.refresh_count(*p)))
        .collect();
    Json(json!({"counters": ctx.record.counters(), "refreshes": refreshes})).into_response()
}

async fn add_fault(
    State(ctx): State<Ctx>,
    Path(p): Path<String>,
    Json(fault): Json<Fault>,
) -> Response {
    match platform(&p) {
        Ok(p) => {
            ctx.faults.inject(p, fault);
            StatusCode::NO_CONTENT.into_response()
        }
        Err(e) => e,
    }
}

async fn clear_faults(State(ctx): State<Ctx>, Path(p): Path<String>) -> Response {
    match platform(&p) {
        Ok(p) => {
            ctx.faults.clear(p);
            StatusCode::NO_CONTENT.into_response()
        }
        Err(e) => e,
    }
}

#[derive(Deserialize)]
struct Advance {
    seconds: u64,
}

async fn advance(State(ctx): State<Ctx>, Json(a): Json<Advance>) -> Response {
    ctx.clock.advance(Duration::from_secs(a.seconds));
    Json(json!({"now": ctx.clock.now()})).into_response()
}

#[derive(Deserialize, Default)]
struct Subject {
    subject: Option<String>,
}

async fn expire(
    State(ctx): State<Ctx>,
    Path(p): Path<String>,
    body: Option<Json<Subject>>,
) -> Response {
    match platform(&p) {
        Ok(p) => {
            let s = body.map(|Json(s)| s).unwrap_or_default();
            let n = ctx
                .tokens
                .expire_now(p, s.subject.as_deref(), ctx.clock.now());
            Json(json!({"expired": n})).into_response()
        }
        Err(e) => e,
    }
}

async fn revoke(
    State(ctx): State<Ctx>,
    Path(p): Path<String>,
    body: Option<Json<Subject>>,
) -> Response {
    match platform(&p) {
        Ok(p) => {
            let s = body.map(|Json(s)| s).unwrap_or_default();
            Json(json!({"revoked": ctx.tokens.revoke_all(p, s.subject.as_deref())})).into_response()
        }
        Err(e) => e,
    }
}

#[derive(Deserialize)]
struct Login {
    user: Option<String>,
    #[serde(default)]
    deny: bool,
}

async fn login(State(ctx): State<Ctx>, Path(p): Path<String>, Json(l): Json<Login>) -> Response {
    match platform(&p) {
        Ok(p) => {
            ctx.logins.set(p, l.user, l.deny);
            StatusCode::NO_CONTENT.into_response()
        }
        Err(e) => e,
    }
}

#[derive(Deserialize)]
struct Unreachable {
    host: String,
    #[serde(default = "yes")]
    unreachable: bool,
}

fn yes() -> bool {
    true
}

async fn unreachable(State(ctx): State<Ctx>, Json(u): Json<Unreachable>) -> Response {
    ctx.faults.set_host_unreachable(u.host, u.unreachable);
    StatusCode::NO_CONTENT.into_response()
}

/// The control router.
pub(crate) fn router(ctx: Ctx) -> Router {
    Router::new()
        .route("/posts", get(posts))
        .route("/chunks", get(chunks))
        .route("/requests", get(requests))
        .route("/requests/mark", get(mark))
        .route("/stats", get(stats))
        .route("/faults/{platform}", post(add_fault).delete(clear_faults))
        .route("/clock/advance", post(advance))
        .route("/tokens/{platform}/expire", post(expire))
        .route("/tokens/{platform}/revoke", post(revoke))
        .route("/login/{platform}", post(login))
        .route("/hosts/unreachable", post(unreachable))
        .with_state(ctx)
}
