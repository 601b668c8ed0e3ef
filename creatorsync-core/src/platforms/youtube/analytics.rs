//! Post metrics: `GET /youtube/v3/videos?part=statistics&id=a,b,…`
//! (developers.google.com "Videos: list", read 2026-12-04): up to 50 ids a
//! call, 1 quota unit, scope `youtube.readonly` (always asked for).
//! `statistics.viewCount` → views, `likeCount` → likes, `commentCount` →
//! comments (counts as strings; a count the owner hides is absent and
//! stays `None`). Reach, shares, saves, clicks and watch time live in the
//! YouTube Analytics API (`yt-analytics.readonly`), which this does not
//! call: they are `None`.

use serde_json::Value;

use super::{P, YouTube, YouTubeClient};
use crate::analytics::{PostMetrics, by_id, count};
use crate::http::{Idempotency, decode_json};
use crate::platforms::common::access_token;
use crate::{Result, StoredToken};

/// Ids one `videos.list` takes.
pub(super) const METRICS_BATCH: usize = 50;

/// The normalised metrics of one `videos` item.
fn normalise(item: &Value) -> PostMetrics {
    let s = &item["statistics"];
    let mut m = PostMetrics::unreported(item.clone());
    m.views = count(&s["viewCount"]);
    m.likes = count(&s["likeCount"]);
    m.comments = count(&s["commentCount"]);
    m
}

impl YouTubeClient {
    /// One `videos.list` for up to [`METRICS_BATCH`] ids.
    pub(super) async fn read_metrics(
        &self,
        account: &StoredToken,
        ids: &[String],
    ) -> Result<Vec<Result<PostMetrics>>> {
        let token = access_token(P, account)?;
        let mut url = self.api("/youtube/v3/videos");
        url.query_pairs_mut()
            .append_pair("part", "statistics")
            .append_pair("id", &ids.join(","))
            .append_pair("maxResults", &METRICS_BATCH.to_string());
        let resp = self
            .cfg()
            .http
            .send(
                &YouTube,
                "videos.list statistics",
                Idempotency::Idempotent,
                |c| c.get(url.clone()).bearer_auth(token),
            )
            .await?;
        let v: Value = decode_json(P, resp).await?;
        Ok(by_id(P, ids, &v["items"], normalise))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn string_counts_map_and_a_hidden_count_stays_unreported() {
        let item = serde_json::json!({"id": "v", "statistics": {"viewCount": "12", "commentCount": "3", "favoriteCount": "0"}});
        let m = normalise(&item);
        assert_eq!((m.views, m.likes, m.comments), (Some(12), None, Some(3)));
        assert_eq!(
            (m.reach, m.shares, m.saves, m.clicks, m.watch_time_secs),
            (None, None, None, None, None)
        );
        assert_eq!(m.raw, item);
    }
}
