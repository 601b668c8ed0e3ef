//! Scheduling many posts in one call: each item checked like a single
//! schedule; all or nothing, or the valid ones only.

use serde::Serialize;

use super::Scheduler;
use super::at::ScheduleAt;
use super::call::{Booked, Checked, Spec};
use super::view::{ErrorSummary, ScheduleId};
use crate::{Platform, Post, Result, Target};

/// What [`Scheduler::schedule_many`] does when an item fails its checks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum BulkMode {
    /// Schedule nothing unless every item passes.
    #[default]
    AllOrNothing,
    /// Schedule the items that pass; report the others.
    ValidOnly,
}

/// One post of a bulk schedule.
#[derive(Clone, Debug)]
pub struct BulkItem {
    /// The user it publishes for.
    pub user_id: String,
    /// The post.
    pub post: Post,
    /// When.
    pub at: ScheduleAt,
    /// Targets (empty: every connected account).
    pub targets: Vec<Target>,
    /// An idempotency key (see [`super::ScheduleCall::idempotency_key`]).
    pub idempotency_key: Option<String>,
    /// Platforms that schedule it natively.
    pub native: Vec<Platform>,
}

impl BulkItem {
    /// A post for `user_id` at `at`, to every connected account.
    pub fn new(user_id: impl Into<String>, post: Post, at: impl Into<ScheduleAt>) -> Self {
        Self {
            user_id: user_id.into(),
            post,
            at: at.into(),
            targets: Vec::new(),
            idempotency_key: None,
            native: Vec::new(),
        }
    }

    /// Only these targets.
    #[must_use]
    pub fn targets<T: Into<Target>>(mut self, targets: impl IntoIterator<Item = T>) -> Self {
        self.targets = targets.into_iter().map(Into::into).collect();
        self
    }

    /// With an idempotency key.
    #[must_use]
    pub fn idempotency_key(mut self, key: impl Into<String>) -> Self {
        self.idempotency_key = Some(key.into());
        self
    }
}

/// One item's outcome.
#[derive(Clone, Debug, Serialize)]
pub struct BulkItemResult {
    /// Its position in the input.
    pub index: usize,
    /// Its id, when scheduled.
    pub id: Option<ScheduleId>,
    /// Why not, when it failed its checks (`None` with no id: it passed,
    /// but another item failed an all-or-nothing call).
    pub error: Option<ErrorSummary>,
}

/// The outcome of a bulk schedule.
#[derive(Clone, Debug, Serialize)]
pub struct BulkReport {
    /// How many items were scheduled.
    pub scheduled: usize,
    /// One entry per item, in input order.
    pub items: Vec<BulkItemResult>,
}

impl Scheduler {
    /// Checks every item (each against the quotas the items before it will
    /// use), then schedules them all ([`BulkMode::AllOrNothing`]: none if
    /// any failed) or the valid ones ([`BulkMode::ValidOnly`]).
    /// A store or engine failure while storing is returned as the error;
    /// items stored before it stay scheduled and are in no report, so
    /// give items idempotency keys to call again safely.
    pub async fn schedule_many(&self, items: Vec<BulkItem>, mode: BulkMode) -> Result<BulkReport> {
        let mut checked: Vec<std::result::Result<Checked, crate::Error>> =
            Vec::with_capacity(items.len());
        let mut booked = Booked::of(&self.records.all().await?);
        for item in &items {
            let spec = Spec {
                at: Some(item.at),
                targets: item.targets.clone(),
                idempotency_key: item.idempotency_key.clone(),
                valid_only: false,
                native: item.native.clone(),
            };
            let c = self
                .check(&item.user_id, &item.post, &spec, Some(&booked))
                .await;
            if let Ok(c) = &c {
                booked.add(&c.record);
            }
            checked.push(c);
        }
        let any_failed = checked.iter().any(std::result::Result::is_err);
        let mut out = BulkReport {
            scheduled: 0,
            items: Vec::with_capacity(items.len()),
        };
        for (index, c) in checked.into_iter().enumerate() {
            let result = match c {
                Err(e) => BulkItemResult {
                    index,
                    id: None,
                    error: Some(ErrorSummary::from(&e)),
                },
                Ok(_) if any_failed && mode == BulkMode::AllOrNothing => BulkItemResult {
                    index,
                    id: None,
                    error: None,
                },
                Ok(c) => {
                    let id = self.commit(c).await?;
                    out.scheduled += 1;
                    BulkItemResult {
                        index,
                        id: Some(id),
                        error: None,
                    }
                }
            };
            out.items.push(result);
        }
        Ok(out)
    }
}
