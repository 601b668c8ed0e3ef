//! Post metrics: `GET /2/tweets?ids=…&tweet.fields=public_metrics,
//! non_public_metrics,organic_metrics` (docs.x.com "Post lookup" and
//! "Metrics", read 2026-12-04): up to 100 ids a call, scope `tweet.read`;
//! `non_public_metrics` and `organic_metrics` come only for the author's
//! own posts younger than 30 days. X bills reads per post on pay-per-use,
//! so answers are kept in a small in-memory cache for [`CACHE_TTL`] per
//! client: a second read of the same post within it costs no call.
//!
//! `public_metrics.impression_count` → views, `like_count` → likes,
//! `reply_count` → comments, `retweet_count` → shares (quotes stay in
//! `raw`), `bookmark_count` → saves, `non_public_metrics.url_link_clicks` →
//! clicks (None when X leaves it out). X reports no reach; watch time
//! needs `GET /2/media/analytics`, not called here.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::Value;

use super::XClient;
use crate::analytics::{PostMetrics, count, not_returned, require_scope};
use crate::http::Idempotency;
use crate::{Platform, Result, StoredToken};

/// Ids one lookup takes.
pub(super) const METRICS_BATCH: usize = 100;
/// How long a read post's metrics are served from memory.
pub const CACHE_TTL: Duration = Duration::from_secs(60);
/// The scope the lookup needs.
const SCOPE: &str = "tweet.read";
/// What each lookup asks for.
const FIELDS: &str = "created_at,public_metrics,non_public_metrics,organic_metrics";

/// Recent answers per (account, post), with when they were read.
#[derive(Debug, Default)]
pub(super) struct Cache(Mutex<HashMap<(String, String), (Instant, PostMetrics)>>);

impl Cache {
    fn get(&self, account: &str, post: &str) -> Option<PostMetrics> {
        let map = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        map.get(&(account.to_owned(), post.to_owned()))
            .filter(|(at, _)| at.elapsed() < CACHE_TTL)
            .map(|(_, m)| m.clone())
    }

    fn put(&self, account: &str, post: &str, m: &PostMetrics) {
        let mut map = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        map.retain(|_, (at, _)| at.elapsed() < CACHE_TTL);
        map.insert(
            (account.to_owned(), post.to_owned()),
            (Instant::now(), m.clone()),
        );
    }
}

/// The normalised metrics of one post object.
fn normalise(post: &Value) -> PostMetrics {
    let public = &post["public_metrics"];
    let mut m = PostMetrics::unreported(post.clone());
    m.views = count(&public["impression_count"]);
    m.likes = count(&public["like_count"]);
    m.comments = count(&public["reply_count"]);
    m.shares = count(&public["retweet_count"]);
    m.saves = count(&public["bookmark_count"]);
    m.clicks = count(&post["non_public_metrics"]["url_link_clicks"]);
    m
}

impl XClient {
    /// One lookup for the ids of up to [`METRICS_BATCH`] not in the cache.
    pub(super) async fn read_metrics(
        &self,
        account: &StoredToken,
        ids: &[String],
    ) -> Result<Vec<Result<PostMetrics>>> {
        require_scope(account, SCOPE)?;
        let acct = &account.key.account_id;
        let missing: Vec<&str> = ids
            .iter()
            .filter(|id| self.metrics_cache.get(acct, id).is_none())
            .map(String::as_str)
            .collect();
        let mut answer = Value::Null;
        if !missing.is_empty() {
            let api = self.api(account)?;
            let path = format!("/2/tweets?ids={}&tweet.fields={FIELDS}", missing.join(","));
            answer = api
                .json(
                    "tweets lookup",
                    Idempotency::Idempotent,
                    Method::GET,
                    &path,
                    |rb| rb,
                )
                .await?;
            for post in answer["data"]
                .as_array()
                .map(Vec::as_slice)
                .unwrap_or_default()
            {
                if let Some(id) = post["id"].as_str() {
                    self.metrics_cache.put(acct, id, &normalise(post));
                }
            }
        }
        let errors = answer["errors"]
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or_default();
        Ok(ids
            .iter()
            .map(|id| {
                self.metrics_cache.get(acct, id).ok_or_else(|| {
                    let detail = errors
                        .iter()
                        .find(|e| e["resource_id"].as_str() == Some(id))
                        .and_then(|e| e["detail"].as_str());
                    not_returned(Platform::X, id, detail)
                })
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_and_private_counts_map_and_reach_is_unreported() {
        let post = serde_json::json!({"id": "1",
            "public_metrics": {"retweet_count": 2, "reply_count": 3, "like_count": 4, "quote_count": 5, "bookmark_count": 6, "impression_count": 70},
            "non_public_metrics": {"impression_count": 70, "url_link_clicks": 8, "user_profile_clicks": 1}});
        let m = normalise(&post);
        assert_eq!(
            (m.views, m.likes, m.comments, m.shares, m.saves, m.clicks),
            (Some(70), Some(4), Some(3), Some(2), Some(6), Some(8))
        );
        assert_eq!((m.reach, m.watch_time_secs), (None, None));
        let old = serde_json::json!({"id": "1", "public_metrics": {"like_count": 4}});
        assert_eq!(
            normalise(&old).clicks,
            None,
            "no private metrics: no clicks, not 0"
        );
    }
}
