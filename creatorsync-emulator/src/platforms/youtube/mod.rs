//! Emulated YouTube Data API v3 and Google OAuth (shared/platforms.md §5):
//! authorize/token/revoke, `channels.list`, the resumable `videos.insert`
//! protocol, `videos.list`/`videos.delete`, `playlistItems.list` over the
//! uploads playlist, `thumbnails.set`, the daily quota, and the YouTube
//! Analytics API's `reports.query` (watch time).

#![allow(clippy::result_large_err)] // axum Responses are the natural error type of handlers.

mod analytics;
mod comments;
mod manage;
mod oauth;
mod upload;
mod videos;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use axum::Json;
use axum::Router;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use chrono::{DateTime, NaiveDate, Utc};
use creatorsync_core::Platform;
use serde_json::{Value, json};

use crate::{Ctx, StreamHash};

/// Quota units per call (videos.insert reference page and the quota
/// calculator in platforms.md §5.3).
pub(crate) mod cost {
    /// `videos.insert`.
    pub(crate) const INSERT: u64 = 1600;
    /// `videos.list`, `channels.list`, `playlistItems.list`.
    pub(crate) const LIST: u64 = 1;
    /// `thumbnails.set`.
    pub(crate) const THUMBNAIL: u64 = 50;
    /// `videos.delete`.
    pub(crate) const DELETE: u64 = 50;
    /// `videos.update`.
    pub(crate) const UPDATE: u64 = 50;
}

/// An open resumable upload session.
#[derive(Debug)]
pub(crate) struct Session {
    subject: String,
    metadata: Value,
    total: Option<u64>,
    mime: Option<String>,
    /// Bytes accepted so far (the server's offset).
    offset: u64,
    /// Hash of the accepted bytes; taken out while a PUT is streaming.
    hash: Option<StreamHash>,
    /// The video created when the upload completed.
    video: Option<String>,
    notify: bool,
}

/// An uploaded video.
#[derive(Clone, Debug)]
pub(crate) struct Video {
    id: String,
    channel: String,
    channel_title: String,
    title: String,
    description: String,
    tags: Vec<String>,
    category: String,
    privacy: String,
    publish_at: Option<String>,
    made_for_kids: bool,
    created: DateTime<Utc>,
    /// Decided when processing started (FailProcessing fault).
    fails: bool,
    deleted: bool,
    thumbnail: bool,
}

#[derive(Debug, Default)]
pub(crate) struct Inner {
    sessions: HashMap<String, Session>,
    videos: Vec<Video>,
    /// authorization code -> access_type=offline.
    offline: HashMap<String, bool>,
    quota_day: Option<NaiveDate>,
    quota_used: u64,
    /// `videos.insert` calls on `quota_day` (their own bucket).
    uploads: u64,
}

/// Per-emulator YouTube state.
#[derive(Debug)]
pub(crate) struct Yt {
    ctx: Ctx,
    inner: Mutex<Inner>,
}

type St = Arc<Yt>;

impl Yt {
    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The live videos of `channel` among `ids`, in the order asked, with
    /// their creation time.
    fn owned_videos(&self, channel: &str, ids: &[&str]) -> Vec<(String, DateTime<Utc>)> {
        let inner = self.lock();
        ids.iter()
            .filter_map(|id| {
                inner
                    .videos
                    .iter()
                    .find(|v| v.id == *id && v.channel == channel && !v.deleted)
                    .map(|v| (v.id.clone(), v.created))
            })
            .collect()
    }

    /// The state, with the quota counters reset when a new Pacific day
    /// (midnight America/Los_Angeles) has begun.
    fn day(&self) -> MutexGuard<'_, Inner> {
        let day = crate::calendar::pacific_day(self.ctx.clock.now());
        let mut inner = self.lock();
        if inner.quota_day != Some(day) {
            inner.quota_day = Some(day);
            inner.quota_used = 0;
            inner.uploads = 0;
        }
        inner
    }

    /// Counts one `videos.insert` in its own daily bucket (since
    /// 2026-06-01: 100 per project per Pacific day); over it, Google's 429
    /// `rateLimitExceeded` "Video Uploads per day" (body as captured in
    /// googleapis/google-api-python-client#2753, 2026-05-27).
    fn count_upload(&self) -> Result<(), Response> {
        let mut inner = self.day();
        if inner.uploads >= self.ctx.config.youtube_uploads_per_day {
            self.ctx.record.bump("youtube.uploads_exceeded");
            let msg = "Quota exceeded for quota metric 'Video Uploads' and limit 'Video Uploads per day' of service 'youtube.googleapis.com' for consumer 'project_number:000000000000'.";
            return Err((
                StatusCode::TOO_MANY_REQUESTS,
                Json(json!({"error": {"code": 429, "message": msg, "errors": [{"message": msg, "domain": "global", "reason": "rateLimitExceeded"}]}})),
            )
                .into_response());
        }
        inner.uploads += 1;
        Ok(())
    }

    /// Charges `units` of today's quota; the 403 quotaExceeded answer when
    /// the day's budget would be exceeded.
    fn charge(&self, units: u64) -> Result<(), Response> {
        let mut inner = self.day();
        if inner.quota_used + units > self.ctx.config.youtube_quota_units {
            self.ctx.record.bump("youtube.quota_exceeded");
            let msg = "The request cannot be completed because you have exceeded your <a href=\"/youtube/v3/getting-started#quota\">quota</a>.";
            return Err((
                StatusCode::FORBIDDEN,
                Json(json!({"error": {"code": 403, "message": msg, "errors": [{"message": msg, "domain": "youtube.quota", "reason": "quotaExceeded"}]}})),
            )
                .into_response());
        }
        inner.quota_used += units;
        Ok(())
    }
}

/// A Google JSON API error.
pub(crate) fn gerr(status: u16, reason: &str, domain: &str, message: &str) -> Response {
    let code = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST);
    let text = match status {
        400 => "INVALID_ARGUMENT",
        401 => "UNAUTHENTICATED",
        403 => "PERMISSION_DENIED",
        404 => "NOT_FOUND",
        _ => "UNKNOWN",
    };
    (
        code,
        Json(json!({"error": {"code": status, "message": message, "errors": [{"message": message, "domain": domain, "reason": reason}], "status": text}})),
    )
        .into_response()
}

/// Channel id, title and handle of a subject (the seeded channel, or a
/// login user of the control API standing for its own channel).
pub(crate) fn channel_of(ctx: &Ctx, subject: &str) -> (String, String, String) {
    match ctx.config.identity(Platform::YouTube) {
        Some(i) if i.id == subject => (i.id.clone(), i.name.clone(), i.username.clone()),
        _ => (subject.to_owned(), subject.to_owned(), subject.to_owned()),
    }
}

/// The uploads playlist id of a channel ("UC…" -> "UU…").
pub(crate) fn uploads_playlist(channel: &str) -> String {
    format!("UU{}", channel.strip_prefix("UC").unwrap_or(channel))
}

/// The YouTube router.
pub(crate) fn router(ctx: Ctx) -> Router {
    let st: St = Arc::new(Yt {
        ctx,
        inner: Mutex::new(Inner::default()),
    });
    Router::new()
        .route("/o/oauth2/v2/auth", get(oauth::authorize))
        .route("/token", post(oauth::token))
        .route("/revoke", post(oauth::revoke))
        .route("/youtube/v3/channels", get(videos::channels))
        .route(
            "/youtube/v3/videos",
            get(videos::list).delete(videos::delete).put(manage::update),
        )
        .route("/youtube/v3/playlistItems", get(videos::playlist_items))
        .route("/v2/reports", get(analytics::reports))
        .route(
            "/upload/youtube/v3/videos",
            post(upload::start).put(upload::put),
        )
        .route("/upload/youtube/v3/thumbnails/set", post(videos::thumbnail))
        .route(
            "/youtube/v3/commentThreads",
            get(comments::list).post(comments::insert),
        )
        .with_state(st)
        .merge(super::not_found(Platform::YouTube))
}
