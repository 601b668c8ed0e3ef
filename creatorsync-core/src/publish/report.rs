//! What a publish did, per target.

use std::collections::BTreeMap;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::platforms::{Published, Registry};
use crate::{AccountKey, Error, Platform};

/// The outcome of one target (platform + account).
#[derive(Debug)]
pub struct TargetResult {
    /// The account published to.
    pub account: AccountKey,
    /// The post, or why not.
    pub outcome: Result<Published, Error>,
    /// Wall time spent on this target.
    pub elapsed: Duration,
    /// Whether the result was taken from the publish log (an earlier call
    /// with the same idempotency key already published it) or found at the
    /// platform by reconciliation, instead of publishing now.
    pub reused: bool,
    /// When the platform itself makes the post live, for a target published
    /// with its native scheduling (Facebook `scheduled_publish_time`,
    /// YouTube `publish_at`); `None`: live now (or failed).
    pub scheduled_for: Option<chrono::DateTime<chrono::Utc>>,
    /// The post's thread parts after the first ([`crate::Post::thread`]),
    /// in order, as far as they were tried: each one's id and URL, or why
    /// it failed (then the parts after it were not tried; publish again
    /// with the same idempotency key to go on from there).
    pub parts: Vec<Result<Published, Error>>,
    /// The post's first comment ([`crate::Post::first_comment`]), when it
    /// has one and it was tried.
    pub comment: Option<Result<Published, Error>>,
    /// What the post is on the platform when it was published as a draft
    /// ([`crate::Post::draft`]); `None`: published live (or failed).
    pub draft: Option<crate::DraftKind>,
}

impl TargetResult {
    /// The platform.
    pub fn platform(&self) -> Platform {
        self.account.platform
    }

    /// Whether the post is live (its thread parts and first comment aside:
    /// see [`TargetResult::sequence_error`]).
    pub fn is_ok(&self) -> bool {
        self.outcome.is_ok()
    }

    /// The error of the first thread part or first comment that did not
    /// land, if any.
    pub fn sequence_error(&self) -> Option<&Error> {
        self.comment
            .iter()
            .chain(&self.parts)
            .find_map(|r| r.as_ref().err())
    }
}

/// The seed system's per-platform response shape, kept so existing
/// front-ends keep working: `{ success, postId, url, message }`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LegacyResult {
    /// Whether the post was published.
    pub success: bool,
    /// The post id.
    #[serde(rename = "postId")]
    pub post_id: Option<String>,
    /// The post URL.
    pub url: Option<String>,
    /// A human-readable message.
    pub message: String,
}

/// The report of one publish.
#[derive(Debug)]
pub struct PublishReport {
    /// The idempotency key (given or generated): pass it again to retry
    /// without double posting.
    pub idempotency_key: String,
    /// One entry per target, in target order.
    pub results: Vec<TargetResult>,
    /// Wall time of the whole publish.
    pub elapsed: Duration,
    /// What was published differently from what was asked, without failing
    /// (a link whose page has no Open Graph tags went out without a card).
    pub warnings: Vec<String>,
}

impl PublishReport {
    /// Whether every target was published.
    pub fn all_ok(&self) -> bool {
        self.results.iter().all(TargetResult::is_ok)
    }

    /// The successful targets.
    pub fn published(&self) -> impl Iterator<Item = (&AccountKey, &Published)> {
        self.results
            .iter()
            .filter_map(|r| r.outcome.as_ref().ok().map(|p| (&r.account, p)))
    }

    /// The failed targets.
    pub fn failed(&self) -> impl Iterator<Item = (&AccountKey, &Error)> {
        self.results
            .iter()
            .filter_map(|r| r.outcome.as_ref().err().map(|e| (&r.account, e)))
    }

    /// The seed system's shape, keyed by platform name (`"x"`, ...); a
    /// second account of the same platform is keyed `"{platform}:{account_id}"`.
    pub fn legacy(&self) -> BTreeMap<String, LegacyResult> {
        let mut out = BTreeMap::new();
        for r in &self.results {
            let mut key = r.account.platform.as_str().to_owned();
            if out.contains_key(&key) {
                key = format!("{}:{}", r.account.platform, r.account.account_id);
            }
            let value = match &r.outcome {
                Ok(p) => LegacyResult {
                    success: true,
                    post_id: Some(p.post_id.clone()),
                    url: Some(p.url.clone()),
                    message: format!("Published to {}", display_name(r.account.platform)),
                },
                Err(e) => LegacyResult {
                    success: false,
                    post_id: None,
                    url: None,
                    message: e.to_string(),
                },
            };
            out.insert(key, value);
        }
        out
    }
}

fn display_name(p: Platform) -> &'static str {
    Registry::standard()
        .get(p)
        .map_or("unknown", |m| m.display_name())
}
