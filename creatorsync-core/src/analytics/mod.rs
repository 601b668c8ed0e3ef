//! Analytics: how each published post performed, in one shape for the six
//! platforms, with history.
//!
//! * [`crate::CreatorSync::metrics`] reads the metrics of one or many posts
//!   ([`PostRef`]: from a [`crate::PublishReport`], or a platform and post
//!   id), batched per platform to the most ids one call allows, and answers
//!   per post ([`MetricsResult`]): one post failing never hides the others.
//! * [`PostMetrics`] holds the normalised counters as `Option`s, where
//!   `None` means the platform does not report that metric for the post
//!   (never a made-up 0), plus the platform's own answer for the post
//!   ([`PostMetrics::raw`]). `docs/analytics.md` lists, per platform, which
//!   raw field becomes which normalised one.
//! * Every read is stored as a snapshot through the client's
//!   [`crate::KeyValueStore`] (the quota store: SQLite, PostgreSQL or a host
//!   store), so [`crate::CreatorSync::metrics_history`] answers how a post
//!   grew, and [`crate::CreatorSync::refresh_due_metrics`] re-reads the posts
//!   whose next snapshot is due ([`RefreshPolicy`]: hourly for a day, daily
//!   to 30 days, then never). The SDK runs no poller of its own: the
//!   scheduling engine's workers run it as a recurring job when
//!   [`crate::schedule::SchedulerConfig::analytics`] is set, or your
//!   scheduler calls `refresh_due_metrics` (e.g. every few minutes); it is
//!   cheap when nothing is due.
//!
//! Reading metrics needs the platform's analytics permission, asked for
//! when the app's uses include [`crate::auth::ScopeUse::Analytics`]; an
//! account connected without it fails with [`crate::Error::MissingScope`]
//! naming the scope, before any request.

mod engine;
mod history;

pub(crate) use engine::{Source, account_of, fetch};
pub(crate) use history::History;
pub use history::{MAX_SNAPSHOTS, RefreshPolicy, RefreshReport};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::platforms::Published;
use crate::{AccountKey, Error, Platform, PublishReport};

/// A published post whose metrics to read.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct PostRef {
    /// The platform.
    pub platform: Platform,
    /// The platform's post id (as in [`Published::post_id`]).
    pub post_id: String,
    /// The connected account that published it; `None`: the user's only
    /// account on the platform (more than one is an
    /// [`Error::InvalidInput`] for that post).
    pub account_id: Option<String>,
}

impl PostRef {
    /// The post `post_id` on `platform`, published by the user's only
    /// account there.
    pub fn new(platform: Platform, post_id: impl Into<String>) -> Self {
        Self {
            platform,
            post_id: post_id.into(),
            account_id: None,
        }
    }

    /// Names the account that published the post.
    #[must_use]
    pub fn on_account(mut self, account_id: impl Into<String>) -> Self {
        self.account_id = Some(account_id.into());
        self
    }

    /// Every post a publish created (its published targets).
    pub fn from_report(report: &PublishReport) -> Vec<PostRef> {
        report.published().map(PostRef::from).collect()
    }
}

impl From<(&AccountKey, &Published)> for PostRef {
    fn from((account, post): (&AccountKey, &Published)) -> Self {
        PostRef::new(account.platform, post.post_id.clone()).on_account(account.account_id.clone())
    }
}

/// One post's metrics at one moment, normalised across platforms.
///
/// Every counter is `None` when the platform does not report it for this
/// post (X has no reach, TikTok no saves, ...): never a made-up 0.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PostMetrics {
    /// The platform.
    pub platform: Platform,
    /// The account that published the post.
    pub account_id: String,
    /// The platform's post id.
    pub post_id: String,
    /// How often the post was shown or played (X and LinkedIn
    /// impressions, Meta and TikTok views, YouTube view count).
    pub views: Option<u64>,
    /// How many distinct accounts saw it.
    pub reach: Option<u64>,
    /// Likes or reactions.
    pub likes: Option<u64>,
    /// Comments or replies.
    pub comments: Option<u64>,
    /// Shares, reposts or retweets.
    pub shares: Option<u64>,
    /// Saves or bookmarks.
    pub saves: Option<u64>,
    /// Link clicks (Facebook: every click on the post).
    pub clicks: Option<u64>,
    /// Total watch time in seconds, for videos where the platform reports it.
    pub watch_time_secs: Option<u64>,
    /// When the SDK read these (the client's clock).
    pub fetched_at: DateTime<Utc>,
    /// The platform's own answer for this post, unchanged (LinkedIn: one
    /// member per `queryType` asked).
    pub raw: serde_json::Value,
}

impl PostMetrics {
    /// Metrics with nothing reported yet; the platform modules fill them.
    pub(crate) fn unreported(raw: serde_json::Value) -> Self {
        Self {
            platform: Platform::X,
            account_id: String::new(),
            post_id: String::new(),
            views: None,
            reach: None,
            likes: None,
            comments: None,
            shares: None,
            saves: None,
            clicks: None,
            watch_time_secs: None,
            fetched_at: DateTime::<Utc>::UNIX_EPOCH,
            raw,
        }
    }
}

/// The outcome for one post of [`crate::CreatorSync::metrics`].
#[derive(Debug)]
pub struct MetricsResult {
    /// The post asked for.
    pub post: PostRef,
    /// Its metrics, or why they could not be read.
    pub outcome: Result<PostMetrics, Error>,
}

/// Reads a JSON number or numeric string as a count (YouTube sends strings).
pub(crate) fn count(v: &serde_json::Value) -> Option<u64> {
    match v {
        serde_json::Value::Number(n) => n.as_u64(),
        serde_json::Value::String(s) => s.parse().ok(),
        _ => None,
    }
}

/// Each asked id's metrics from a list answer whose items carry their own
/// `id` (TikTok `videos`, YouTube `items`), in the order asked; an id the
/// answer leaves out fails alone.
pub(crate) fn by_id(
    platform: Platform,
    ids: &[String],
    items: &serde_json::Value,
    normalise: fn(&serde_json::Value) -> PostMetrics,
) -> Vec<crate::Result<PostMetrics>> {
    let items = items.as_array().map(Vec::as_slice).unwrap_or_default();
    ids.iter()
        .map(|id| {
            items
                .iter()
                .find(|i| i["id"].as_str() == Some(id))
                .map(normalise)
                .ok_or_else(|| not_returned(platform, id, None))
        })
        .collect()
}

/// The per-post error for an id the platform's answer leaves out (deleted,
/// private, another account's, or never existed); `detail` is the
/// platform's own words when it gave some.
pub(crate) fn not_returned(platform: Platform, post_id: &str, detail: Option<&str>) -> Error {
    Error::invalid_input(
        "post_id",
        format!(
            "{platform} returned no metrics for {post_id}: {}",
            detail.unwrap_or("deleted, private, not published by this account, or unknown")
        ),
    )
}
