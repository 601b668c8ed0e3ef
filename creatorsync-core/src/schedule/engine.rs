//! The job engine behind the scheduler: apalis 1.0 on SQLite
//! (`apalis-sqlite`) or PostgreSQL (`apalis-postgres`), one worker API for
//! both. Nothing of apalis appears in the SDK's public types: the
//! scheduler hands this module a [`Job`] and a [`JobHandler`].
//!
//! A job carries only the schedule id and its generation; the record in
//! the key-value store is the truth. apalis gives delivery at or after a
//! time, worker registration with heartbeats, and the re-enqueueing of
//! jobs whose worker stopped sending heartbeats (after
//! `heartbeat × MISSED_HEARTBEATS`).

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::Result;
#[cfg(any(feature = "sqlite", feature = "postgres"))]
use apalis::*;

/// Runs before a job is given up for good by the engine (each delivery,
/// including redeliveries after a dead worker, counts). The scheduler's own
/// bounded retries are separate jobs.
const MAX_DELIVERIES: usize = 25;

/// Heartbeats a worker may miss before its jobs are handed to another.
pub(crate) const MISSED_HEARTBEATS: usize = 2;

/// The apalis queue name (job type) of scheduled posts.
const QUEUE: &str = "creatorsync.scheduled_post";

/// What the engine delivers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Job {
    /// The schedule id.
    pub(crate) id: String,
    /// The record's generation when the job was enqueued.
    pub(crate) generation: u32,
}

/// The scheduler's side of a delivery.
#[async_trait]
pub(crate) trait JobHandler: Send + Sync {
    /// Runs one delivery; an error makes the engine deliver it again.
    async fn handle(&self, job: Job) -> Result<()>;
}

/// A shutdown signal.
pub(crate) type Shutdown = Pin<Box<dyn Future<Output = ()> + Send>>;

/// Engine settings.
#[derive(Clone, Debug)]
pub(crate) struct EngineConfig {
    /// How often a worker looks for due jobs.
    pub(crate) poll: Duration,
    /// How often a worker sends a heartbeat.
    pub(crate) heartbeat: Duration,
    /// Jobs fetched per poll, and run at once by one worker.
    pub(crate) batch: usize,
}

/// A job engine.
#[async_trait]
pub(crate) trait JobQueue: Send + Sync + fmt::Debug {
    /// Delivers `job` once `delay` has passed.
    async fn enqueue(&self, job: &Job, delay: Duration) -> Result<()>;
    /// Runs a worker named `name` until `shutdown`, then lets the running
    /// jobs finish.
    async fn work(
        &self,
        name: String,
        handler: Arc<dyn JobHandler>,
        shutdown: Shutdown,
    ) -> Result<()>;
    /// Workers whose heartbeat is within `fresh`.
    async fn workers_alive(&self, fresh: Duration) -> Result<u64>;
}

/// What both apalis backends share: the delivery function and time.
#[cfg(any(feature = "sqlite", feature = "postgres"))]
mod apalis {
    use std::fmt;
    use std::time::{Duration, SystemTime, UNIX_EPOCH};

    pub(super) use apalis_core::backend::TaskSink;
    pub(super) use apalis_core::backend::ext::BackendExt;
    use apalis_core::error::{BoxDynError, WorkerError};
    pub(super) use apalis_core::task::builder::TaskBuilder;
    use apalis_core::task::data::Data;
    pub(super) use apalis_core::worker::builder::WorkerBuilder;

    use super::{Job, JobHandler, Shutdown};
    use crate::Error;
    use std::sync::Arc;

    /// The delivery function apalis calls.
    pub(super) async fn deliver(
        job: Job,
        handler: Data<Arc<dyn JobHandler>>,
    ) -> std::result::Result<(), BoxDynError> {
        handler
            .handle(job)
            .await
            .map_err(|e| Box::new(e) as BoxDynError)
    }

    /// `delay` from now, as the engine's whole seconds (rounded up, so a job
    /// is never delivered before its time).
    pub(super) fn run_at(delay: Duration) -> u64 {
        let at = SystemTime::now() + delay;
        let d = at.duration_since(UNIX_EPOCH).unwrap_or_default();
        d.as_secs() + u64::from(d.subsec_nanos() > 0)
    }

    pub(super) fn engine_err(what: &str, e: impl fmt::Display) -> Error {
        Error::store(format!("job engine: {what}: {e}"))
    }

    /// Stops the worker once `shutdown` completes, letting its running
    /// jobs finish. A signal that comes before the engine has started the
    /// worker (it does on its first poll) waits for the start: apalis
    /// refuses to stop a worker that has not started.
    pub(super) async fn stop_on(
        shutdown: Shutdown,
        ctx: apalis_core::worker::context::WorkerContext,
    ) -> std::result::Result<(), WorkerError> {
        shutdown.await;
        while ctx.is_pending() {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        ctx.stop()
    }
}

/// What is the same call on apalis's SQLite and PostgreSQL storages (they
/// share their API but no trait the worker builder takes generically):
/// `Debug`, the configured storage, and the [`JobQueue`] impl. Each backend
/// module declares the struct (`pool`, `config`), opens its pool and
/// answers `alive` from its own `workers` table. `Config` resolves in the
/// invoking module (its crate's storage config).
#[cfg(any(feature = "sqlite", feature = "postgres"))]
macro_rules! apalis_queue {
    ($queue:ident, $storage:ident) => {
        impl fmt::Debug for $queue {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_struct(stringify!($queue))
                    .field("config", &self.config)
                    .finish_non_exhaustive()
            }
        }

        impl $queue {
            fn storage(&self) -> $storage<Job> {
                $storage::new(&self.pool).with_config(
                    Config::default()
                        .queue(QUEUE)
                        .batch_size(self.config.batch)
                        .heartbeat_interval(self.config.heartbeat)
                        .missed_heartbeats(MISSED_HEARTBEATS),
                )
            }
        }

        #[async_trait]
        impl JobQueue for $queue {
            async fn enqueue(&self, job: &Job, delay: Duration) -> Result<()> {
                let task = TaskBuilder::new(job.clone())
                    .run_at_timestamp(run_at(delay))
                    .max_attempts(MAX_DELIVERIES)
                    .build();
                self.storage()
                    .push_task(task)
                    .await
                    .map_err(|e| engine_err("enqueue", e))
            }

            async fn work(
                &self,
                name: String,
                handler: Arc<dyn JobHandler>,
                shutdown: Shutdown,
            ) -> Result<()> {
                let backend = self.storage().poll_with_interval(self.config.poll);
                let worker = WorkerBuilder::new(name)
                    .backend(backend)
                    .layer(tower::limit::ConcurrencyLimitLayer::new(self.config.batch))
                    .data(handler)
                    .build(deliver);
                let mut shutdown = Some(shutdown);
                worker
                    .run_with_ctx(move |ctx| {
                        let s = shutdown.take();
                        async move {
                            match s {
                                Some(s) => stop_on(s, ctx).await,
                                None => Ok(()),
                            }
                        }
                    })
                    .await
                    .map_err(|e| engine_err("worker", e))
            }

            async fn workers_alive(&self, fresh: Duration) -> Result<u64> {
                self.alive(fresh).await
            }
        }
    };
}

#[cfg(feature = "sqlite")]
pub(crate) use sqlite::SqliteQueue;

#[cfg(feature = "sqlite")]
mod sqlite {
    use std::path::Path;

    use apalis_sqlite::{
        Config, SqliteConnectOptions, SqlitePool, SqlitePoolOptions, SqliteStorage,
    };
    use sqlx::sqlite::SqliteJournalMode;

    use super::*;

    /// apalis on a SQLite file (its own tables `Jobs` and `Workers`, its
    /// own connections: apalis turns `synchronous` off on the connections
    /// it sets up, which must not be the store's).
    #[derive(Clone)]
    pub(crate) struct SqliteQueue {
        pool: SqlitePool,
        config: EngineConfig,
    }

    impl SqliteQueue {
        pub(crate) async fn open(path: &Path, config: EngineConfig) -> Result<Self> {
            let options = SqliteConnectOptions::new()
                .filename(path)
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .busy_timeout(Duration::from_secs(10));
            let pool = SqlitePoolOptions::new()
                .max_connections(4)
                .connect_with(options)
                .await
                .map_err(|e| engine_err(&format!("cannot open {}", path.display()), e))?;
            SqliteStorage::setup(&pool)
                .await
                .map_err(|e| engine_err("schema", e))?;
            Ok(Self { pool, config })
        }

        /// Workers whose heartbeat is within `fresh`.
        async fn alive(&self, fresh: Duration) -> Result<u64> {
            let n: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM Workers WHERE worker_type = ?1 \
                 AND strftime('%s', 'now') - last_seen <= ?2",
            )
            .bind(QUEUE)
            .bind(i64::try_from(fresh.as_secs()).unwrap_or(i64::MAX))
            .fetch_one(&self.pool)
            .await
            .map_err(|e| engine_err("workers", e))?;
            Ok(u64::try_from(n).unwrap_or(0))
        }
    }

    apalis_queue!(SqliteQueue, SqliteStorage);
}

#[cfg(feature = "postgres")]
pub(crate) use postgres::PostgresQueue;

#[cfg(feature = "postgres")]
mod postgres {
    use apalis_postgres::{Config, PgConnectOptions, PgPool, PostgresStorage};
    use sqlx::postgres::PgPoolOptions;

    use super::*;

    /// apalis on PostgreSQL (schema `apalis`; its migration bookkeeping
    /// lives there too, through the connections' `search_path`, so it
    /// never meets an application's own `_sqlx_migrations`).
    #[derive(Clone)]
    pub(crate) struct PostgresQueue {
        pool: PgPool,
        config: EngineConfig,
    }

    impl PostgresQueue {
        pub(crate) async fn connect(
            options: PgConnectOptions,
            config: EngineConfig,
        ) -> Result<Self> {
            // The schema first, on a plain connection, so the migrator's
            // own table can be created inside it.
            let plain = PgPoolOptions::new()
                .max_connections(1)
                .connect_with(options.clone())
                .await
                .map_err(|e| engine_err("connect", e))?;
            sqlx::query("CREATE SCHEMA IF NOT EXISTS apalis")
                .execute(&plain)
                .await
                .map_err(|e| engine_err("schema", e))?;
            plain.close().await;
            let pool = PgPoolOptions::new()
                .max_connections(8)
                .connect_with(options.options([("search_path", "apalis")]))
                .await
                .map_err(|e| engine_err("connect", e))?;
            PostgresStorage::<()>::setup(&pool)
                .await
                .map_err(|e| engine_err("schema", e))?;
            Ok(Self { pool, config })
        }

        /// Workers whose heartbeat is within `fresh`.
        async fn alive(&self, fresh: Duration) -> Result<u64> {
            let n: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM apalis.workers WHERE worker_type = $1 \
                 AND last_seen >= NOW() - make_interval(secs => $2)",
            )
            .bind(QUEUE)
            .bind(fresh.as_secs_f64())
            .fetch_one(&self.pool)
            .await
            .map_err(|e| engine_err("workers", e))?;
            Ok(u64::try_from(n).unwrap_or(0))
        }
    }

    apalis_queue!(PostgresQueue, PostgresStorage);
}
