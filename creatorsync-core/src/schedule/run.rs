//! A due job: claim the record (compare-and-swap scheduled → running),
//! run the ordinary publish with the schedule id as idempotency key under
//! a renewed lease, and settle the record with per-target results.

use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use tracing::{info, warn};

use super::Scheduler;
use super::engine::{Job, JobHandler};
use super::record::Record;
use super::view::{ErrorSummary, FollowUpOutcome, ScheduleState, TargetMode, TargetOutcome};
use crate::events::{Event, EventKind};
use crate::heartbeat::{Renew, heartbeat};
use crate::platforms::Registry;
use crate::{Error, Platform, Post, PublishReport, Result, Target};

/// The scheduler's side of the engine.
pub(super) struct Handler {
    pub(super) scheduler: Scheduler,
    pub(super) worker: String,
}

#[async_trait]
impl JobHandler for Handler {
    async fn handle(&self, job: Job) -> Result<()> {
        self.scheduler.run_job(&job, &self.worker).await
    }
}

/// Whether `platform` can schedule a post itself.
pub(super) fn native_supported(platform: Platform) -> Result<()> {
    let module = Registry::standard().get(platform)?;
    if module.schedule_natively(&mut Post::default(), Utc::now()) {
        Ok(())
    } else {
        Err(Error::Unsupported {
            platform,
            message: "this platform has no native scheduling (YouTube publishAt and \
                      Facebook scheduled_publish_time do)"
                .into(),
        })
    }
}

/// The post with the platform's own scheduling set for the due time.
fn apply_native(post: &mut Post, platform: Platform, due: DateTime<Utc>) -> Result<()> {
    Registry::standard()
        .get(platform)?
        .schedule_natively(post, due);
    Ok(())
}

/// A running record's lease, held by `worker` and renewed through the
/// shared heartbeat while the publish runs.
struct RecordLease {
    scheduler: Scheduler,
    id: String,
    worker: String,
    ttl: Duration,
}

#[async_trait]
impl Renew for RecordLease {
    async fn renew(&mut self) -> bool {
        let until =
            self.scheduler.sync.now() + chrono::Duration::from_std(self.ttl).unwrap_or_default();
        self.scheduler
            .records
            .update(&self.id, |r| {
                if r.state != ScheduleState::Running || r.worker.as_deref() != Some(&self.worker) {
                    return Err(Error::Cancelled);
                }
                let mut next = r.clone();
                next.lease_until = Some(until);
                Ok(next)
            })
            .await
            .is_ok()
    }
}

/// What to do after a claim attempt.
pub(super) enum Claim {
    /// Run it (the record as claimed).
    Run(Box<Record>),
    /// Nothing to do: stale, settled or cancelled.
    Skip,
    /// Not yet (not due, or another live worker holds it): look again then.
    Later(Duration),
}

impl Scheduler {
    /// One delivery of `job`.
    pub(super) async fn run_job(&self, job: &Job, worker: &str) -> Result<()> {
        let rec = match self.claim(job, worker).await? {
            Claim::Skip => return Ok(()),
            Claim::Later(wait) => {
                let queue = self.jobs().queue().await?;
                return queue.enqueue(job, wait).await;
            }
            Claim::Run(rec) => *rec,
        };
        info!(id = %rec.id, attempt = rec.attempts, "running a scheduled post");
        let ttl = self.sync.lease_ttl();
        let mut lease = RecordLease {
            scheduler: self.clone(),
            id: rec.id.clone(),
            worker: worker.to_owned(),
            ttl,
        };
        let renew = tokio::spawn(async move { heartbeat(ttl, &mut lease).await });
        let outcome = self.publish(&rec).await;
        renew.abort();
        self.settle(&rec, worker, outcome).await
    }

    /// Whether `worker` claimed the job's record (tests of the races).
    #[cfg(test)]
    pub(super) async fn claim_for_test(&self, job: &Job, worker: &str) -> bool {
        matches!(self.claim(job, worker).await, Ok(Claim::Run(_)))
    }

    /// Claims the record for `worker` by compare-and-swap.
    async fn claim(&self, job: &Job, worker: &str) -> Result<Claim> {
        let mut decision = Claim::Skip;
        let now = self.sync.now();
        let ttl = chrono::Duration::from_std(self.sync.lease_ttl()).unwrap_or_default();
        let claimed = self
            .records
            .update(&job.id, |r| {
                decision = Claim::Skip;
                if r.generation != job.generation {
                    return Err(Error::Cancelled);
                }
                let start = super::run_time(r);
                match r.state {
                    ScheduleState::Scheduled if start > now => {
                        decision = Claim::Later((start - now).to_std().unwrap_or_default());
                        return Err(Error::Cancelled);
                    }
                    ScheduleState::Scheduled => {}
                    ScheduleState::Running => match r.lease_until {
                        // Another worker holds it: look again when its lease ends.
                        Some(until) if until > now && r.worker.as_deref() != Some(worker) => {
                            decision = Claim::Later((until - now).to_std().unwrap_or_default());
                            return Err(Error::Cancelled);
                        }
                        // Its worker died: take over (the publish log
                        // reconciles whatever it left open).
                        _ => {}
                    },
                    _ => return Err(Error::Cancelled),
                }
                let mut next = r.clone();
                next.state = ScheduleState::Running;
                next.worker = Some(worker.to_owned());
                next.lease_until = Some(now + ttl);
                next.attempts += 1;
                next.started_at = Some(now);
                next.updated_at = now;
                Ok(next)
            })
            .await;
        match claimed {
            Ok(rec) => Ok(Claim::Run(Box::new(rec))),
            Err(Error::Cancelled) => Ok(decision),
            // The record is gone (its schedule failed to enqueue): nothing to do.
            Err(Error::InvalidInput { .. }) => Ok(Claim::Skip),
            Err(e) => Err(e),
        }
    }

    /// The ordinary publish, keyed by the schedule id.
    async fn publish(&self, rec: &Record) -> Result<PublishReport> {
        let mut post = rec.post.to_post().await?;
        for p in &rec.native {
            apply_native(&mut post, *p, rec.due_at)?;
        }
        let targets: Vec<Target> = rec.targets.iter().map(Target::from).collect();
        let mut call = self
            .sync
            .publish(&rec.user_id, &post)
            .targets(targets)
            .idempotency_key(rec.id.clone());
        if rec.valid_only {
            call = call.valid_targets_only();
        }
        call.await
    }

    /// Records the outcome: settled, or scheduled again after a backoff
    /// for a transient failure (bounded by the configured retries).
    async fn settle(
        &self,
        rec: &Record,
        worker: &str,
        outcome: Result<PublishReport>,
    ) -> Result<()> {
        let cfg = &self.jobs().config;
        let (results, error, state, transient) = match &outcome {
            Ok(report) => {
                let results: Vec<TargetOutcome> = report
                    .results
                    .iter()
                    .map(|r| target_outcome(r, rec.mode_of(r.platform())))
                    .collect();
                let open = report.results.iter().any(|r| {
                    matches!(
                        r.outcome,
                        Err(Error::OutcomeUnknown { .. } | Error::CreatedUnfinished { .. })
                    )
                });
                let transient = report.failed().all(|(_, e)| transient(e));
                let state = if report.all_ok() {
                    ScheduleState::Published
                } else if open {
                    ScheduleState::OutcomeUnknown
                } else {
                    ScheduleState::Failed
                };
                (results, None, state, !report.all_ok() && transient)
            }
            Err(e) => (
                Vec::new(),
                Some(ErrorSummary::from(e)),
                ScheduleState::Failed,
                transient(e),
            ),
        };
        let retries_left = rec.attempts <= cfg.retry.max_retries;
        let again = transient && retries_left;
        let wait = match &outcome {
            Err(e) => e.retry_after(),
            Ok(r) => r.failed().filter_map(|(_, e)| e.retry_after()).max(),
        }
        .unwrap_or_else(|| cfg.retry.backoff(rec.attempts.saturating_sub(1)))
        .max(Duration::from_millis(500));
        let now = self.sync.now();
        let settled = self
            .records
            .update(&rec.id, |r| {
                if r.state != ScheduleState::Running || r.worker.as_deref() != Some(worker) {
                    // Taken over meanwhile (our lease ran out): theirs now.
                    return Err(Error::Cancelled);
                }
                let mut next = r.clone();
                next.results.clone_from(&results);
                next.error.clone_from(&error);
                next.worker = None;
                next.lease_until = None;
                next.updated_at = now;
                if again {
                    next.state = ScheduleState::Scheduled;
                    next.generation += 1;
                    next.due_at = next
                        .due_at
                        .max(now + chrono::Duration::from_std(wait).unwrap_or_default());
                } else {
                    next.state = state;
                    next.finished_at = Some(now);
                }
                Ok(next)
            })
            .await;
        let rec = match settled {
            Ok(r) => r,
            Err(Error::Cancelled) => {
                warn!(id = %rec.id, "a scheduled post was taken over by another worker while it ran");
                return Ok(());
            }
            Err(e) => return Err(e),
        };
        if again {
            info!(id = %rec.id, ?wait, "transient failure; the scheduled post runs again");
            let queue = self.jobs().queue().await?;
            return self.enqueue(queue, &rec).await;
        }
        self.emit(&rec).await;
        Ok(())
    }

    /// Tells the event sink, if any, how the post settled.
    async fn emit(&self, rec: &Record) {
        let Some(sink) = &self.jobs().config.events else {
            return;
        };
        let kind = match rec.state {
            ScheduleState::Published => EventKind::PostPublished,
            ScheduleState::OutcomeUnknown => EventKind::PostOutcomeUnknown,
            ScheduleState::Failed => EventKind::PostFailed,
            _ => return,
        };
        let event = Event {
            id: format!("{}:{}:{}", rec.id, rec.generation, rec.attempts),
            kind,
            created_at: self.sync.now(),
            data: crate::contract::views::to_json(&super::ScheduledPost::from(rec)),
        };
        if let Err(e) = sink.deliver(&event).await {
            warn!(id = %rec.id, error = %e, "could not deliver a scheduled-post event");
        }
    }
}

/// Whether running the post again later may succeed: what the error says,
/// and also a store that failed or timed out (a busy pool, a contended
/// row). Running again is always safe: same idempotency key.
fn transient(e: &Error) -> bool {
    e.is_retryable() || matches!(e, Error::Store { .. })
}

fn target_outcome(r: &crate::TargetResult, mode: TargetMode) -> TargetOutcome {
    let (post_id, url, error) = match &r.outcome {
        Ok(p) => (Some(p.post_id.clone()), Some(p.url.clone()), None),
        Err(e) => (None, None, Some(ErrorSummary::from(e))),
    };
    TargetOutcome {
        platform: r.platform(),
        account_id: r.account.account_id.clone(),
        ok: r.outcome.is_ok(),
        post_id,
        url,
        error,
        elapsed_ms: r.elapsed.as_secs_f64() * 1000.0,
        reused: r.reused,
        mode,
        parts: r.parts.iter().map(FollowUpOutcome::from).collect(),
        comment: r.comment.as_ref().map(FollowUpOutcome::from),
        draft: r.draft,
    }
}
