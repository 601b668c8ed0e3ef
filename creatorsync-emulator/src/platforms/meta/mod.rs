//! Emulated Meta Graph API: Facebook Pages and Instagram (Instagram API with
//! Facebook Login). One shared state, served on two listeners so faults can
//! target either platform; both serve the same Graph routes, the Instagram
//! listener also serves the rupload paths and Instagram API with Instagram
//! Login ([`ig_login`]: its OAuth, and the content routes for its tokens).

// Handlers answer early with a ready `Response` (the framework's
// `check_token` does the same); boxing it would only add noise.
#![allow(clippy::result_large_err)]

mod checks;
mod fb_comments;
mod fetch;
mod ig_comments;
mod ig_login;
mod insights;
mod instagram;
mod oauth;
mod pages;
mod pages_manage;
mod reels;
mod request;
mod uploads;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use creatorsync_core::Platform;
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;

use crate::Ctx;
use crate::body::StreamHash;
use crate::calendar::{self, GraphVersion};
use crate::record::MediaRecord;

pub(crate) use request::Req;

/// Server-dictated chunk size of the legacy resumable video upload.
pub(crate) const VIDEO_CHUNK_SIZE: u64 = 4 << 20;
/// Page-level call budget per rolling hour before code 32 (UNCONFIRMED number).
pub(crate) const PAGE_CALLS_PER_HOUR: usize = 4800;
/// Window in which an identical page message is a duplicate (code 506; UNCONFIRMED).
pub(crate) const DUPLICATE_WINDOW_SECS: i64 = 600;
/// Lifetime of the short-lived user token from the code exchange.
pub(crate) const SHORT_LIVED_SECS: u64 = 7200;
/// Unpublished Instagram containers expire after this long.
pub(crate) const CONTAINER_TTL_SECS: i64 = 86_400;
/// Whether rupload calls must carry `appsecret_proof` (UNCONFIRMED: the
/// real rupload host takes only the `Authorization: OAuth` header; a proof
/// given as query parameter is still verified).
pub(crate) const RUPLOAD_REQUIRES_PROOF: bool = false;

/// What a Meta access token stands for.
#[derive(Clone, Debug)]
pub(crate) enum TokKind {
    /// A user token.
    User { user: String, long_lived: bool },
    /// A page token obtained through `user`'s token.
    Page { page: String, user: String },
}

/// A Facebook page post (text, link, photo(s) or video).
#[derive(Clone, Debug)]
pub(crate) struct FbPost {
    pub page: String,
    pub id: String,
    pub message: String,
    pub created: DateTime<Utc>,
    pub video: Option<String>,
    pub deleted: bool,
    /// A scheduled post goes live then (hidden from the feed until).
    pub scheduled_for: Option<DateTime<Utc>>,
    /// An unpublished post (`published=false` without a schedule): a
    /// draft only the Page's admins see, never in the feed.
    pub draft: bool,
}

/// An uploaded photo.
#[derive(Clone, Debug)]
pub(crate) struct Photo {
    pub page: String,
    pub media: MediaRecord,
    pub post: Option<String>,
    /// Its alt text (`alt_text_custom`).
    pub alt_text: Option<String>,
}

/// A video (simple or resumable upload).
#[derive(Clone, Debug)]
pub(crate) struct Video {
    pub page: String,
    pub id: String,
    pub session: String,
    pub file_size: u64,
    pub offset: u64,
    pub hash: StreamHash,
    /// When the upload completed (processing starts).
    pub done_at: Option<DateTime<Utc>>,
    pub failed: bool,
    pub post: Option<String>,
    /// A Page reel (`/video_reels`), not a Page video.
    pub reel: bool,
}

/// An Instagram media container.
#[derive(Clone, Debug)]
pub(crate) struct Container {
    pub ig: String,
    pub id: String,
    pub media_type: String,
    pub caption: String,
    pub carousel_item: bool,
    pub children: Vec<String>,
    pub created: DateTime<Utc>,
    pub media: Vec<MediaRecord>,
    /// When the media was complete (processing starts); None: awaiting upload.
    pub ready_from: Option<DateTime<Utc>>,
    /// (subcode, message) when processing failed.
    pub error: Option<(u64, String)>,
    pub published: Option<String>,
    /// Resumable upload: (file_size, received, running hash).
    pub upload: Option<(u64, u64, StreamHash)>,
    /// Image alt text (`alt_text`).
    pub alt_text: Option<String>,
    /// Trial reel graduation strategy (`trial_params`).
    pub trial: Option<String>,
}

/// A published Instagram media object.
#[derive(Clone, Debug)]
pub(crate) struct IgMedia {
    pub ig: String,
    pub id: String,
    pub shortcode: String,
    pub media_type: String,
    pub caption: String,
    pub created: DateTime<Utc>,
    pub permalink: String,
}

/// Mutable Meta state.
#[derive(Debug, Default)]
pub(crate) struct Inner {
    pub next_id: u64,
    pub tokens: HashMap<String, TokKind>,
    /// Instagram Login tokens -> what they stand for.
    pub ig_tokens: HashMap<String, ig_login::IgToken>,
    /// user token -> page tokens issued from it.
    pub page_tokens: HashMap<String, Vec<(String, String)>>,
    pub posts: HashMap<String, FbPost>,
    pub photos: HashMap<String, Photo>,
    pub videos: HashMap<String, Video>,
    pub containers: HashMap<String, Container>,
    pub media: HashMap<String, IgMedia>,
    pub page_calls: HashMap<String, Vec<DateTime<Utc>>>,
    pub ig_publishes: HashMap<String, Vec<DateTime<Utc>>>,
    /// Resumable Upload API sessions by id (without `upload:`).
    pub uploads: HashMap<String, uploads::FileUpload>,
    /// Page -> reels published in the rolling window.
    pub reel_publishes: HashMap<String, Vec<DateTime<Utc>>>,
}

impl Inner {
    /// A fresh numeric id.
    pub(crate) fn id(&mut self, base: u64) -> String {
        self.next_id += 1;
        (base + self.next_id).to_string()
    }
}

/// The Meta state both listeners share.
#[derive(Debug)]
pub(crate) struct Meta {
    pub ctx: Ctx,
    pub inner: Mutex<Inner>,
    pub http: reqwest::Client,
}

/// Shared handle.
pub(crate) type M = Arc<Meta>;

impl Meta {
    /// Locks the state.
    pub(crate) fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Now on the emulator clock.
    pub(crate) fn now(&self) -> DateTime<Utc> {
        self.ctx.clock.now()
    }
}

/// The Facebook and Instagram routers.
pub(crate) fn routers(ctx: Ctx) -> (Router, Router) {
    let m: M = Arc::new(Meta {
        ctx,
        inner: Mutex::new(Inner::default()),
        http: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap_or_default(),
    });
    let fb = Router::new()
        .fallback(move |State(m): State<M>, req: Request| handle(m, Platform::Facebook, req))
        .with_state(m.clone());
    let ig = Router::new()
        .fallback(move |State(m): State<M>, req: Request| handle(m, Platform::Instagram, req))
        .with_state(m);
    (fb, ig)
}

/// A Graph error answer.
pub(crate) fn graph_error(
    status: u16,
    code: u64,
    subcode: Option<u64>,
    kind: &str,
    message: &str,
) -> Response {
    let mut e = json!({"message": message, "type": kind, "code": code, "fbtrace_id": crate::tokens::random_token("A", 8)});
    if let Some(s) = subcode {
        e["error_subcode"] = json!(s);
    }
    (
        StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST),
        axum::Json(json!({ "error": e })),
    )
        .into_response()
}

/// `(#100)` invalid parameter.
pub(crate) fn bad_param(message: &str) -> Response {
    graph_error(
        400,
        100,
        None,
        "OAuthException",
        &format!("(#100) {message}"),
    )
}

/// Unknown / invisible object or unsupported operation on it.
pub(crate) fn unsupported(method: &Method, id: &str) -> Response {
    let verb = match *method {
        Method::DELETE => "delete",
        Method::POST => "post",
        _ => "get",
    };
    graph_error(
        400,
        100,
        Some(33),
        "GraphMethodException",
        &format!(
            "Unsupported {verb} request. Object with ID '{id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation. Please read the Graph API documentation at https://developers.facebook.com/docs/graph-api"
        ),
    )
}

/// JSON 200.
pub(crate) fn ok(v: Value) -> Response {
    (StatusCode::OK, axum::Json(v)).into_response()
}

/// Keeps only the requested `fields` (always `id`) of an object.
pub(crate) fn pick(obj: Value, fields: Option<&String>) -> Value {
    let Some(fields) = fields.filter(|f| !f.is_empty()) else {
        return obj;
    };
    let Value::Object(map) = obj else { return obj };
    let wanted: Vec<&str> = fields
        .split(',')
        .map(|f| f.split('{').next().unwrap_or(f).trim())
        .collect();
    Value::Object(
        map.into_iter()
            .filter(|(k, _)| k == "id" || wanted.contains(&k.as_str()))
            .collect(),
    )
}

/// hex(HMAC-SHA256(app_secret, token)).
pub(crate) fn proof(secret: &str, token: &str) -> String {
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.as_bytes()) else {
        return String::new();
    };
    mac.update(token.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

fn is_version(s: &str) -> bool {
    s.strip_prefix('v')
        .and_then(|r| r.split_once('.'))
        .is_some_and(|(a, b)| {
            !a.is_empty()
                && a.bytes().all(|c| c.is_ascii_digit())
                && b.bytes().all(|c| c.is_ascii_digit())
        })
}

/// Header naming the Graph version that answered (real Graph sends it).
const API_VERSION_HEADER: &str = "facebook-api-version";

/// Where a path's Graph version stands: served as asked, served as another
/// (expired: Meta serves the oldest live version), or refused.
fn version_policy(m: &M, asked: &str) -> Result<Option<String>, Response> {
    let deprecated = || {
        graph_error(
            400,
            2635,
            None,
            "OAuthException",
            &format!(
                "(#2635) You are calling a deprecated version of the Graph API. Please update to the latest version: {}.",
                calendar::newest_graph_version(m.now().date_naive())
            ),
        )
    };
    if m.ctx.config.retired_graph_versions.contains(asked) {
        return Err(deprecated());
    }
    match calendar::graph_version(asked, m.now().date_naive()) {
        GraphVersion::Live => Ok(None),
        GraphVersion::Expired { .. } if m.ctx.config.graph_expired_refuse => Err(deprecated()),
        GraphVersion::Expired { served } => Ok(Some(served)),
        // UNCONFIRMED shape: no public capture of Graph's answer to a
        // version that does not exist yet was found.
        GraphVersion::Unreleased => Err(graph_error(
            400,
            2635,
            None,
            "OAuthException",
            &format!("(#2635) Unsupported version: {asked}"),
        )),
    }
}

async fn handle(m: M, listener: Platform, req: Request) -> Response {
    let asked = req
        .uri()
        .path()
        .split('/')
        .find(|s| !s.is_empty())
        .filter(|s| is_version(s))
        .map(str::to_owned);
    let Some(asked) = asked else {
        return graph(m, listener, req, None).await;
    };
    let served = match version_policy(&m, &asked) {
        Ok(served) => served,
        Err(refused) => return refused,
    };
    let mut resp = graph(m, listener, req, served.clone()).await;
    let headers = resp.headers_mut();
    let answered = served.as_deref().unwrap_or(&asked);
    if let Ok(v) = HeaderValue::from_str(answered) {
        headers.insert(API_VERSION_HEADER, v.clone());
        if served.is_some() {
            headers.insert(crate::record::VERSION_SERVED_HEADER, v);
        }
    }
    resp
}

/// The Graph routes. `served`: the version answering instead of the
/// path's (an expired version's replacement).
async fn graph(m: M, listener: Platform, req: Request, served: Option<String>) -> Response {
    let path = req.uri().path().to_owned();
    let mut segs: Vec<String> = path
        .split('/')
        .filter(|s| !s.is_empty())
        .map(|s| {
            percent_encoding::percent_decode_str(s)
                .decode_utf8_lossy()
                .into_owned()
        })
        .collect();
    if listener == Platform::Instagram && segs.first().map(String::as_str) == Some("ig-api-upload")
    {
        return instagram::rupload(m, req, segs).await;
    }
    if listener == Platform::Facebook && segs.first().map(String::as_str) == Some("video-upload") {
        return reels::rupload(m, req, &segs).await;
    }
    let version = segs.first().filter(|s| is_version(s)).cloned();
    if version.is_some() {
        segs.remove(0);
    }
    let method = req.method().clone();
    let s: Vec<&str> = segs.iter().map(String::as_str).collect();
    // The Resumable Upload API's byte transfer: a raw body, read here.
    if let [session] = s.as_slice()
        && session.starts_with("upload:")
    {
        let session = (*session).to_owned();
        return uploads::transfer(m, req, &session).await;
    }
    if listener == Platform::Instagram
        && let Some(route) = ig_login::Route::of(&method, &s, version.is_some())
    {
        return ig_login::oauth(&m, route, req).await;
    }
    // Endpoints called without a user token.
    match (&method, s.as_slice()) {
        (&Method::GET, ["dialog", "oauth"]) => return oauth::dialog(&m, &req),
        (_, ["oauth", "access_token"]) => {
            let r = match Req::parse(&m, req).await {
                Ok(r) => r,
                Err(e) => return e,
            };
            return oauth::access_token(&m, &r);
        }
        _ => {}
    }
    let mut r = match Req::parse(&m, req).await {
        Ok(r) => r,
        Err(e) => return e,
    };
    if let Some(v) = served.or(version) {
        r.version = v;
    }
    if s.as_slice() == ["debug_token"] {
        return oauth::debug_token(&m, &r);
    }
    if let Some(ig) = r.token().and_then(|t| ig_login::account_of(&m, &t)) {
        return ig_login::api(&m, listener, &ig, &method, &s, &r).await;
    }
    let caller = instagram::Caller::Meta;
    let (token, kind) = match r.authenticate(&m) {
        Ok(t) => t,
        Err(e) => return e,
    };
    match (&method, s.as_slice()) {
        (&Method::GET, []) if r.params.contains_key("ids") => {
            insights::multi(&m, listener, &kind, &r)
        }
        (&Method::GET, ["me"]) => oauth::me(&m, &kind, &r),
        (&Method::GET, ["me", "accounts"]) => oauth::accounts(&m, &token, &kind),
        (&Method::GET, ["me", "permissions"]) => oauth::permissions(&m, &token),
        (&Method::DELETE, [user, "permissions", ..]) => oauth::revoke(&m, &kind, user),
        (&Method::POST, [page, "feed"]) => pages::create_post(&m, &kind, page, &r),
        (&Method::GET, [page, "feed"]) => pages::list_feed(&m, &kind, page, &r, false),
        (&Method::GET, [page, "scheduled_posts"]) => pages::list_feed(&m, &kind, page, &r, true),
        (&Method::POST, [page, "photos"]) => pages::photo(&m, &kind, page, &r).await,
        (&Method::POST, [page, "videos"]) => pages::video(&m, &kind, page, &r).await,
        (&Method::POST, [page, "video_reels"]) => pages::video_reels(&m, &kind, page, &r),
        (&Method::POST, [app, "uploads"]) => uploads::start(&m, &kind, app, &r),
        (&Method::POST, [ig, "media"]) => instagram::create(&m, caller(&kind), ig, &r).await,
        (&Method::GET, [ig, "media"]) => instagram::list(&m, caller(&kind), ig, &r),
        (&Method::POST, [ig, "media_publish"]) => instagram::publish(&m, caller(&kind), ig, &r),
        (&Method::GET, [ig, "content_publishing_limit"]) => instagram::quota(&m, caller(&kind), ig),
        (&Method::POST, [post, "comments"]) if listener == Platform::Facebook => {
            fb_comments::create(&m, &kind, post, &r)
        }
        (&Method::GET, [post, "comments"]) if listener == Platform::Facebook => {
            fb_comments::list(&m, &kind, post, &r)
        }
        (&Method::POST, [media, "comments"]) if listener == Platform::Instagram => {
            ig_comments::create(&m, caller(&kind), media, &r)
        }
        (&Method::GET, [media, "comments"]) if listener == Platform::Instagram => {
            ig_comments::list(&m, caller(&kind), media, &r)
        }
        (&Method::GET, [id]) => read_object(&m, &kind, id, &r),
        (&Method::DELETE, [id]) => pages::delete(&m, &kind, id),
        (&Method::POST, [id]) => pages_manage::update(&m, &kind, id, &r),
        _ => graph_error(
            400,
            100,
            None,
            "GraphMethodException",
            &format!("Unknown path components: /{}", segs.join("/")),
        ),
    }
}

fn read_object(m: &M, kind: &TokKind, id: &str, r: &Req) -> Response {
    if let Some(v) = oauth::read_identity(m, kind, id) {
        return ok(pick(v, r.params.get("fields")));
    }
    if let Some(v) = pages::read(m, kind, id) {
        return ok(pick(v, r.params.get("fields")));
    }
    if let Some(v) = instagram::read(m, instagram::Caller::Meta(kind), id) {
        return ok(pick(v, r.params.get("fields")));
    }
    if let Some(v) = fb_comments::read(m, kind, id) {
        return ok(pick(v, r.params.get("fields")));
    }
    unsupported(&Method::GET, id)
}

/// The user a token acts for.
pub(crate) fn user_of(kind: &TokKind) -> &str {
    match kind {
        TokKind::User { user, .. } | TokKind::Page { user, .. } => user,
    }
}

/// Pages (id, name, ig) the user manages.
pub(crate) fn pages_of(m: &M, user: &str) -> Vec<crate::config::PageIdentity> {
    m.ctx
        .config
        .identity(Platform::Facebook)
        .filter(|i| i.id == user)
        .map(|i| i.pages.clone())
        .unwrap_or_default()
}

/// Whether the token may act on `page` (its page token, or a user token of
/// a manager when `user_ok`).
pub(crate) fn may_act(m: &M, kind: &TokKind, page: &str, user_ok: bool) -> bool {
    match kind {
        TokKind::Page { page: p, .. } => p == page,
        TokKind::User { user, .. } => user_ok && pages_of(m, user).iter().any(|p| p.id == page),
    }
}

/// The page an Instagram account is linked to (for the token's user).
pub(crate) fn page_of_ig(m: &M, kind: &TokKind, ig: &str) -> Option<String> {
    pages_of(m, user_of(kind))
        .into_iter()
        .find(|p| p.instagram.as_ref().is_some_and(|(id, _)| id == ig))
        .map(|p| p.id)
}

/// `(#200)` permission error.
pub(crate) fn no_permission(message: &str) -> Response {
    graph_error(
        400,
        200,
        None,
        "OAuthException",
        &format!("(#200) {message}"),
    )
}
