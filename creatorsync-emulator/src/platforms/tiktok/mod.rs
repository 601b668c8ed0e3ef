//! Emulated TikTok Login Kit v2 and Content Posting API (shared/platforms.md
//! §6): OAuth with rotating refresh tokens, user info, creator info, video
//! (direct and inbox) and photo init, chunked FILE_UPLOAD, PULL_FROM_URL,
//! the publish status machine, the video list, and per-token rate limits.

#![allow(clippy::result_large_err)] // axum Responses are the natural error type of handlers.

mod analytics;
mod oauth;
mod publish;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use axum::Json;
use axum::Router;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use chrono::{DateTime, Utc};
use creatorsync_core::Platform;
use serde_json::{Map, Value, json};

use crate::{Ctx, TokenInfo, check_bearer, form, random_token};

/// Per-emulator TikTok state.
#[derive(Debug)]
pub(crate) struct Tt {
    ctx: Ctx,
    inner: Mutex<Inner>,
}

#[derive(Debug, Default)]
pub(crate) struct Inner {
    publishes: HashMap<String, publish::Publish>,
    /// (endpoint, token) -> call instants within the last minute.
    calls: HashMap<(&'static str, String), Vec<DateTime<Utc>>>,
    /// creator -> direct-post inits within the last 24 hours.
    direct_posts: HashMap<String, Vec<DateTime<Utc>>>,
}

type St = Arc<Tt>;

impl Tt {
    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Counts a call of `endpoint` with the request's token; 429 beyond `limit` per minute.
    fn rate(&self, endpoint: &'static str, token: &str, limit: usize) -> Result<(), Response> {
        let now = self.ctx.clock.now();
        let mut inner = self.lock();
        let calls = inner.calls.entry((endpoint, token.to_owned())).or_default();
        calls.retain(|t| now - *t < chrono::Duration::minutes(1));
        if calls.len() >= limit {
            drop(inner);
            self.ctx.record.bump("tiktok.rate_limited");
            return Err(tt_err(
                429,
                "rate_limit_exceeded",
                "The API rate limit was exceeded. Please try again later.",
            ));
        }
        calls.push(now);
        Ok(())
    }

    /// Counts a direct post of `creator`; `spam_risk_too_many_posts` beyond
    /// the daily cap (HTTP status UNCONFIRMED: TikTok documents the code).
    fn direct_post(&self, creator: &str) -> Result<(), Response> {
        let now = self.ctx.clock.now();
        let mut inner = self.lock();
        let posts = inner.direct_posts.entry(creator.to_owned()).or_default();
        posts.retain(|t| now - *t < chrono::Duration::hours(24));
        if posts.len() as u64 >= self.ctx.config.tiktok_direct_posts_per_day {
            return Err(tt_err(
                403,
                "spam_risk_too_many_posts",
                "The daily post cap for this creator has been reached.",
            ));
        }
        posts.push(now);
        Ok(())
    }

    /// Bearer check, scope check and rate limit in one.
    fn authorize(
        &self,
        headers: &HeaderMap,
        scope: Option<&str>,
        limit: Option<(&'static str, usize)>,
    ) -> Result<TokenInfo, Response> {
        let info = check_bearer(&self.ctx, Platform::TikTok, headers)?;
        if let Some(s) = scope
            && !info.scopes.iter().any(|g| g == s)
        {
            return Err(tt_err(
                401,
                "scope_not_authorized",
                &format!(
                    "The user did not authorize the scope required for completing this request: {s}."
                ),
            ));
        }
        if let Some((ep, n)) = limit {
            let token = crate::bearer(headers).unwrap_or_default();
            self.rate(ep, &token, n)?;
        }
        Ok(info)
    }
}

/// A TikTok log id.
pub(crate) fn log_id() -> String {
    format!(
        "{}{}",
        chrono::Utc::now().format("%Y%m%d%H%M%S"),
        random_token("", 9)
            .to_ascii_uppercase()
            .replace(['-', '_'], "0")
    )
}

/// The success envelope.
pub(crate) fn ok(data: Value) -> Response {
    Json(json!({"data": data, "error": {"code": "ok", "message": "", "log_id": log_id()}}))
        .into_response()
}

/// An error envelope.
pub(crate) fn tt_err(status: u16, code: &str, message: &str) -> Response {
    (
        StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST),
        Json(json!({"data": {}, "error": {"code": code, "message": message, "log_id": log_id()}})),
    )
        .into_response()
}

/// (open_id, username, display name) of a subject.
pub(crate) fn user_of(ctx: &Ctx, subject: &str) -> (String, String, String) {
    match ctx.config.identity(Platform::TikTok) {
        Some(i) if i.id == subject => (i.id.clone(), i.username.clone(), i.name.clone()),
        _ => (subject.to_owned(), subject.to_owned(), subject.to_owned()),
    }
}

/// GET /v2/user/info/?fields=...
async fn user_info(State(st): State<St>, RawQuery(q): RawQuery, headers: HeaderMap) -> Response {
    let info = match st.authorize(&headers, Some("user.info.basic"), None) {
        Ok(i) => i,
        Err(r) => return r,
    };
    let q = form(q.as_deref().unwrap_or(""));
    let Some(fields) = q.get("fields").filter(|f| !f.is_empty()) else {
        return tt_err(400, "invalid_params", "fields is required");
    };
    let (open_id, username, name) = user_of(&st.ctx, &info.subject);
    let all = json!({
        "open_id": open_id,
        "union_id": format!("union-{open_id}"),
        "display_name": name,
        "username": username,
        "avatar_url": format!("https://p16-sign.tiktokcdn-us.com/avatar/{open_id}.jpeg"),
    });
    let mut user = Map::new();
    for f in fields.split(',').map(str::trim) {
        if let Some(v) = all.get(f) {
            user.insert(f.to_owned(), v.clone());
        }
    }
    ok(json!({"user": Value::Object(user)}))
}

/// The TikTok router.
pub(crate) fn router(ctx: Ctx) -> Router {
    let st: St = Arc::new(Tt {
        ctx,
        inner: Mutex::new(Inner::default()),
    });
    Router::new()
        .route("/v2/auth/authorize/", get(oauth::authorize))
        .route("/v2/oauth/token/", post(oauth::token))
        .route("/v2/oauth/revoke/", post(oauth::revoke))
        .route("/v2/user/info/", get(user_info))
        .route(
            "/v2/post/publish/creator_info/query/",
            post(publish::creator_info),
        )
        .route("/v2/post/publish/video/init/", post(publish::video_init))
        .route(
            "/v2/post/publish/inbox/video/init/",
            post(publish::inbox_init),
        )
        .route(
            "/v2/post/publish/content/init/",
            post(publish::content_init),
        )
        .route("/v2/post/publish/status/fetch/", post(publish::status))
        .route(
            "/v2/video/list/",
            get(publish::video_list).post(publish::video_list),
        )
        .route("/v2/video/query/", post(analytics::video_query))
        .route("/upload/video/", put(publish::upload))
        .with_state(st)
        .merge(super::not_found(Platform::TikTok))
}
