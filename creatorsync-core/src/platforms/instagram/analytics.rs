//! Media metrics in one Graph multi-id read per 50 media
//! ([`crate::platforms::meta::insights`]; developers.facebook.com
//! "Instagram Media Insights", updated 2026-06-18, read 2026-12-04), scope
//! `instagram_manage_insights` (Instagram Login:
//! `instagram_business_manage_insights`): `insights.metric(views)` →
//! views, `reach` → reach, `shares` → shares, `saved` → saves,
//! `like_count` → likes, `comments_count` → comments;
//! `total_interactions` stays in `raw` (`impressions` and `plays` are
//! gone). Data may lag up to 48 h and story metrics live 24 h; a metric
//! Instagram leaves out (an album child, a story past 24 h) stays `None`.
//! No clicks.
//!
//! Watch time, reels only: the read also asks `media_product_type`; the
//! `REELS` among the batch get one more multi-id read of
//! `insights.metric(ig_reels_video_view_total_time)` (same page: "total
//! amount of time the reel was played, including replays", in
//! milliseconds) → watch time in whole seconds, the answer kept in
//! `raw.watch_insights`. Other media (feed videos, photos, stories) have
//! no watch-time metric: `None`. `ig_reels_avg_watch_time` is not read.

use serde_json::Value;

use super::{InstagramClient, LOGIN, P};
use crate::analytics::{PostMetrics, count};
use crate::platforms::LOGIN_KEY;
use crate::platforms::common::access_token;
use crate::platforms::common::require_scope;
use crate::platforms::meta::insights;
use crate::{Result, StoredToken};

/// Ids one read takes.
pub(super) const METRICS_BATCH: usize = insights::MAX_IDS;
/// What each read asks for.
const FIELDS: &str = "id,timestamp,media_product_type,like_count,comments_count,insights.metric(views,reach,saved,shares,total_interactions)";
/// The reels metric holding the total watch time, in milliseconds.
const REELS_WATCH: &str = "ig_reels_video_view_total_time";

/// The normalised metrics of one media object.
fn normalise(media: &Value) -> PostMetrics {
    let mut m = PostMetrics::unreported(media.clone());
    m.views = insights::insight(media, "views");
    m.reach = insights::insight(media, "reach");
    m.shares = insights::insight(media, "shares");
    m.saves = insights::insight(media, "saved");
    m.likes = count(&media["like_count"]);
    m.comments = count(&media["comments_count"]);
    m
}

impl InstagramClient {
    /// One multi-id read for up to [`METRICS_BATCH`] media of the account.
    pub(super) async fn read_metrics(
        &self,
        account: &StoredToken,
        ids: &[String],
    ) -> Result<Vec<Result<PostMetrics>>> {
        let scope = if account.metadata.get(LOGIN_KEY).map(String::as_str) == Some(LOGIN) {
            "instagram_business_manage_insights"
        } else {
            "instagram_manage_insights"
        };
        require_scope(account, &[scope])?;
        let token = access_token(P, account)?;
        let graph = super::graph::Graph::new(self, token);
        let mut out = insights::read(&graph.meta, P, ids, FIELDS, normalise).await?;
        let reels: Vec<(usize, String)> = out
            .iter()
            .zip(ids)
            .enumerate()
            .filter(|(_, (m, _))| {
                m.as_ref()
                    .is_ok_and(|m| m.raw["media_product_type"].as_str() == Some("REELS"))
            })
            .map(|(i, (_, id))| (i, id.clone()))
            .collect();
        insights::add_watch_time(&graph.meta, P, &mut out, &reels, "insights", REELS_WATCH).await?;
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn insights_and_counts_map_and_a_missing_metric_stays_unreported() {
        let media = serde_json::json!({"id": "1", "like_count": 4, "comments_count": 1,
            "insights": {"data": [
                {"name": "views", "values": [{"value": 50}]},
                {"name": "reach", "values": [{"value": 30}]},
                {"name": "saved", "values": [{"value": 2}]}]}});
        let m = normalise(&media);
        assert_eq!(
            (m.views, m.reach, m.saves, m.likes, m.comments),
            (Some(50), Some(30), Some(2), Some(4), Some(1))
        );
        assert_eq!((m.shares, m.clicks, m.watch_time_secs), (None, None, None));
    }
}
