//! The metrics refresh as a recurring job on the scheduling engine, when
//! [`super::SchedulerConfig::analytics`] turns it on.
//!
//! One record in the client's key-value store (`creatorsync/
//! analytics-refresh`) holds the round's generation; the engine holds one
//! job `{id: JOB_ID, generation}`. Every worker that runs
//! [`Scheduler::run`] takes part, but a round runs once across processes:
//!
//! 1. A worker starting seeds the chain when there is none (an insert: of
//!    two workers starting at once, one wins), or when the record says the
//!    chain stopped (its next round is overdue by
//!    [`AnalyticsRefresh::check_every`] plus the lease, and nobody runs
//!    it): the generation moves on and a job for it is enqueued; an older
//!    job is then stale.
//! 2. The worker the engine hands the job claims the round by
//!    compare-and-swap (same generation, no live lease), runs
//!    [`crate::CreatorSync::refresh_due_metrics`] for every user, then
//!    moves the generation on and enqueues the next round: at the next
//!    post due ([`crate::analytics::RefreshReport::next_due`]), at the
//!    latest after `check_every`. A job of another generation, or one
//!    another worker holds, does nothing.
//! 3. A worker dying mid-round leaves its lease to run out; the engine
//!    delivers the job again (its heartbeats stopped) and the round is
//!    claimed anew.
//!
//! No second poller: rounds are jobs like scheduled posts.
//! [`Scheduler::analytics_refresh`] shows the last round.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tracing::{info, warn};

use super::Scheduler;
use super::engine::{Job, JobHandler, JobQueue};
use crate::analytics::RefreshPolicy;
use crate::kv::layout;
use crate::{Error, Result};

/// The job id of a refresh round (schedule ids are UUIDs: never this).
const JOB_ID: &str = "creatorsync.analytics-refresh";

/// The scheduled metrics refresh: set it in
/// [`super::SchedulerConfig::analytics`] to have the workers refresh the
/// tracked posts' metrics on `policy`'s cadence.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AnalyticsRefresh {
    /// When each tracked post is read again (default: hourly for a day,
    /// daily to 30 days).
    pub policy: RefreshPolicy,
    /// The longest wait between two rounds (default 5 min): a post first
    /// read after a round is picked up by the next one at the latest then.
    /// A round with nothing due lists the tracked posts and sends nothing.
    pub check_every: Duration,
    /// How long a round may run before another worker may take it over
    /// (default 10 min).
    pub lease: Duration,
}

impl Default for AnalyticsRefresh {
    fn default() -> Self {
        Self {
            policy: RefreshPolicy::default(),
            check_every: Duration::from_secs(5 * 60),
            lease: Duration::from_secs(10 * 60),
        }
    }
}

/// What the scheduled refresh did last ([`Scheduler::analytics_refresh`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefreshStatus {
    /// Rounds run so far, by every worker.
    pub rounds: u64,
    /// When the last round ran (the client's clock).
    pub last_round_at: Option<DateTime<Utc>>,
    /// Posts the last round read successfully.
    pub last_refreshed: u64,
    /// Posts the last round could not read (tried again next round).
    pub last_failed: u64,
    /// When the next round is due.
    pub next_round_at: DateTime<Utc>,
}

/// The stored record.
#[derive(Clone, Debug, Serialize, Deserialize)]
struct State {
    generation: u32,
    /// Set while a worker runs the round.
    running_until: Option<DateTime<Utc>>,
    status: RefreshStatus,
}

fn key() -> String {
    layout::analytics_refresh()
}

impl Scheduler {
    /// The scheduled metrics refresh's last round (`None`: no worker with
    /// [`super::SchedulerConfig::analytics`] has run yet).
    pub async fn analytics_refresh(&self) -> Result<Option<RefreshStatus>> {
        Ok(load(self).await?.map(|(s, _)| s.status))
    }
}

async fn load(s: &Scheduler) -> Result<Option<(State, u64)>> {
    match s.sync.schedule_kv().get(&key()).await? {
        Some(v) => Ok(Some((
            layout::decode("analytics refresh", &v.value)?,
            v.version,
        ))),
        None => Ok(None),
    }
}

/// Writes `state` at `version` (None: insert); `false` when another
/// worker wrote first.
async fn store(s: &Scheduler, state: &State, version: Option<u64>) -> Result<bool> {
    let text = layout::encode("analytics refresh", state)?;
    match s.sync.schedule_kv().put(&key(), &text, version).await {
        Ok(_) => Ok(true),
        Err(Error::Conflict { .. }) => Ok(false),
        Err(e) => Err(e),
    }
}

async fn enqueue(queue: &Arc<dyn JobQueue>, generation: u32, delay: Duration) -> Result<()> {
    queue
        .enqueue(
            &Job {
                id: JOB_ID.to_owned(),
                generation,
            },
            delay,
        )
        .await
}

fn later(at: DateTime<Utc>, by: Duration) -> DateTime<Utc> {
    at + chrono::Duration::from_std(by).unwrap_or_default()
}

/// Starts the chain of rounds when there is none, or when it stopped.
pub(super) async fn seed(
    s: &Scheduler,
    queue: &Arc<dyn JobQueue>,
    cfg: &AnalyticsRefresh,
) -> Result<()> {
    let now = s.sync.now();
    let (state, version) = match load(s).await? {
        None => (
            State {
                generation: 1,
                running_until: None,
                status: RefreshStatus {
                    rounds: 0,
                    last_round_at: None,
                    last_refreshed: 0,
                    last_failed: 0,
                    next_round_at: now,
                },
            },
            None,
        ),
        Some((mut st, version)) => {
            let running = st.running_until.is_some_and(|t| t > now);
            let overdue = later(st.status.next_round_at, cfg.check_every + cfg.lease) < now;
            if running || !overdue {
                return Ok(());
            }
            st.generation = st.generation.wrapping_add(1);
            st.running_until = None;
            st.status.next_round_at = now;
            (st, Some(version))
        }
    };
    if store(s, &state, version).await? {
        info!(
            generation = state.generation,
            "metrics refresh: chain started"
        );
        enqueue(queue, state.generation, Duration::ZERO).await?;
    }
    Ok(())
}

/// Routes refresh rounds to [`round`] and every other job to the
/// scheduler's own handler.
pub(super) struct Dispatch {
    pub(super) inner: Arc<dyn JobHandler>,
    pub(super) scheduler: Scheduler,
    pub(super) queue: Arc<dyn JobQueue>,
    pub(super) cfg: AnalyticsRefresh,
}

#[async_trait]
impl JobHandler for Dispatch {
    async fn handle(&self, job: Job) -> Result<()> {
        if job.id == JOB_ID {
            round(&self.scheduler, &self.queue, &self.cfg, job.generation).await
        } else {
            self.inner.handle(job).await
        }
    }
}

/// One round, when this job's generation is still the record's and no
/// other worker holds it.
async fn round(
    s: &Scheduler,
    queue: &Arc<dyn JobQueue>,
    cfg: &AnalyticsRefresh,
    generation: u32,
) -> Result<()> {
    let now = s.sync.now();
    let Some((mut st, version)) = load(s).await? else {
        return Ok(());
    };
    if st.generation != generation || st.running_until.is_some_and(|t| t > now) {
        return Ok(());
    }
    st.running_until = Some(later(now, cfg.lease));
    if !store(s, &st, Some(version)).await? {
        return Ok(());
    }
    let claimed = version + 1;
    let (refreshed, failed, wait) = match s.sync.refresh_due_metrics(None, now, &cfg.policy).await {
        Ok(report) => {
            let ok = report.results.iter().filter(|r| r.outcome.is_ok()).count();
            let until_due = report
                .next_due
                .map(|at| (at - now).to_std().unwrap_or_default());
            let wait = until_due.map_or(cfg.check_every, |d| d.min(cfg.check_every));
            (ok, report.results.len() - ok, wait)
        }
        Err(e) => {
            warn!(error = %e, "metrics refresh: the round failed; next round as usual");
            (0, 0, cfg.check_every)
        }
    };
    st.generation = st.generation.wrapping_add(1);
    st.running_until = None;
    st.status = RefreshStatus {
        rounds: st.status.rounds + 1,
        last_round_at: Some(now),
        last_refreshed: u64::try_from(refreshed).unwrap_or(u64::MAX),
        last_failed: u64::try_from(failed).unwrap_or(u64::MAX),
        next_round_at: later(now, wait),
    };
    if !store(s, &st, Some(claimed)).await? {
        // The chain was restarted meanwhile: that generation goes on.
        return Ok(());
    }
    info!(refreshed, failed, "metrics refresh: round done");
    enqueue(queue, st.generation, wait).await
}
