//! The quota ledger over the shared [`KeyValueStore`]: one entry per
//! (platform, quota, scope), holding the uses inside the window and, when
//! the platform said the quota is used up, until when.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tracing::warn;

use super::{Bucket, QuotaScope};
use crate::clock::Clock;
use crate::kv::cas::{self, Decision};
use crate::{AccountKey, Error, KeyValueStore, Platform, Result};

/// One quota's state for one scope, as the caller sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct QuotaUsage {
    /// The platform.
    pub platform: Platform,
    /// The quota's name (`posts`, `uploads`, `reels`...).
    pub bucket: String,
    /// What it is counted per.
    pub scope: QuotaScope,
    /// The account it is counted for (`None` for a quota shared by the
    /// user's accounts or the app).
    pub account_id: Option<String>,
    /// The window (`rolling 24h`, `day America/Los_Angeles`).
    pub window: String,
    /// Uses this SDK recorded inside the window (every worker sharing the
    /// store).
    pub used: u32,
    /// The cap, when the SDK counts it.
    pub limit: Option<u32>,
    /// Slots left (0 while the platform reported the quota used up).
    pub remaining: Option<u32>,
    /// When the next slot frees (`None` while nothing is used).
    pub resets_at: Option<DateTime<Utc>>,
}

/// A quota as a post due later will find it ([`Ledger::outlook`]).
#[derive(Debug, Clone)]
pub(crate) struct Outlook {
    /// The ledger key (one per quota and scope).
    pub(crate) key: String,
    /// The cap, when counted.
    pub(crate) limit: Option<u32>,
    /// Recorded uses that still count at the due time.
    pub(crate) used: u32,
    /// The start of the window at the due time.
    pub(crate) window_start: DateTime<Utc>,
    /// A platform-reported exhaustion lasting past the due time.
    pub(crate) blocked_until: Option<DateTime<Utc>>,
    /// When a slot frees after the due time (for the error).
    pub(crate) resets_at: DateTime<Utc>,
}

/// A slot taken by a publish, given back with [`Ledger::release`] when the
/// target fails before its create could reach the platform.
#[derive(Debug, Clone)]
pub(crate) struct Reserved {
    key: String,
    use_id: String,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct Entry {
    #[serde(default)]
    uses: Vec<Use>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    blocked_until: Option<DateTime<Utc>>,
}

#[derive(Debug, Serialize, Deserialize)]
struct Use {
    id: String,
    at: DateTime<Utc>,
}

impl Entry {
    /// Drops uses outside the window and a block that has passed.
    fn prune(&mut self, bucket: &Bucket, now: DateTime<Utc>) {
        let start = bucket.window.start(now);
        self.uses.retain(|u| u.at > start);
        if self.blocked_until.is_some_and(|t| t <= now) {
            self.blocked_until = None;
        }
    }

    /// When the next slot frees.
    fn frees_at(&self, bucket: &Bucket, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        if let Some(until) = self.blocked_until {
            return Some(until);
        }
        let oldest = self.uses.iter().map(|u| u.at).min()?;
        Some(bucket.window.frees_at(now, oldest))
    }
}

/// The ledger shared by every worker on one store.
#[derive(Debug, Clone)]
pub(crate) struct Ledger {
    kv: Arc<dyn KeyValueStore>,
    clock: Arc<dyn Clock>,
    /// Caps the app changed (a raised YouTube quota, a test's small cap).
    limits: BTreeMap<(Platform, String), u32>,
}

impl Ledger {
    pub(crate) fn new(
        kv: Arc<dyn KeyValueStore>,
        clock: Arc<dyn Clock>,
        limits: BTreeMap<(Platform, String), u32>,
    ) -> Self {
        Self { kv, clock, limits }
    }

    /// The store the ledger keeps its entries in (the client's shared
    /// key-value store, also holding metrics history and the scheduler's
    /// records).
    pub(crate) fn kv(&self) -> &Arc<dyn KeyValueStore> {
        &self.kv
    }

    /// What a post due at `at` will find of `bucket` for an account: the
    /// ledger key, the cap (None: not counted here), the recorded uses
    /// still inside the window at `at`, the start of that window, and
    /// until when the platform reported it used up, if that lasts past `at`.
    pub(crate) async fn outlook(
        &self,
        platform: Platform,
        bucket: &Bucket,
        account: &AccountKey,
        at: DateTime<Utc>,
    ) -> Result<Outlook> {
        let key = Self::key_for(platform, bucket, account);
        let entry = self.read(&key).await?;
        let start = bucket.window.start(at);
        let inside: Vec<DateTime<Utc>> = entry
            .uses
            .iter()
            .map(|u| u.at)
            .filter(|t| *t > start && *t <= at)
            .collect();
        let used = inside.len();
        let oldest = inside.iter().min().copied().unwrap_or(at);
        Ok(Outlook {
            limit: self.limit(platform, bucket),
            used: u32::try_from(used).unwrap_or(u32::MAX),
            window_start: start,
            blocked_until: entry.blocked_until.filter(|t| *t > at),
            resets_at: bucket.window.frees_at(at, oldest),
            key,
        })
    }

    /// The cap counted for `bucket`.
    fn limit(&self, platform: Platform, bucket: &Bucket) -> Option<u32> {
        self.limits
            .get(&(platform, bucket.name.to_owned()))
            .copied()
            .or(bucket.limit)
    }

    /// The ledger key of `bucket` for an account.
    fn key_for(platform: Platform, bucket: &Bucket, account: &AccountKey) -> String {
        let scope_id = match bucket.scope {
            QuotaScope::Account => format!("account:{}", account.account_id),
            QuotaScope::User => format!("user:{}", account.user_id),
            QuotaScope::App => "app".to_owned(),
        };
        crate::kv::layout::quota(platform, bucket.name, &scope_id)
    }

    async fn read(&self, key: &str) -> Result<Entry> {
        let v = self.kv.get(key).await?;
        Ok(Self::parse(key, v.as_ref().map(|v| v.value.as_str())))
    }

    /// The entry stored as `text` (none: an empty entry).
    fn parse(key: &str, text: Option<&str>) -> Entry {
        let Some(text) = text else {
            return Entry::default();
        };
        serde_json::from_str(text).unwrap_or_else(|e| {
            warn!(key, error = %e, "an unreadable quota entry is counted as empty");
            Entry::default()
        })
    }

    fn encode(entry: &Entry) -> Result<String> {
        serde_json::to_string(entry)
            .map_err(|e| Error::store(format!("cannot encode a quota entry: {e}")))
    }

    fn exhausted(
        platform: Platform,
        bucket: &Bucket,
        limit: Option<u32>,
        resets_at: DateTime<Utc>,
        message: String,
    ) -> Error {
        Error::QuotaExhausted {
            platform,
            bucket: bucket.name.to_owned(),
            limit,
            resets_at,
            message,
        }
    }

    /// Takes one slot of `bucket` for the use `use_id` (the idempotency key
    /// and account: a retry finds its own slot and takes no other), or
    /// fails with [`Error::QuotaExhausted`].
    pub(crate) async fn reserve(
        &self,
        platform: Platform,
        bucket: &Bucket,
        account: &AccountKey,
        use_id: &str,
    ) -> Result<Option<Reserved>> {
        let key = Self::key_for(platform, bucket, account);
        let limit = self.limit(platform, bucket);
        let reserved = Reserved {
            key: key.clone(),
            use_id: use_id.to_owned(),
        };
        cas::update(self.kv.as_ref(), &key, "quota entry", |text| {
            let now = self.clock.now();
            let mut entry = Self::parse(&key, text);
            entry.prune(bucket, now);
            if let Some(until) = entry.blocked_until {
                return Err(Self::exhausted(
                    platform,
                    bucket,
                    limit,
                    until,
                    "the platform reported this quota used up".into(),
                ));
            }
            let Some(cap) = limit else {
                // Not counted here: only a platform's answer blocks it.
                return Ok(Decision::Keep(None));
            };
            if entry.uses.iter().any(|u| u.id == use_id) {
                return Ok(Decision::Keep(Some(reserved.clone())));
            }
            if entry.uses.len() >= cap as usize {
                let resets_at = entry.frees_at(bucket, now).unwrap_or(now);
                return Err(Self::exhausted(
                    platform,
                    bucket,
                    Some(cap),
                    resets_at,
                    format!(
                        "{} of {cap} used in the {} window",
                        entry.uses.len(),
                        bucket.window.describe()
                    ),
                ));
            }
            entry.uses.push(Use {
                id: use_id.to_owned(),
                at: now,
            });
            Ok(Decision::Write(
                Self::encode(&entry)?,
                Some(reserved.clone()),
            ))
        })
        .await
    }

    /// Gives a slot back (the target failed before its create could reach
    /// the platform).
    pub(crate) async fn release(&self, reserved: &Reserved) -> Result<()> {
        cas::update(self.kv.as_ref(), &reserved.key, "quota entry", |text| {
            let mut entry = Self::parse(&reserved.key, text);
            let before = entry.uses.len();
            entry.uses.retain(|u| u.id != reserved.use_id);
            Ok(if entry.uses.len() == before {
                Decision::Keep(())
            } else {
                Decision::Write(Self::encode(&entry)?, ())
            })
        })
        .await
    }

    /// Records that the platform reported `bucket` used up until `until`.
    pub(crate) async fn block(
        &self,
        platform: Platform,
        bucket: &Bucket,
        account: &AccountKey,
        until: DateTime<Utc>,
    ) -> Result<()> {
        let key = Self::key_for(platform, bucket, account);
        cas::update(self.kv.as_ref(), &key, "quota entry", |text| {
            let mut entry = Self::parse(&key, text);
            if entry.blocked_until.is_some_and(|t| t >= until) {
                return Ok(Decision::Keep(()));
            }
            entry.blocked_until = Some(until);
            Ok(Decision::Write(Self::encode(&entry)?, ()))
        })
        .await
    }

    /// The state of `bucket` for an account.
    pub(crate) async fn usage(
        &self,
        platform: Platform,
        bucket: &Bucket,
        account: &AccountKey,
    ) -> Result<QuotaUsage> {
        let key = Self::key_for(platform, bucket, account);
        let now = self.clock.now();
        let mut entry = self.read(&key).await?;
        entry.prune(bucket, now);
        let limit = self.limit(platform, bucket);
        let used = u32::try_from(entry.uses.len()).unwrap_or(u32::MAX);
        let remaining = if entry.blocked_until.is_some() {
            Some(0)
        } else {
            limit.map(|l| l.saturating_sub(used))
        };
        Ok(QuotaUsage {
            platform,
            bucket: bucket.name.to_owned(),
            scope: bucket.scope,
            account_id: (bucket.scope == QuotaScope::Account).then(|| account.account_id.clone()),
            window: bucket.window.describe(),
            used,
            limit,
            remaining,
            resets_at: entry.frees_at(bucket, now),
        })
    }
}
