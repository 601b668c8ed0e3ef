//! Metrics history: every read is kept as a snapshot in the client's
//! [`KeyValueStore`], one record per post (`creatorsync/analytics/{user}/
//! {platform}/{account}/{post}`), updated by compare-and-swap; and the
//! refresh policy that says when a post's next snapshot is due.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{MetricsResult, PostMetrics, PostRef};
use crate::kv::cas::{self, Decision};
use crate::kv::layout;
use crate::{AccountKey, KeyValueStore, Result};

/// Snapshots kept per post; the oldest go first (the scheduled cadence
/// takes about 55, so only frequent manual reads ever reach it).
pub const MAX_SNAPSHOTS: usize = 200;

/// When a tracked post's metrics are read again: every `early_interval`
/// while the post is younger than `early_for`, then every `late_interval`
/// until it is `stop_after` old, then never. Age counts from the post's
/// first snapshot. The default: hourly for a day, daily to 30 days.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RefreshPolicy {
    /// The cadence while the post is young.
    pub early_interval: Duration,
    /// How long the post counts as young.
    pub early_for: Duration,
    /// The cadence after that.
    pub late_interval: Duration,
    /// The age after which the post is no longer refreshed.
    pub stop_after: Duration,
}

impl Default for RefreshPolicy {
    fn default() -> Self {
        Self {
            early_interval: Duration::from_secs(3600),
            early_for: Duration::from_secs(86_400),
            late_interval: Duration::from_secs(86_400),
            stop_after: Duration::from_secs(30 * 86_400),
        }
    }
}

impl RefreshPolicy {
    /// When the snapshot after the one taken at `last` is due, for a post
    /// tracked since `since`; `None` once the post is past
    /// [`RefreshPolicy::stop_after`].
    pub fn next_due(&self, since: DateTime<Utc>, last: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let age = (last - since).to_std().unwrap_or_default();
        let interval = if age < self.early_for {
            self.early_interval
        } else {
            self.late_interval
        };
        let next = last + chrono::Duration::from_std(interval).ok()?;
        let stop = since + chrono::Duration::from_std(self.stop_after).ok()?;
        (next <= stop).then_some(next)
    }
}

/// What [`crate::CreatorSync::refresh_due_metrics`] did.
#[derive(Debug)]
pub struct RefreshReport {
    /// Every post that was due, with its fresh metrics or why they could
    /// not be read (a failed read is tried again at the next call).
    pub results: Vec<MetricsResult>,
    /// The earliest moment another post falls due (`None`: nothing
    /// tracked is due ever again). A scheduler may sleep until then.
    pub next_due: Option<DateTime<Utc>>,
}

/// One post's record.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Tracked {
    pub(crate) user_id: String,
    pub(crate) post: PostRef,
    /// The first snapshot's time: the post's age counts from here.
    pub(crate) since: DateTime<Utc>,
    pub(crate) snapshots: Vec<PostMetrics>,
}

impl Tracked {
    /// When the next snapshot is due under `policy`.
    pub(crate) fn next_due(&self, policy: &RefreshPolicy) -> Option<DateTime<Utc>> {
        let last = self.snapshots.last().map_or(self.since, |s| s.fetched_at);
        policy.next_due(self.since, last)
    }
}

/// The history store over the client's key-value store.
#[derive(Debug, Clone)]
pub(crate) struct History {
    kv: Arc<dyn KeyValueStore>,
}

impl History {
    pub(crate) fn new(kv: Arc<dyn KeyValueStore>) -> Self {
        Self { kv }
    }

    fn key(user_id: &str, m: &PostMetrics) -> Result<String> {
        let account = AccountKey::new(user_id, m.platform, m.account_id.clone())?;
        Ok(layout::analytics(&account, &m.post_id))
    }

    /// Adds `m` (read for `user_id`) to its post's history.
    pub(crate) async fn record(&self, user_id: &str, m: &PostMetrics) -> Result<()> {
        let key = Self::key(user_id, m)?;
        cas::update(self.kv.as_ref(), &key, "metrics history", |text| {
            let mut tracked = match text {
                Some(t) => layout::decode::<Tracked>("metrics history", t)?,
                None => Tracked {
                    user_id: user_id.to_owned(),
                    post: PostRef::new(m.platform, m.post_id.clone())
                        .on_account(m.account_id.clone()),
                    since: m.fetched_at,
                    snapshots: Vec::new(),
                },
            };
            let at = tracked
                .snapshots
                .partition_point(|s| s.fetched_at <= m.fetched_at);
            tracked.snapshots.insert(at, m.clone());
            let excess = tracked.snapshots.len().saturating_sub(MAX_SNAPSHOTS);
            tracked.snapshots.drain(..excess);
            Ok(Decision::Write(
                layout::encode("metrics history", &tracked)?,
                (),
            ))
        })
        .await
    }

    /// The record of one post, when it has one.
    pub(crate) async fn get(
        &self,
        user_id: &str,
        account: &AccountKey,
        post_id: &str,
    ) -> Result<Option<Tracked>> {
        debug_assert_eq!(account.user_id, user_id);
        match self.kv.get(&layout::analytics(account, post_id)).await? {
            Some(v) => Ok(Some(layout::decode("metrics history", &v.value)?)),
            None => Ok(None),
        }
    }

    /// Every tracked post of `user_id`, or of every user.
    pub(crate) async fn tracked(&self, user_id: Option<&str>) -> Result<Vec<Tracked>> {
        let prefix = match user_id {
            Some(u) => layout::analytics_of(u),
            None => layout::all_analytics(),
        };
        self.kv
            .list(&prefix)
            .await?
            .into_iter()
            .map(|(_, v)| layout::decode("metrics history", &v.value))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{MemoryKeyValueStore, Platform};

    fn at(h: i64) -> DateTime<Utc> {
        DateTime::<Utc>::UNIX_EPOCH + chrono::Duration::hours(h)
    }

    #[test]
    fn the_cadence_is_hourly_for_a_day_daily_to_thirty_days_then_stops() {
        let p = RefreshPolicy::default();
        assert_eq!(p.next_due(at(0), at(0)), Some(at(1)));
        assert_eq!(p.next_due(at(0), at(23)), Some(at(24)));
        assert_eq!(p.next_due(at(0), at(24)), Some(at(48)));
        assert_eq!(p.next_due(at(0), at(29 * 24)), Some(at(30 * 24)));
        assert_eq!(p.next_due(at(0), at(30 * 24)), None);
    }

    #[tokio::test]
    async fn snapshots_accumulate_in_time_order_per_post_and_user() {
        let h = History::new(Arc::new(MemoryKeyValueStore::new()));
        let mut m = PostMetrics::unreported(serde_json::json!({}));
        m.platform = Platform::TikTok;
        m.account_id = "acct".into();
        m.post_id = "v1".into();
        for (hour, views) in [(2, 20), (1, 10), (3, 30)] {
            m.fetched_at = at(hour);
            m.views = Some(views);
            h.record("u1", &m).await.unwrap();
        }
        let key = AccountKey::new("u1", Platform::TikTok, "acct").unwrap();
        let t = h.get("u1", &key, "v1").await.unwrap().unwrap();
        let views: Vec<_> = t.snapshots.iter().map(|s| s.views).collect();
        assert_eq!(views, [Some(10), Some(20), Some(30)]);
        assert_eq!(t.since, at(2), "tracked from the first snapshot recorded");
        assert_eq!(h.tracked(Some("u1")).await.unwrap().len(), 1);
        assert!(h.tracked(Some("u2")).await.unwrap().is_empty());
    }
}
