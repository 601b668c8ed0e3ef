//! Scheduled and bulk publishing on a job engine.
//!
//! [`crate::CreatorSync::scheduler`] gives a [`Scheduler`]: `schedule` a post
//! for an instant or a local time in an IANA zone ([`ScheduleAt`], DST rule
//! in its docs), then `get`, `list`, `reschedule`, `cancel`, `retry`, and
//! `schedule_many` for bulk. [`Scheduler::run`] runs a worker in-process.
//!
//! * **Records** live in the client's [`crate::KeyValueStore`] (the SQLite
//!   or PostgreSQL store, or a host store), under `creatorsync/schedule/`.
//!   Every state change is a compare-and-swap: of a `cancel` and a worker
//!   starting the same due post, exactly one wins.
//! * **Jobs** live in the job engine (apalis on SQLite or PostgreSQL, see
//!   [`JobStore`]); a job only says "look at schedule X (generation G) now".
//!   A stale job (the post was rescheduled, cancelled or already ran) does
//!   nothing.
//! * **Exactly once**: the due job runs the ordinary publish with the
//!   schedule id as the idempotency key, so the publish log's leases and
//!   its reconcile-before-recreate rule hold when the engine delivers a job
//!   again after a worker died, and when a transient failure is retried.
//! * **Checks at schedule time**: every violation of every target, and
//!   every quota that will certainly be used up at the due time (uses
//!   recorded in that window plus posts already scheduled into it reach
//!   the cap), with the errors `publish` returns ([`crate::Error::InvalidPost`],
//!   [`crate::Error::QuotaExhausted`]). `publish` checks again when due.
//!
//! `docs/scheduling.md` has the engine choice, the state machine and the
//! deployment notes.

// Without an engine compiled in (neither `sqlite` nor `postgres`), the
// scheduler answers every call that needs one with a configuration error
// and its worker side is unused.
#![cfg_attr(
    not(any(feature = "sqlite", feature = "postgres")),
    allow(dead_code, unused_variables)
)]

mod at;
mod bulk;
mod call;
mod engine;
mod metrics_job;
mod record;
mod run;
#[cfg(test)]
mod tests;
mod view;

use std::fmt;
use std::future::Future;
#[cfg(feature = "sqlite")]
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::sync::OnceCell;

pub use at::ScheduleAt;
pub use bulk::{BulkItem, BulkItemResult, BulkMode, BulkReport};
pub use call::ScheduleCall;
pub use metrics_job::{AnalyticsRefresh, RefreshStatus};
pub use view::{
    ErrorSummary, FollowUpOutcome, Health, ListQuery, MAX_PAGE, Page, ScheduleId, ScheduleState,
    ScheduledPost, TargetMode, TargetOutcome,
};

use self::engine::{EngineConfig, JobQueue};
use self::record::{Record, Records, not_found};
use crate::events::EventSink;
use crate::http::RetryConfig;
use crate::{CreatorSync, Error, Post, Result};

/// A due post waiting longer than this counts as late in [`Health`].
pub const LATE_AFTER: Duration = Duration::from_secs(5);

/// How often a worker asks the engine for due jobs (default). With the
/// engine's whole-second due times, a post goes out at most about
/// 1 s + this after its time on an idle worker.
pub const DEFAULT_POLL: Duration = Duration::from_millis(200);

/// How often a worker sends a heartbeat (default); a worker silent for
/// two of them is dead and its jobs go to another worker.
pub const DEFAULT_HEARTBEAT: Duration = Duration::from_secs(5);

/// How long a worker starts an all-native post (every target scheduled by
/// its platform) before its time: the upload happens early and the
/// platform makes it live at the time.
pub const NATIVE_LEAD: Duration = Duration::from_secs(15 * 60);

/// Where the job engine keeps its jobs: a SQLite file (embedded, one
/// machine) or a PostgreSQL database (any number of worker processes).
#[derive(Clone)]
pub struct JobStore(JobStoreKind);

#[derive(Clone)]
enum JobStoreKind {
    #[cfg(feature = "sqlite")]
    Sqlite(PathBuf),
    #[cfg(feature = "postgres")]
    Postgres(Box<sqlx::postgres::PgConnectOptions>),
    /// Keeps the enum inhabited-in-type when no engine is compiled in.
    #[allow(dead_code)]
    None(std::convert::Infallible),
}

impl fmt::Debug for JobStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            #[cfg(feature = "sqlite")]
            JobStoreKind::Sqlite(p) => write!(f, "JobStore::Sqlite({})", p.display()),
            // The options hold the password: name the database only.
            #[cfg(feature = "postgres")]
            JobStoreKind::Postgres(o) => write!(
                f,
                "JobStore::Postgres({}:{}/{})",
                o.get_host(),
                o.get_port(),
                o.get_database().unwrap_or("")
            ),
            JobStoreKind::None(n) => match *n {},
        }
    }
}

impl JobStore {
    /// Jobs in the SQLite file at `path` (tables `Jobs` and `Workers`,
    /// beside the store's own when it is the same file, as by default).
    #[cfg(feature = "sqlite")]
    pub fn sqlite(path: impl Into<PathBuf>) -> Self {
        Self(JobStoreKind::Sqlite(path.into()))
    }

    /// Jobs in the PostgreSQL database at `url` (schema `apalis`).
    #[cfg(feature = "postgres")]
    pub fn postgres(url: &str) -> Result<Self> {
        use std::str::FromStr;
        let o = sqlx::postgres::PgConnectOptions::from_str(url).map_err(|_| {
            Error::Config(format!(
                "invalid PostgreSQL URL {}",
                crate::http::redact_url_str(url)
            ))
        })?;
        Ok(Self(JobStoreKind::Postgres(Box::new(o))))
    }

    /// The database of an opened PostgreSQL pool (a store's).
    #[cfg(feature = "postgres")]
    pub(crate) fn postgres_options(o: sqlx::postgres::PgConnectOptions) -> Self {
        Self(JobStoreKind::Postgres(Box::new(o)))
    }

    async fn open(&self, config: EngineConfig) -> Result<Arc<dyn JobQueue>> {
        match &self.0 {
            #[cfg(feature = "sqlite")]
            JobStoreKind::Sqlite(p) => Ok(Arc::new(engine::SqliteQueue::open(p, config).await?)),
            #[cfg(feature = "postgres")]
            JobStoreKind::Postgres(o) => Ok(Arc::new(
                engine::PostgresQueue::connect((**o).clone(), config).await?,
            )),
            JobStoreKind::None(n) => {
                let _ = config;
                match *n {}
            }
        }
    }
}

/// Scheduler settings, given to [`crate::CreatorSyncBuilder::scheduler`].
#[derive(Clone)]
pub struct SchedulerConfig {
    /// Where jobs live (default: the SQLite file or PostgreSQL database of
    /// the store; required with a host key-value store).
    pub jobs: Option<JobStore>,
    /// Where `post.published` / `post.failed` / `post.outcome_unknown` go.
    pub events: Option<Arc<dyn EventSink>>,
    /// How often a worker looks for due jobs ([`DEFAULT_POLL`]).
    pub poll: Duration,
    /// How often a worker sends a heartbeat ([`DEFAULT_HEARTBEAT`]).
    pub heartbeat: Duration,
    /// Jobs a worker runs at once (default 32).
    pub concurrency: usize,
    /// Retries of a run that failed transiently (rate limit, 5xx,
    /// transport, an open outcome to look up), with their backoff (the
    /// shared [`RetryConfig`] policy; default 5 retries from 2 s to 5 min).
    pub retry: RetryConfig,
    /// The scheduled metrics refresh (default `None`: off). When set,
    /// every worker takes part in refreshing the tracked posts' metrics
    /// ([`crate::CreatorSync::refresh_due_metrics`]) as a recurring job,
    /// each round run once across processes.
    pub analytics: Option<AnalyticsRefresh>,
}

impl Default for SchedulerConfig {
    fn default() -> Self {
        Self {
            jobs: None,
            events: None,
            poll: DEFAULT_POLL,
            heartbeat: DEFAULT_HEARTBEAT,
            concurrency: 32,
            retry: RetryConfig {
                max_retries: 5,
                initial_backoff: Duration::from_secs(2),
                max_backoff: Duration::from_secs(300),
                ..RetryConfig::default()
            },
            analytics: None,
        }
    }
}

impl fmt::Debug for SchedulerConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SchedulerConfig")
            .field("jobs", &self.jobs)
            .field("events", &self.events.as_ref().map(|_| "EventSink"))
            .field("poll", &self.poll)
            .field("heartbeat", &self.heartbeat)
            .field("concurrency", &self.concurrency)
            .field("retry", &self.retry)
            .field("analytics", &self.analytics)
            .finish()
    }
}

/// The scheduler's part of the client state: its settings and the job
/// engine, opened on first use.
#[derive(Debug, Default)]
pub(crate) struct Jobs {
    config: SchedulerConfig,
    queue: OnceCell<Arc<dyn JobQueue>>,
}

impl Jobs {
    pub(crate) fn new(config: SchedulerConfig) -> Self {
        Self {
            config,
            queue: OnceCell::new(),
        }
    }

    /// The job store, unless one is set already.
    pub(crate) fn default_store(&mut self, store: JobStore) {
        self.config.jobs.get_or_insert(store);
    }

    async fn queue(&self) -> Result<&Arc<dyn JobQueue>> {
        self.queue
            .get_or_try_init(|| async {
                let store = self.config.jobs.as_ref().ok_or_else(|| {
                    Error::Config(
                        "scheduler: no job store; with a host key-value store give one \
                         (SchedulerConfig.jobs = JobStore::sqlite(\"jobs.db\"))"
                            .into(),
                    )
                })?;
                store
                    .open(EngineConfig {
                        poll: self.config.poll,
                        heartbeat: self.config.heartbeat,
                        batch: self.config.concurrency.clamp(1, 256),
                    })
                    .await
            })
            .await
    }
}

/// Schedules posts and runs workers. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Scheduler {
    sync: CreatorSync,
    records: Records,
}

impl CreatorSync {
    /// Scheduled and bulk publishing (see [`crate::schedule`]).
    pub fn scheduler(&self) -> Scheduler {
        Scheduler {
            records: Records::new(self.schedule_kv()),
            sync: self.clone(),
        }
    }
}

impl Scheduler {
    fn jobs(&self) -> &Jobs {
        self.sync.jobs()
    }

    /// Prepares scheduling `post` for `user_id` at `at`; configure it, then
    /// `.await` it.
    ///
    /// ```no_run
    /// # async fn demo(sync: creatorsync_core::CreatorSync) -> creatorsync_core::Result<()> {
    /// use creatorsync_core::{Platform, Post};
    /// use creatorsync_core::schedule::ScheduleAt;
    /// let at = ScheduleAt::local("2026-12-24T09:00:00".parse().unwrap(), "Europe/Berlin")?;
    /// let id = sync
    ///     .scheduler()
    ///     .schedule("user-1", &Post::text("Merry Christmas"), at)
    ///     .targets([Platform::X])
    ///     .await?;
    /// # let _ = id; Ok(()) }
    /// ```
    pub fn schedule<'a>(
        &'a self,
        user_id: &'a str,
        post: &'a Post,
        at: impl Into<ScheduleAt>,
    ) -> ScheduleCall<'a> {
        ScheduleCall::new(self, user_id, post, at.into())
    }

    /// One scheduled post.
    pub async fn get(&self, id: &ScheduleId) -> Result<ScheduledPost> {
        match self.records.get(id.as_str()).await? {
            Some((r, _)) => Ok(ScheduledPost::from(&r)),
            None => Err(not_found(id.as_str())),
        }
    }

    /// Scheduled posts matching `query`, by due time then id, one page.
    pub async fn list(&self, query: ListQuery) -> Result<Page> {
        let limit = query.limit.unwrap_or(MAX_PAGE);
        if !(1..=MAX_PAGE).contains(&limit) {
            return Err(Error::invalid_input(
                "limit",
                format!("{limit} is not between 1 and {MAX_PAGE}"),
            ));
        }
        let after = match &query.after {
            Some(c) => Some(parse_cursor(c)?),
            None => None,
        };
        let mut all: Vec<Record> = self
            .records
            .all()
            .await?
            .into_iter()
            .filter(|r| query.user_id.as_ref().is_none_or(|u| &r.user_id == u))
            .filter(|r| query.state.is_none_or(|s| r.state == s))
            .filter(|r| query.from.is_none_or(|f| r.due_at >= f))
            .filter(|r| query.to.is_none_or(|t| r.due_at < t))
            .filter(|r| {
                after
                    .as_ref()
                    .is_none_or(|(at, id)| (r.due_at, &r.id) > (*at, id))
            })
            .collect();
        all.sort_by(|a, b| (a.due_at, &a.id).cmp(&(b.due_at, &b.id)));
        let more = all.len() > limit;
        all.truncate(limit);
        let next = more
            .then(|| {
                all.last()
                    .map(|r| format!("{}|{}", r.due_at.to_rfc3339(), r.id))
            })
            .flatten();
        Ok(Page {
            items: all.iter().map(ScheduledPost::from).collect(),
            next,
        })
    }

    /// Moves a scheduled post to another time (its checks run again only
    /// when it is due). Only a post still `scheduled` can move; anything
    /// else is [`Error::InvalidState`]-like [`Error::InvalidInput`] naming
    /// its state.
    pub async fn reschedule(
        &self,
        id: &ScheduleId,
        at: impl Into<ScheduleAt>,
    ) -> Result<ScheduledPost> {
        let at = at.into();
        let queue = self.jobs().queue().await?;
        let rec = self
            .records
            .update(id.as_str(), |r| {
                require(r, &[ScheduleState::Scheduled], "reschedule")?;
                let mut next = r.clone();
                next.due_at = at.instant();
                next.zone = at.zone_name();
                next.local_time = at.local_time();
                next.generation += 1;
                next.updated_at = self.sync.now();
                Ok(next)
            })
            .await?;
        self.enqueue(queue, &rec).await?;
        Ok(ScheduledPost::from(&rec))
    }

    /// Cancels a post that has not started. A post a worker already
    /// started cannot be cancelled (the compare-and-swap decides which of
    /// the two came first).
    pub async fn cancel(&self, id: &ScheduleId) -> Result<ScheduledPost> {
        let rec = self
            .records
            .update(id.as_str(), |r| {
                require(r, &[ScheduleState::Scheduled], "cancel")?;
                let mut next = r.clone();
                next.state = ScheduleState::Cancelled;
                next.generation += 1;
                next.updated_at = self.sync.now();
                next.finished_at = Some(next.updated_at);
                Ok(next)
            })
            .await?;
        Ok(ScheduledPost::from(&rec))
    }

    /// Runs a `failed` or `outcome_unknown` post again now, under the same
    /// idempotency key: targets already published are kept, an open
    /// outcome is looked up at the platform before anything is created.
    pub async fn retry(&self, id: &ScheduleId) -> Result<ScheduledPost> {
        let queue = self.jobs().queue().await?;
        let rec = self
            .records
            .update(id.as_str(), |r| {
                require(
                    r,
                    &[ScheduleState::Failed, ScheduleState::OutcomeUnknown],
                    "retry",
                )?;
                let mut next = r.clone();
                next.state = ScheduleState::Scheduled;
                next.generation += 1;
                next.error = None;
                next.finished_at = None;
                next.updated_at = self.sync.now();
                next.due_at = next.due_at.max(next.updated_at);
                Ok(next)
            })
            .await?;
        self.enqueue(queue, &rec).await?;
        Ok(ScheduledPost::from(&rec))
    }

    /// Runs a worker in this process until `shutdown` completes: it takes
    /// due jobs, sends heartbeats, and on shutdown finishes the jobs it
    /// runs (a job cut off by a crash instead goes to another worker once
    /// this one's heartbeats stop). With [`SchedulerConfig::analytics`] it
    /// also takes part in the metrics refresh rounds.
    pub async fn run(&self, shutdown: impl Future<Output = ()> + Send + 'static) -> Result<()> {
        let queue = self.jobs().queue().await?.clone();
        let name = format!(
            "creatorsync-{}-{}",
            std::process::id(),
            &uuid::Uuid::new_v4().simple().to_string()[..8]
        );
        let mut handler: Arc<dyn engine::JobHandler> = Arc::new(run::Handler {
            scheduler: self.clone(),
            worker: name.clone(),
        });
        if let Some(cfg) = self.jobs().config.analytics.clone() {
            metrics_job::seed(self, &queue, &cfg).await?;
            handler = Arc::new(metrics_job::Dispatch {
                inner: handler,
                scheduler: self.clone(),
                queue: queue.clone(),
                cfg,
            });
        }
        queue.work(name, handler, Box::pin(shutdown)).await
    }

    /// Workers alive and the backlog: due, running, late, the oldest
    /// lateness.
    pub async fn health(&self) -> Result<Health> {
        let queue = self.jobs().queue().await?;
        let fresh = self.jobs().config.heartbeat * (engine::MISSED_HEARTBEATS as u32);
        let workers_alive = queue
            .workers_alive(fresh.max(Duration::from_secs(1)))
            .await?;
        let now = self.sync.now();
        let (mut due, mut running, mut late, mut upcoming, mut oldest) = (0, 0, 0, 0, 0u64);
        for r in self.records.all().await? {
            match r.state {
                ScheduleState::Running => running += 1,
                ScheduleState::Scheduled if r.due_at <= now => {
                    due += 1;
                    let waited = (now - r.due_at).to_std().unwrap_or_default();
                    if waited > LATE_AFTER {
                        late += 1;
                    }
                    oldest = oldest.max(u64::try_from(waited.as_millis()).unwrap_or(u64::MAX));
                }
                ScheduleState::Scheduled => upcoming += 1,
                _ => {}
            }
        }
        Ok(Health {
            workers_alive,
            due,
            running,
            late,
            oldest_lateness_ms: oldest,
            upcoming,
        })
    }

    /// Enqueues the record's job for its run time.
    async fn enqueue(&self, queue: &Arc<dyn JobQueue>, rec: &Record) -> Result<()> {
        let run_at = run_time(rec);
        let delay = (run_at - self.sync.now()).to_std().unwrap_or_default();
        queue
            .enqueue(
                &engine::Job {
                    id: rec.id.clone(),
                    generation: rec.generation,
                },
                delay,
            )
            .await
    }
}

/// When a worker starts the record: at its time, or [`NATIVE_LEAD`]
/// before it when every target is scheduled natively.
fn run_time(rec: &Record) -> DateTime<Utc> {
    let all_native =
        !rec.targets.is_empty() && rec.targets.iter().all(|t| rec.native.contains(&t.platform));
    if all_native {
        rec.due_at - chrono::Duration::from_std(NATIVE_LEAD).unwrap_or_default()
    } else {
        rec.due_at
    }
}

/// The state must be one of `allowed` for `what`.
fn require(r: &Record, allowed: &[ScheduleState], what: &str) -> Result<()> {
    if allowed.contains(&r.state) {
        Ok(())
    } else {
        Err(Error::invalid_input(
            "schedule_id",
            format!("cannot {what} {}: it is {}", r.id, r.state.as_str()),
        ))
    }
}

fn parse_cursor(c: &str) -> Result<(DateTime<Utc>, String)> {
    let bad = || Error::invalid_input("after", "not a cursor a page returned");
    let (at, id) = c.split_once('|').ok_or_else(bad)?;
    let at = DateTime::parse_from_rfc3339(at).map_err(|_| bad())?;
    Ok((at.with_timezone(&Utc), id.to_owned()))
}
