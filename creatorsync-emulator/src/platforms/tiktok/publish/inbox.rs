//! Inbox uploads (drafts): recorded as a post in state `draft` whose id is
//! the `publish_id` (no public post exists until the creator posts it in
//! the app), and at most 5 may wait per creator per 24 hours: the next
//! init is refused with `spam_risk_too_many_pending_share` (403)
//! (developers.tiktok.com content-posting-api-reference-upload-video,
//! error codes; read 2026-12-04).

use std::collections::BTreeMap;

use axum::response::Response;
use creatorsync_core::Platform;

use super::super::{tt_err, user_of};
use super::Publish;
use crate::{Ctx, RecordedPost, STATE_KEY};

/// Uploads that may wait in one creator's inbox per 24 hours.
const PENDING_MAX: usize = 5;

/// Refuses a sixth inbox upload of `subject` within 24 hours.
pub(super) fn check_pending(ctx: &Ctx, subject: &str) -> Result<(), Response> {
    let (open_id, _, _) = user_of(ctx, subject);
    let since = ctx.clock.now() - chrono::Duration::hours(24);
    let pending = ctx
        .record
        .posts_for(Platform::TikTok)
        .iter()
        .filter(|p| p.account_id == open_id && p.state() == "draft" && p.created_at > since)
        .count();
    if pending >= PENDING_MAX {
        return Err(tt_err(
            403,
            "spam_risk_too_many_pending_share",
            "The user has too many pending uploads in their inbox (at most 5 per 24 hours).",
        ));
    }
    Ok(())
}

/// Records a delivered inbox upload as a draft.
pub(super) fn record(ctx: &Ctx, publish_id: &str, p: &Publish) {
    let (open_id, username, _) = user_of(ctx, &p.subject);
    let extra = BTreeMap::from([
        (STATE_KEY.to_owned(), "draft".to_owned()),
        ("publish_id".to_owned(), publish_id.to_owned()),
    ]);
    ctx.record.add_post(RecordedPost {
        platform: Platform::TikTok,
        account_id: open_id,
        post_id: publish_id.to_owned(),
        text: String::new(),
        title: None,
        media: p.media.clone(),
        url: format!("https://www.tiktok.com/@{username}"),
        created_at: ctx.clock.now(),
        deleted: false,
        extra,
        scheduled_for: None,
    });
}
