//! TikTok Content Posting: creator info, video/inbox/photo init with the
//! Media Transfer Guide chunk rules, sequential chunk PUTs, PULL_FROM_URL
//! fetching (loopback only), the publish status machine and the video list.
//!
//! This file holds the publish state, creator info and what happens when a
//! publish's media is complete; `init.rs` the three init endpoints with the
//! chunk rules, `pull.rs` PULL_FROM_URL fetching, `upload.rs` the chunk
//! `PUT`s, `status.rs` the status machine's answers and the video list.

mod inbox;
mod init;
mod pull;
mod status;
mod upload;

use std::collections::BTreeMap;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use chrono::{DateTime, Utc};
use creatorsync_core::Platform;
use serde_json::{Value, json};

pub(crate) use init::{content_init, inbox_init, video_init};
pub(crate) use status::{status, video_list};
pub(crate) use upload::upload;

use super::{St, ok, tt_err, user_of};
use crate::{MediaRecord, RecordedPost, StreamHash};

/// Privacy levels the seeded creator may use.
const PRIVACY_OPTIONS: [&str; 4] = [
    "PUBLIC_TO_EVERYONE",
    "MUTUAL_FOLLOW_FRIENDS",
    "FOLLOWER_OF_CREATOR",
    "SELF_ONLY",
];

/// What a publish ends as.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// Direct post of a video.
    Direct,
    /// Upload to the creator's inbox (terminal SEND_TO_USER_INBOX).
    Inbox,
    /// Photo post, DIRECT_POST.
    PhotoDirect,
    /// Photo post, MEDIA_UPLOAD (inbox).
    PhotoInbox,
}

/// One publish (a `publish_id`).
#[derive(Debug)]
pub(crate) struct Publish {
    subject: String,
    kind: Kind,
    post_info: Value,
    /// FILE_UPLOAD: (size, chunk_size, count, upload_token).
    file: Option<(u64, u64, u64, String)>,
    received: u64,
    /// Last accepted chunk (first, last) byte.
    last_range: Option<(u64, u64)>,
    hash: StreamHash,
    mime: Option<String>,
    /// PULL_FROM_URL: bytes downloaded so far.
    downloaded: u64,
    pulling: bool,
    /// When all media arrived (processing starts).
    ready_at: Option<DateTime<Utc>>,
    fail_reason: Option<String>,
    post_id: Option<String>,
    media: Vec<MediaRecord>,
}

fn num_id() -> String {
    let n: u64 = rand::random::<u64>() % 9_000_000_000_000_000_000 + 7_000_000_000_000_000_000;
    n.to_string()
}

/// POST /v2/post/publish/creator_info/query/
pub(crate) async fn creator_info(State(st): State<St>, headers: HeaderMap) -> Response {
    let info = match st.authorize(
        &headers,
        Some("video.publish"),
        Some((
            "creator_info",
            st.ctx.config.tiktok_rate_limits.creator_info,
        )),
    ) {
        Ok(i) => i,
        Err(r) => return r,
    };
    let (open_id, username, name) = user_of(&st.ctx, &info.subject);
    ok(json!({
        "creator_avatar_url": format!("https://p16-sign.tiktokcdn-us.com/avatar/{open_id}.jpeg"),
        "creator_username": username,
        "creator_nickname": name,
        "privacy_level_options": PRIVACY_OPTIONS,
        "comment_disabled": false,
        "duet_disabled": false,
        "stitch_disabled": true,
        "max_video_post_duration_sec": st.ctx.config.tiktok_max_video_post_duration_sec,
    }))
}

fn parse_body(body: &Bytes) -> Result<Value, Response> {
    serde_json::from_slice(body)
        .map_err(|e| tt_err(400, "invalid_params", &format!("Invalid JSON body: {e}")))
}

/// Media complete: decide the outcome now (FailProcessing) and record a
/// direct post (shown as PUBLISH_COMPLETE once `processing_delay` passed).
fn start_processing(st: &St, publish_id: &str) {
    let ctx = &st.ctx;
    let fails = ctx.faults.take_processing_failure(Platform::TikTok);
    let mut inner = st.lock();
    let Some(p) = inner.publishes.get_mut(publish_id) else {
        return;
    };
    if fails {
        p.fail_reason = Some("file_format_check_failed".into());
        return;
    }
    if !matches!(p.kind, Kind::Direct | Kind::PhotoDirect) {
        ctx.record.bump("tiktok.inbox_delivered");
        inbox::record(ctx, publish_id, p);
        return;
    }
    let id = num_id();
    p.post_id = Some(id.clone());
    let (open_id, username, _) = user_of(ctx, &p.subject);
    let photo = p.kind == Kind::PhotoDirect;
    let url = format!(
        "https://www.tiktok.com/@{username}/{}/{id}",
        if photo { "photo" } else { "video" }
    );
    let mut extra = BTreeMap::new();
    extra.insert(
        "privacy_level".into(),
        p.post_info["privacy_level"]
            .as_str()
            .unwrap_or("")
            .to_owned(),
    );
    extra.insert("publish_id".into(), publish_id.to_owned());
    let title = p.post_info["title"].as_str().unwrap_or("").to_owned();
    let text = if photo {
        p.post_info["description"].as_str().unwrap_or("").to_owned()
    } else {
        title.clone()
    };
    let post = RecordedPost {
        platform: Platform::TikTok,
        account_id: open_id,
        post_id: id,
        text,
        title: photo.then_some(title),
        media: p.media.clone(),
        url,
        created_at: ctx.clock.now(),
        deleted: false,
        extra,
        scheduled_for: None,
    };
    // Recorded before the lock is released: a status fetch must never show
    // a post id the record does not hold yet.
    ctx.record.add_post(post);
    drop(inner);
}
