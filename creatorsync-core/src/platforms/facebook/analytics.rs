//! Page post metrics in one Graph multi-id read per 50 posts
//! ([`crate::platforms::meta::insights`]; developers.facebook.com "Page
//! Insights" and "Page Post", read 2026-12-04), scope `read_insights`
//! (with `pages_read_engagement`, always asked for):
//! `insights.metric(post_media_view)` → views,
//! `post_total_media_view_unique` → reach (the `post_impressions*` metrics
//! were removed on 2025-11-15), `post_clicks` → clicks,
//! `reactions.summary(total_count)` → likes, `comments.summary(total_count)`
//! → comments, `shares.count` → shares (Graph leaves `shares` out of a
//! post nobody shared: that is 0 shares, reported as `Some(0)`). No saves.
//!
//! Watch time, video posts only: the read also asks
//! `attachments{media_type,target}`; a post whose attachment is a video
//! (`media_type` `video…`) names its video in `target.id`, and those
//! videos get one more multi-id read of
//! `video_insights.metric(total_video_view_total_time)` (developers.
//! facebook.com "Video Insights", v25.0, read 2026-12-04: "total time the
//! video has been viewed", in milliseconds; scope as above) → watch time
//! in whole seconds, the answer kept in `raw.watch_video_insights`. Other
//! posts have no watch time: `None`.

use serde_json::Value;

use super::{Facebook, FacebookClient};
use crate::analytics::{PostMetrics, count};
use crate::platforms::common::access_token;
use crate::platforms::common::require_scope;
use crate::platforms::meta::{Graph, insights};
use crate::{Platform, Result, StoredToken};

/// Ids one read takes.
pub(super) const METRICS_BATCH: usize = insights::MAX_IDS;
/// The scope the insights need.
const SCOPE: &str = "read_insights";
/// What each read asks for.
const FIELDS: &str = "id,created_time,attachments{media_type,target},shares,reactions.summary(total_count).limit(0),comments.summary(total_count).limit(0),insights.metric(post_media_view,post_total_media_view_unique,post_clicks)";

/// The video insights metric holding the total watch time, in milliseconds.
const VIDEO_WATCH: &str = "total_video_view_total_time";

/// The video a post shows, from its `attachments`.
fn video_of(post: &Value) -> Option<String> {
    let a = &post["attachments"]["data"][0];
    a["media_type"]
        .as_str()
        .is_some_and(|t| t.starts_with("video"))
        .then(|| a["target"]["id"].as_str().map(str::to_owned))
        .flatten()
}

/// The normalised metrics of one post.
fn normalise(post: &Value) -> PostMetrics {
    let mut m = PostMetrics::unreported(post.clone());
    m.views = insights::insight(post, "post_media_view");
    m.reach = insights::insight(post, "post_total_media_view_unique");
    m.clicks = insights::insight(post, "post_clicks");
    m.likes = count(&post["reactions"]["summary"]["total_count"]);
    m.comments = count(&post["comments"]["summary"]["total_count"]);
    m.shares = Some(count(&post["shares"]["count"]).unwrap_or(0));
    m
}

impl FacebookClient {
    /// One multi-id read for up to [`METRICS_BATCH`] posts of the Page.
    pub(super) async fn read_metrics(
        &self,
        account: &StoredToken,
        ids: &[String],
    ) -> Result<Vec<Result<PostMetrics>>> {
        require_scope(account, &[SCOPE])?;
        let token = access_token(Platform::Facebook, account)?;
        let cfg = &self.cfg;
        let graph = Graph::new(
            &cfg.http,
            &cfg.endpoints,
            &Facebook,
            cfg.client_secret.expose(),
            token,
            cfg.api_version.as_deref(),
        );
        let mut out = insights::read(&graph, Platform::Facebook, ids, FIELDS, normalise).await?;
        let videos: Vec<(usize, String)> = out
            .iter()
            .enumerate()
            .filter_map(|(i, m)| Some((i, video_of(&m.as_ref().ok()?.raw)?)))
            .collect();
        insights::add_watch_time(
            &graph,
            Platform::Facebook,
            &mut out,
            &videos,
            "video_insights",
            VIDEO_WATCH,
        )
        .await?;
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn insights_and_summaries_map_and_no_shares_is_zero() {
        let post = serde_json::json!({"id": "1_2",
            "reactions": {"data": [], "summary": {"total_count": 5}},
            "comments": {"data": [], "summary": {"total_count": 2}},
            "insights": {"data": [
                {"name": "post_media_view", "values": [{"value": 90}]},
                {"name": "post_total_media_view_unique", "values": [{"value": 60}]},
                {"name": "post_clicks", "values": [{"value": 7}]}]}});
        let m = normalise(&post);
        assert_eq!(
            (m.views, m.reach, m.clicks, m.likes, m.comments, m.shares),
            (Some(90), Some(60), Some(7), Some(5), Some(2), Some(0))
        );
        assert_eq!((m.saves, m.watch_time_secs), (None, None));
        assert_eq!(video_of(&post), None);
        let video = serde_json::json!({"attachments": {"data": [
            {"media_type": "video_inline", "target": {"id": "77"}}]}});
        assert_eq!(video_of(&video).as_deref(), Some("77"));
        let photo = serde_json::json!({"attachments": {"data": [
            {"media_type": "photo", "target": {"id": "78"}}]}});
        assert_eq!(video_of(&photo), None);
    }
}
