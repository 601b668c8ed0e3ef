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
//! clicks (None when X leaves it out). X reports no reach.
//!
//! Watch time: the lookup also asks `expansions=attachments.media_keys`
//! with `media.fields=type`; the video and animated GIF keys of the posts
//! read are then sent to `GET /2/media/analytics?media_keys=…&start_time=
//! …&end_time=…&granularity=total&media_analytics.fields=watch_time_ms,…`
//! (docs.x.com "Get Media analytics", API v2.166, read 2026-12-04): 1 to
//! 100 keys a call, `start_time` and `end_time` required (the oldest post's
//! creation to now), user context (`tweet.read`). The sum of
//! `watch_time_ms` over a post's video keys and buckets, in whole seconds,
//! → watch time; the items are kept in `raw.media_analytics`. A post with
//! no video, or whose keys the answer leaves out, keeps `None`. A batch of
//! 100 posts without video costs one call, with video two.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use reqwest::Method;
use serde_json::Value;

use super::XClient;
use crate::analytics::{PostMetrics, count, not_returned};
use crate::http::Idempotency;
use crate::platforms::common::require_scope;
use crate::{Platform, Result, StoredToken};

/// Ids one lookup takes.
pub(super) const METRICS_BATCH: usize = 100;
/// How long a read post's metrics are served from memory.
pub const CACHE_TTL: Duration = Duration::from_secs(60);
/// The scope the lookup needs.
const SCOPE: &str = "tweet.read";
/// What each lookup asks for.
const FIELDS: &str = "created_at,attachments,public_metrics,non_public_metrics,organic_metrics";
/// Media keys one media analytics call takes.
const MEDIA_KEYS_BATCH: usize = 100;
/// What each media analytics call asks for.
const MEDIA_FIELDS: &str = "media_key,watch_time_ms,video_views,playback_start,playback25,playback50,playback75,playback_complete";

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

/// Per post, the keys of its video and animated GIF attachments (the
/// lookup's `includes.media` gives each key's `type`).
fn video_keys(posts: &[Value], media: &Value) -> Vec<Vec<String>> {
    let media = media.as_array().map(Vec::as_slice).unwrap_or_default();
    let is_video = |key: &str| {
        media.iter().any(|m| {
            m["media_key"].as_str() == Some(key)
                && matches!(m["type"].as_str(), Some("video" | "animated_gif"))
        })
    };
    posts
        .iter()
        .map(|p| {
            p["attachments"]["media_keys"]
                .as_array()
                .map(Vec::as_slice)
                .unwrap_or_default()
                .iter()
                .filter_map(Value::as_str)
                .filter(|k| is_video(k))
                .map(str::to_owned)
                .collect()
        })
        .collect()
}

/// The `GET /2/media/analytics` items of `keys`, 100 keys a call, over
/// `since` (the oldest post's creation) to now.
async fn media_analytics(
    api: &super::Api<'_>,
    keys: Vec<String>,
    since: Option<DateTime<Utc>>,
) -> Result<Vec<Value>> {
    let end = Utc::now();
    let start = since.unwrap_or(end).min(end - chrono::Duration::minutes(1));
    let fmt = |t: DateTime<Utc>| t.format("%Y-%m-%dT%H:%M:%SZ").to_string();
    let mut items = Vec::new();
    for chunk in keys.chunks(MEDIA_KEYS_BATCH) {
        let path = format!(
            "/2/media/analytics?media_keys={}&start_time={}&end_time={}&granularity=total&media_analytics.fields={MEDIA_FIELDS}",
            chunk.join(","),
            fmt(start),
            fmt(end),
        );
        let v: Value = api
            .json(
                "media analytics",
                Idempotency::Idempotent,
                Method::GET,
                &path,
                |rb| rb,
            )
            .await?;
        if let Some(data) = v["data"].as_array() {
            items.extend(data.iter().cloned());
        }
    }
    Ok(items)
}

/// Sets a post's watch time from the media analytics `items` of its video
/// `keys` (None when none of them is answered) and keeps those items in
/// `raw.media_analytics`.
fn add_watch_time(m: &mut PostMetrics, keys: &[String], items: &[Value]) {
    let mine: Vec<&Value> = items
        .iter()
        .filter(|i| {
            i["media_key"]
                .as_str()
                .is_some_and(|k| keys.iter().any(|x| x == k))
        })
        .collect();
    let ms: Option<u64> = mine
        .iter()
        .flat_map(|i| {
            i["timestamped_metrics"]
                .as_array()
                .map(Vec::as_slice)
                .unwrap_or_default()
        })
        .map(|b| count(&b["metrics"]["watch_time_ms"]))
        .fold(None, |acc, v| match (acc, v) {
            (a, None) => a,
            (None, Some(v)) => Some(v),
            (Some(a), Some(v)) => Some(a.saturating_add(v)),
        });
    m.watch_time_secs = ms.map(|ms| ms / 1000);
    if !mine.is_empty()
        && let Value::Object(raw) = &mut m.raw
    {
        raw.insert(
            "media_analytics".into(),
            Value::Array(mine.into_iter().cloned().collect()),
        );
    }
}

impl XClient {
    /// One lookup for the ids of up to [`METRICS_BATCH`] not in the cache.
    pub(super) async fn read_metrics(
        &self,
        account: &StoredToken,
        ids: &[String],
    ) -> Result<Vec<Result<PostMetrics>>> {
        require_scope(account, &[SCOPE])?;
        let acct = &account.key.account_id;
        let missing: Vec<&str> = ids
            .iter()
            .filter(|id| self.metrics_cache.get(acct, id).is_none())
            .map(String::as_str)
            .collect();
        let mut answer = Value::Null;
        if !missing.is_empty() {
            let api = self.api(account)?;
            let path = format!(
                "/2/tweets?ids={}&tweet.fields={FIELDS}&expansions=attachments.media_keys&media.fields=media_key,type",
                missing.join(",")
            );
            answer = api
                .json(
                    "tweets lookup",
                    Idempotency::Idempotent,
                    Method::GET,
                    &path,
                    |rb| rb,
                )
                .await?;
            let posts = answer["data"]
                .as_array()
                .map(Vec::as_slice)
                .unwrap_or_default();
            let mut read: Vec<PostMetrics> = posts.iter().map(normalise).collect();
            let videos = video_keys(posts, &answer["includes"]["media"]);
            if videos.iter().any(|k| !k.is_empty()) {
                let since = posts
                    .iter()
                    .zip(&videos)
                    .filter(|(_, k)| !k.is_empty())
                    .filter_map(|(p, _)| p["created_at"].as_str())
                    .filter_map(|t| DateTime::parse_from_rfc3339(t).ok())
                    .map(|t| t.with_timezone(&Utc))
                    .min();
                let items = media_analytics(&api, videos.concat(), since).await?;
                for (m, keys) in read.iter_mut().zip(&videos) {
                    add_watch_time(m, keys, &items);
                }
            }
            for (post, m) in posts.iter().zip(&read) {
                if let Some(id) = post["id"].as_str() {
                    self.metrics_cache.put(acct, id, m);
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
        let posts = [
            serde_json::json!({"id": "1", "attachments": {"media_keys": ["7_1", "3_2"]}}),
            serde_json::json!({"id": "2"}),
        ];
        let media = serde_json::json!([
            {"media_key": "7_1", "type": "video"}, {"media_key": "3_2", "type": "photo"}]);
        let keys = video_keys(&posts, &media);
        assert_eq!(keys, [vec!["7_1".to_owned()], vec![]]);
        let items = [
            serde_json::json!({"media_key": "7_1", "timestamped_metrics": [
            {"timestamp": "t", "metrics": {"watch_time_ms": 61_500}},
            {"timestamp": "u", "metrics": {"watch_time_ms": 500}}]}),
        ];
        let mut m = normalise(&posts[0]);
        add_watch_time(&mut m, &keys[0], &items);
        assert_eq!(
            m.watch_time_secs,
            Some(62),
            "summed over buckets, whole seconds"
        );
        assert_eq!(m.raw["media_analytics"][0]["media_key"], "7_1");
        let mut none = normalise(&posts[1]);
        add_watch_time(&mut none, &keys[1], &items);
        assert_eq!(none.watch_time_secs, None, "no video: not reported, not 0");
        let old = serde_json::json!({"id": "1", "public_metrics": {"like_count": 4}});
        assert_eq!(
            normalise(&old).clicks,
            None,
            "no private metrics: no clicks, not 0"
        );
    }
}
