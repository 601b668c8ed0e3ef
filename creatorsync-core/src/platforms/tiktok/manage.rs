//! TikTok drafts: an upload to the creator's inbox. A video goes to
//! `POST /v2/post/publish/inbox/video/init/` (scope `video.upload`, only
//! `source_info`: the creator writes the caption and picks the privacy in
//! the app); photos to `/v2/post/publish/content/init/` with
//! `post_mode: MEDIA_UPLOAD`. The status ends at `SEND_TO_USER_INBOX` and
//! no public post exists until the creator posts it, so the report's post
//! id is the `publish_id` and its URL the creator's profile. At most 5
//! uploads may wait in a creator's inbox per 24 hours (the `inbox` quota
//! bucket). TikTok's API edits and deletes nothing: both stay refused.
//! Source: developers.tiktok.com content-posting-api-reference-upload-video
//! and content-posting-api-get-started-upload-content, read 2026-12-04.

use serde_json::{Value, json};

use crate::Post;
use crate::platforms::Published;

/// Uploads that may wait in one creator's inbox per rolling 24 hours.
pub(super) const INBOX_PENDING_MAX: u32 = 5;

/// The video init endpoint of `post`.
pub(super) fn video_init(post: &Post) -> &'static str {
    if post.draft {
        "/v2/post/publish/inbox/video/init/"
    } else {
        "/v2/post/publish/video/init/"
    }
}

/// The video init body: an inbox upload carries only `source_info`.
pub(super) fn video_body(post: &Post, post_info: Value, source_info: Value) -> Value {
    if post.draft {
        json!({ "source_info": source_info })
    } else {
        json!({ "post_info": post_info, "source_info": source_info })
    }
}

/// `post_mode` of a photo post.
pub(super) fn photo_mode(post: &Post) -> &'static str {
    if post.draft {
        "MEDIA_UPLOAD"
    } else {
        "DIRECT_POST"
    }
}

/// What a finished inbox upload is in the report.
pub(super) fn inbox_upload(username: &str, publish_id: &str) -> Published {
    Published {
        post_id: publish_id.to_owned(),
        url: format!("https://www.tiktok.com/@{username}"),
    }
}
