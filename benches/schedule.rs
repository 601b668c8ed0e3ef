//! Scheduled publishing at volume: posts due in the same minute, published
//! by worker processes on PostgreSQL (and one process on SQLite), the
//! emulator answering every X call after 50 ms.
//!
//! Scenarios (one JSON line each):
//! * `pg_4_workers`: `SCHED_BENCH_POSTS` (10,000) text posts due within one
//!   minute, 4 worker processes;
//! * `pg_4_workers_one_killed`: the same, one worker SIGKILLed once a
//!   quarter is published;
//! * `pg_1_worker`: `SCHED_BENCH_ONE_WORKER_POSTS` (1,000) all due at once,
//!   one worker: what one worker sustains;
//! * `sqlite_1_process`: `SCHED_BENCH_SQLITE_POSTS` (1,000), one process,
//!   embedded SQLite.
//!
//! Each checks the emulator's record: every post exactly once. Reported:
//! throughput (posts / s from the first due time to the last post),
//! p50/p99/max lateness of the post's creation on the platform after its
//! due time, and the time spent scheduling. The PostgreSQL scenarios need
//! `CREATORSYNC_TEST_POSTGRES_URL` (`source scripts/postgres.sh &&
//! start_postgres`); without it they are skipped. `SCHED_BENCH_ONLY=sqlite`
//! (or `pg`) runs a subset. Not run by CI.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use creatorsync::auth::Apps;
use creatorsync::schedule::{BulkItem, BulkMode, SchedulerConfig};
use creatorsync::store::{KeyRing, PostgresOptions, PostgresTokenStore};
use creatorsync::testing::{create_postgres_database, drop_postgres_database};
use creatorsync::{CreatorSync, CreatorSyncBuilder, EndpointSet, Platform, Post};
use creatorsync_emulator::{Emulator, EmulatorConfig, Fault, FaultKind, RunningEmulator};

const WORKER_ENV: &str = "CREATORSYNC_SCHED_BENCH_WORKER";
const USER: &str = "bench-user";
const LATENCY_MS: u64 = 50;

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn config() -> SchedulerConfig {
    SchedulerConfig {
        poll: Duration::from_millis(200),
        heartbeat: Duration::from_secs(2),
        concurrency: 64,
        ..SchedulerConfig::default()
    }
}

fn builder(endpoints: EndpointSet) -> CreatorSyncBuilder {
    CreatorSync::builder()
        .apps(Apps::emulator_defaults())
        .endpoints(endpoints)
        .state_secret(*b"test-state-secret-0123456789abcdef")
        .quota_limit(Platform::X, "posts", u32::MAX)
        .concurrency(64, 256)
        .lease_ttl(Duration::from_secs(5))
        .scheduler(config())
}

async fn pg_client(endpoints: EndpointSet, url: &str) -> CreatorSync {
    let options = PostgresOptions::default().max_connections(16);
    let store =
        PostgresTokenStore::connect_with(url, KeyRing::new("k1", &[6u8; 32]).unwrap(), options)
            .await
            .expect("connect");
    builder(endpoints)
        .postgres_store(Arc::new(store))
        .build()
        .await
        .expect("client")
}

/// The worker role: run until killed.
async fn worker(dir: &Path) {
    let endpoints: EndpointSet =
        serde_json::from_str(&std::fs::read_to_string(dir.join("endpoints.json")).unwrap())
            .unwrap();
    let url = std::fs::read_to_string(dir.join("url")).unwrap();
    let sync = pg_client(endpoints, &url).await;
    sync.scheduler()
        .run(std::future::pending())
        .await
        .expect("worker");
}

async fn emulator() -> RunningEmulator {
    let emu = Emulator::start(EmulatorConfig {
        x_tweets_per_window: u64::MAX,
        x_tweets_per_day_app: u64::MAX,
        ..EmulatorConfig::default()
    })
    .await
    .expect("emulator");
    emu.faults().inject(
        Platform::X,
        Fault::once(FaultKind::Latency { millis: LATENCY_MS }).always(),
    );
    emu
}

async fn connect(emu: &RunningEmulator, sync: &CreatorSync) {
    let req = sync
        .connector()
        .begin(USER, Platform::X, "http://127.0.0.1:9/callback")
        .await
        .unwrap();
    let callback = emu.approve(req.url.as_str()).await.unwrap();
    sync.connector()
        .complete_from_url(USER, Platform::X, &callback)
        .await
        .unwrap();
}

/// Schedules `n` posts due over one minute starting `lead` from now, in
/// bulk chunks; returns the first due time and the seconds spent.
async fn schedule(
    sync: &CreatorSync,
    tag: &str,
    n: usize,
    lead: Duration,
    spread_ms: i64,
) -> (DateTime<Utc>, f64) {
    let t0 = Instant::now();
    let first = Utc::now() + chrono::Duration::from_std(lead).unwrap();
    let s = sync.scheduler();
    let mut i = 0;
    while i < n {
        let items: Vec<BulkItem> = (i..n.min(i + 500))
            .map(|k| {
                let due = first + chrono::Duration::milliseconds((k as i64 * spread_ms) / n as i64);
                BulkItem::new(USER, Post::text(format!("{tag} post {k}")), due)
                    .targets([Platform::X])
            })
            .collect();
        i += items.len();
        let r = s
            .schedule_many(items, BulkMode::AllOrNothing)
            .await
            .expect("schedule");
        assert!(
            r.items.iter().all(|x| x.error.is_none()),
            "{:?}",
            r.items.iter().find(|x| x.error.is_some())
        );
    }
    (first, t0.elapsed().as_secs_f64())
}

fn spawn_worker(dir: &Path) -> Child {
    Command::new(std::env::current_exe().unwrap())
        .env(WORKER_ENV, dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("worker")
}

/// Waits until `n` posts of `tag` are on the emulator (or `limit` passes),
/// calling `at_quarter` once a quarter is there.
async fn wait_posts(
    emu: &RunningEmulator,
    tag: &str,
    n: usize,
    limit: Duration,
    mut at_quarter: impl FnMut(),
) {
    let t0 = Instant::now();
    let mut fired = false;
    let prefix = format!("{tag} post ");
    loop {
        let count = emu
            .record()
            .posts_for(Platform::X)
            .iter()
            .filter(|p| p.text.starts_with(&prefix))
            .count();
        if !fired && count >= n / 4 {
            fired = true;
            at_quarter();
        }
        if count >= n || t0.elapsed() > limit {
            return;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

fn pct(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

/// Checks exactly once and prints the scenario's line.
#[allow(clippy::too_many_arguments)]
async fn report(
    scenario: &str,
    tag: &str,
    emu: &RunningEmulator,
    sync: &CreatorSync,
    n: usize,
    workers: usize,
    first_due: DateTime<Utc>,
    spread_ms: i64,
    schedule_secs: f64,
) {
    let prefix = format!("{tag} post ");
    let posts: Vec<_> = emu
        .record()
        .posts_for(Platform::X)
        .into_iter()
        .filter(|p| p.text.starts_with(&prefix))
        .collect();
    let mut seen = std::collections::HashMap::new();
    for p in &posts {
        *seen.entry(p.text.clone()).or_insert(0usize) += 1;
    }
    let duplicates = seen.values().filter(|c| **c > 1).count();
    let missing = n - seen.len();
    // Lateness: creation on the platform after the post's own due time
    // (due times spread evenly over the minute, by index).
    let mut late: Vec<f64> = posts
        .iter()
        .map(|p| {
            let k: i64 = p.text[prefix.len()..].parse().unwrap();
            let due = first_due + chrono::Duration::milliseconds((k * spread_ms) / n as i64);
            (p.created_at - due).num_milliseconds() as f64 / 1000.0
        })
        .collect();
    late.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let last = posts
        .iter()
        .map(|p| p.created_at)
        .max()
        .unwrap_or(first_due);
    let span = (last - first_due).num_milliseconds() as f64 / 1000.0;
    let health = sync.scheduler().health().await.ok();
    println!(
        "{}",
        serde_json::json!({
            "bench": "schedule",
            "scenario": scenario,
            "posts": n,
            "workers": workers,
            "latency_ms_per_call": LATENCY_MS,
            "published": seen.len(),
            "duplicates": duplicates,
            "missing": missing,
            "exactly_once": duplicates == 0 && missing == 0,
            "schedule_secs": schedule_secs,
            "span_secs": span,
            "posts_per_sec": seen.len() as f64 / span.max(0.001),
            "lateness_p50_s": pct(&late, 0.5),
            "lateness_p99_s": pct(&late, 0.99),
            "lateness_max_s": late.last().copied().unwrap_or(f64::NAN),
            "left_due": health.as_ref().map(|h| h.due),
            "left_running": health.as_ref().map(|h| h.running),
        })
    );
}

async fn pg_scenario(
    server: &str,
    scenario: &str,
    n: usize,
    workers: usize,
    kill_one: bool,
    spread_ms: i64,
) {
    let name = format!("cs_bench_sched_{}_{scenario}", std::process::id());
    drop_postgres_database(server, &name).await.unwrap();
    let url = create_postgres_database(server, &name).await.unwrap();
    let emu = emulator().await;
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("endpoints.json"),
        serde_json::to_string(emu.endpoints()).unwrap(),
    )
    .unwrap();
    std::fs::write(dir.path().join("url"), &url).unwrap();
    let sync = pg_client(emu.endpoints().clone(), &url).await;
    connect(&emu, &sync).await;
    let lead = Duration::from_secs(env_usize("SCHED_BENCH_LEAD_SECS", 20 + n / 100) as u64);
    let (first, secs) = schedule(&sync, scenario, n, lead, spread_ms).await;
    let mut children: Vec<Child> = (0..workers).map(|_| spawn_worker(dir.path())).collect();
    let limit = lead + Duration::from_secs(600);
    let mut victim = kill_one.then(|| children.remove(0));
    wait_posts(&emu, scenario, n, limit, || {
        if let Some(mut c) = victim.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    })
    .await;
    report(
        scenario, scenario, &emu, &sync, n, workers, first, spread_ms, secs,
    )
    .await;
    for mut c in children {
        let _ = c.kill();
        let _ = c.wait();
    }
    drop(sync);
    let _ = drop_postgres_database(server, &name).await;
}

async fn sqlite_scenario(n: usize) {
    let emu = emulator().await;
    let dir = tempfile::tempdir().unwrap();
    let sync = builder(emu.endpoints().clone())
        .sqlite(
            dir.path().join("cs.db"),
            Some(KeyRing::new("k1", &[6u8; 32]).unwrap()),
        )
        .build()
        .await
        .expect("client");
    connect(&emu, &sync).await;
    let lead = Duration::from_secs(env_usize("SCHED_BENCH_LEAD_SECS", 10 + n / 100) as u64);
    let (first, secs) = schedule(&sync, "sqlite", n, lead, 60_000).await;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let s = sync.scheduler();
    let w = tokio::spawn(async move {
        s.run(async move {
            let _ = stopped.await;
        })
        .await
    });
    wait_posts(&emu, "sqlite", n, lead + Duration::from_secs(600), || {}).await;
    report(
        "sqlite_1_process",
        "sqlite",
        &emu,
        &sync,
        n,
        1,
        first,
        60_000,
        secs,
    )
    .await;
    let _ = stop.send(());
    let _ = w.await;
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    if let Ok(dir) = std::env::var(WORKER_ENV) {
        rt.block_on(worker(Path::new(&dir)));
        return;
    }
    let only = std::env::var("SCHED_BENCH_ONLY").unwrap_or_default();
    rt.block_on(async {
        if only.is_empty() || only == "pg" {
            match std::env::var("CREATORSYNC_TEST_POSTGRES_URL") {
                Ok(server) => {
                    let n = env_usize("SCHED_BENCH_POSTS", 10_000);
                    pg_scenario(&server, "pg_4_workers", n, 4, false, 60_000).await;
                    pg_scenario(&server, "pg_4_workers_one_killed", n, 4, true, 60_000).await;
                    let one = env_usize("SCHED_BENCH_ONE_WORKER_POSTS", 1_000);
                    // All due at once: the drain rate is what one worker sustains.
                    pg_scenario(&server, "pg_1_worker", one, 1, false, 0).await;
                }
                Err(_) => eprintln!(
                    "schedule bench: CREATORSYNC_TEST_POSTGRES_URL is not set; PostgreSQL scenarios skipped"
                ),
            }
        }
        if only.is_empty() || only == "sqlite" {
            sqlite_scenario(env_usize("SCHED_BENCH_SQLITE_POSTS", 1_000)).await;
        }
    });
}
