//! Post metrics: `POST /v2/video/query/?fields=id,view_count,like_count,
//! comment_count,share_count` with `{"filters": {"video_ids": [...]}}`
//! (developers.tiktok.com "Query Videos", read 2026-12-04): up to 20 ids a
//! call, scope `video.list`, only the creator's own videos (others are
//! left out of the answer). `view_count` → views, `like_count` → likes,
//! `comment_count` → comments, `share_count` → shares. TikTok's Display API
//! reports no reach, saves, clicks or watch time: `None`.

use serde_json::{Value, json};

use super::{P, TikTokClient};
use crate::analytics::{PostMetrics, by_id, count};
use crate::http::Idempotency;
use crate::platforms::common::access_token;
use crate::platforms::common::require_scope;
use crate::{Result, StoredToken};

/// Ids one `video/query` takes.
pub(super) const METRICS_BATCH: usize = 20;
/// The scope `video/query` needs.
const SCOPE: &str = "video.list";
/// The query, with the fields read.
const PATH: &str =
    "/v2/video/query/?fields=id,create_time,view_count,like_count,comment_count,share_count";

/// The normalised metrics of one video object.
fn normalise(video: &Value) -> PostMetrics {
    let mut m = PostMetrics::unreported(video.clone());
    m.views = count(&video["view_count"]);
    m.likes = count(&video["like_count"]);
    m.comments = count(&video["comment_count"]);
    m.shares = count(&video["share_count"]);
    m
}

impl TikTokClient {
    /// One `video/query` for up to [`METRICS_BATCH`] ids.
    pub(super) async fn read_metrics(
        &self,
        account: &StoredToken,
        ids: &[String],
    ) -> Result<Vec<Result<PostMetrics>>> {
        require_scope(account, &[SCOPE])?;
        let token = access_token(P, account)?;
        let data = self
            .call(
                token,
                "video/query",
                Idempotency::Idempotent,
                PATH,
                &json!({"filters": {"video_ids": ids}}),
            )
            .await?;
        Ok(by_id(P, ids, &data["videos"], normalise))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_map_one_to_one_and_the_rest_is_unreported() {
        let v = json!({"id": "1", "view_count": 10, "like_count": 4, "comment_count": 2, "share_count": 1});
        let m = normalise(&v);
        assert_eq!(
            (m.views, m.likes, m.comments, m.shares),
            (Some(10), Some(4), Some(2), Some(1))
        );
        assert_eq!(
            (m.reach, m.saves, m.clicks, m.watch_time_secs),
            (None, None, None, None)
        );
    }
}
