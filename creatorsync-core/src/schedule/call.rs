//! Scheduling one post: [`ScheduleCall`], and the checks and writes every
//! schedule (single or bulk) goes through.

use std::collections::HashMap;
use std::future::{Future, IntoFuture};
use std::pin::Pin;

use super::Scheduler;
use chrono::{DateTime, Utc};

use super::at::ScheduleAt;
use super::record::{Record, StoredPost, StoredTarget};
use super::view::{ScheduleId, ScheduleState};
use crate::publish::invalid_post;
use crate::{Error, Platform, Post, Result, Target};

/// A configured schedule; `.await` it (or call [`ScheduleCall::send`]).
#[derive(Debug)]
#[must_use = "nothing is scheduled until awaited"]
pub struct ScheduleCall<'a> {
    scheduler: &'a Scheduler,
    user_id: &'a str,
    post: &'a Post,
    spec: Spec,
}

/// What a schedule asks for, besides the user and post.
#[derive(Clone, Debug, Default)]
pub(crate) struct Spec {
    pub(crate) at: Option<ScheduleAt>,
    pub(crate) targets: Vec<Target>,
    pub(crate) idempotency_key: Option<String>,
    pub(crate) valid_only: bool,
    pub(crate) native: Vec<Platform>,
}

impl<'a> ScheduleCall<'a> {
    pub(super) fn new(
        scheduler: &'a Scheduler,
        user_id: &'a str,
        post: &'a Post,
        at: ScheduleAt,
    ) -> Self {
        Self {
            scheduler,
            user_id,
            post,
            spec: Spec {
                at: Some(at),
                ..Spec::default()
            },
        }
    }

    /// Publish to these targets only (default: every connected account,
    /// as connected when scheduling).
    pub fn targets<T: Into<Target>>(mut self, targets: impl IntoIterator<Item = T>) -> Self {
        self.spec.targets = targets.into_iter().map(Into::into).collect();
        self
    }

    /// Scheduling again with the same key returns the first schedule's id
    /// and schedules nothing.
    pub fn idempotency_key(mut self, key: impl Into<String>) -> Self {
        self.spec.idempotency_key = Some(key.into());
        self
    }

    /// Schedule for the targets the post is valid for and leave the others
    /// out (reported when it runs), instead of refusing the schedule.
    pub fn valid_targets_only(mut self) -> Self {
        self.spec.valid_only = true;
        self
    }

    /// Let `platform` schedule the post itself (YouTube `publishAt`): the
    /// worker uploads early and the platform makes it live at the time.
    /// Platforms without it fail the schedule with [`Error::Unsupported`].
    pub fn native(mut self, platform: Platform) -> Self {
        if !self.spec.native.contains(&platform) {
            self.spec.native.push(platform);
        }
        self
    }

    /// Checks and schedules.
    pub async fn send(self) -> Result<ScheduleId> {
        let checked = self
            .scheduler
            .check(self.user_id, self.post, &self.spec, None)
            .await?;
        self.scheduler.commit(checked).await
    }
}

impl<'a> IntoFuture for ScheduleCall<'a> {
    type Output = Result<ScheduleId>;
    type IntoFuture = Pin<Box<dyn Future<Output = Result<ScheduleId>> + Send + 'a>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}

/// The due times of posts that will use each quota (ledger key), sorted:
/// scheduled or running posts, counted against later schedules.
#[derive(Debug, Default)]
pub(crate) struct Booked(HashMap<String, Vec<DateTime<Utc>>>);

impl Booked {
    /// The posts of `records` still to run.
    pub(crate) fn of(records: &[Record]) -> Self {
        let mut b = Self::default();
        for r in records {
            b.add(r);
        }
        b
    }

    /// Counts `r` when it is still to run.
    pub(crate) fn add(&mut self, r: &Record) {
        if !matches!(r.state, ScheduleState::Scheduled | ScheduleState::Running) {
            return;
        }
        for key in &r.quota_keys {
            let dues = self.0.entry(key.clone()).or_default();
            let at = dues.partition_point(|d| *d <= r.due_at);
            dues.insert(at, r.due_at);
        }
    }

    /// Posts using `key` due in `(after, upto]`.
    fn count(&self, key: &str, after: DateTime<Utc>, upto: DateTime<Utc>) -> u32 {
        let Some(dues) = self.0.get(key) else {
            return 0;
        };
        let n = dues.partition_point(|d| *d <= upto) - dues.partition_point(|d| *d <= after);
        u32::try_from(n).unwrap_or(u32::MAX)
    }
}

/// A record that passed every check, not stored yet.
#[derive(Debug)]
pub(crate) struct Checked {
    pub(crate) record: Record,
    pub(crate) idempotency_key: Option<String>,
}

impl Scheduler {
    /// Every check of one schedule. `booked` holds the posts already
    /// scheduled (a bulk call's, with its items checked so far); `None`
    /// reads them from the store when a quota needs them.
    pub(crate) async fn check(
        &self,
        user_id: &str,
        post: &Post,
        spec: &Spec,
        booked: Option<&Booked>,
    ) -> Result<Checked> {
        let at = spec
            .at
            .ok_or_else(|| Error::invalid_input("at", "a scheduled post needs a time"))?;
        if let Some(k) = &spec.idempotency_key {
            crate::account::check_id("idempotency_key", k)?;
        }
        for p in &spec.native {
            super::run::native_supported(*p)?;
        }
        let stored = StoredPost::of(post)?;
        let due = at.instant();
        let pre = self
            .sync
            .preflight(user_id, post, &spec.targets, due)
            .await?;
        if !spec.valid_only {
            if !pre.invalid.is_empty() {
                return Err(invalid_post(&pre.invalid));
            }
            if let Some(t) = pre.missing.first() {
                return Err(t.not_connected(user_id));
            }
        }
        if pre
            .accounts
            .iter()
            .all(|a| pre.invalid.contains_key(&a.platform))
        {
            return Err(if pre.invalid.is_empty() {
                Error::NotConnected {
                    user_id: user_id.to_owned(),
                    platform: spec.targets.first().map_or(Platform::X, Target::platform),
                    account: None,
                }
            } else {
                invalid_post(&pre.invalid)
            });
        }
        // Quotas that will certainly be used up at the due time.
        let counted = pre
            .quotas
            .iter()
            .any(|q| q.outlook.limit.is_some() || q.outlook.blocked_until.is_some());
        let loaded;
        let booked = match booked {
            Some(b) => b,
            None if counted => {
                loaded = Booked::of(&self.records.all().await?);
                &loaded
            }
            None => {
                loaded = Booked::default();
                &loaded
            }
        };
        for q in &pre.quotas {
            let o = &q.outlook;
            if let Some(until) = o.blocked_until {
                return Err(Error::QuotaExhausted {
                    platform: q.platform,
                    bucket: q.bucket.to_owned(),
                    limit: o.limit,
                    resets_at: until,
                    message: "the platform reported this quota used up past the due time".into(),
                });
            }
            let Some(cap) = o.limit else { continue };
            let scheduled = booked.count(&o.key, o.window_start, due);
            if o.used.saturating_add(scheduled) >= cap {
                return Err(Error::QuotaExhausted {
                    platform: q.platform,
                    bucket: q.bucket.to_owned(),
                    limit: Some(cap),
                    resets_at: o.resets_at,
                    message: format!(
                        "at the due time {} of {cap} will be used ({} published, {scheduled} scheduled in the window)",
                        o.used + scheduled,
                        o.used
                    ),
                });
            }
        }
        let now = self.sync.now();
        let mut quota_keys: Vec<String> =
            pre.quotas.iter().map(|q| q.outlook.key.clone()).collect();
        quota_keys.dedup();
        let targets = if spec.targets.is_empty() {
            // Every connected account, as connected now.
            pre.accounts
                .iter()
                .map(|a| StoredTarget {
                    platform: a.platform,
                    account_id: Some(a.account_id.clone()),
                })
                .collect()
        } else {
            spec.targets.iter().map(StoredTarget::from).collect()
        };
        Ok(Checked {
            record: Record {
                id: uuid::Uuid::new_v4().to_string(),
                user_id: user_id.to_owned(),
                post: stored,
                targets,
                valid_only: spec.valid_only,
                native: spec.native.clone(),
                due_at: due,
                quota_keys,
                zone: at.zone_name(),
                local_time: at.local_time(),
                state: ScheduleState::Scheduled,
                generation: 0,
                attempts: 0,
                worker: None,
                lease_until: None,
                results: Vec::new(),
                error: None,
                created_at: now,
                updated_at: now,
                started_at: None,
                finished_at: None,
            },
            idempotency_key: spec.idempotency_key.clone(),
        })
    }

    /// Stores a checked record and enqueues its job (or returns the id an
    /// earlier schedule with the same idempotency key made).
    pub(crate) async fn commit(&self, checked: Checked) -> Result<ScheduleId> {
        let queue = self.jobs().queue().await?;
        let rec = checked.record;
        if let Some(key) = &checked.idempotency_key
            && let Some(existing) = self.records.claim_key(&rec.user_id, key, &rec.id).await?
        {
            return Ok(ScheduleId(existing));
        }
        let stored = async {
            self.records.insert(&rec).await?;
            self.enqueue(queue, &rec).await
        }
        .await;
        if let Err(e) = stored {
            // Leave nothing half-made: no record without a job.
            let _ = self.records.remove(&rec.id).await;
            if let Some(key) = &checked.idempotency_key {
                let _ = self.records.release_key(&rec.user_id, key).await;
            }
            return Err(e);
        }
        Ok(ScheduleId(rec.id))
    }
}
