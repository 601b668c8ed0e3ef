//! Scheduled publishing at volume: posts due in the same minute, published
//! by worker processes on PostgreSQL (and one process on SQLite), the
//! emulator answering every X and LinkedIn call after 50 ms.
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
//! Posts are spread over `SCHED_BENCH_USERS` (100) users, each with an X
//! account and a LinkedIn member (the platforms that publish plain text
//! from a user's own account): post `k` goes to user `k % users`, on X or
//! LinkedIn alternately per round of users. 10,000 posts are then 50 per
//! account, under X's 100 per 15 minutes per user and LinkedIn's 150 per
//! day per member, and 5,000 on X, under X's 10,000 per day per app: the
//! emulator and the SDK keep the platforms' real caps. With fewer users
//! than that needs, both caps are raised (`caps_raised` in the line) and
//! the per-account quota-ledger rows become the hot spot
//! (`SCHED_BENCH_USERS=1` measures that).
//!
//! Each checks the emulator's record: every post exactly once, on the
//! account it was scheduled for. Reported: throughput (posts / s from the
//! first due time to the last post), p50/p99/max lateness of the post's
//! creation on the platform after its due time, the time spent
//! scheduling, `nproc` and the load average at the start and the end. The
//! PostgreSQL scenarios need `CREATORSYNC_TEST_POSTGRES_URL` (`source
//! scripts/postgres.sh && start_postgres`); without it they are skipped.
//! `SCHED_BENCH_ONLY=sqlite` (or `pg`, `pg4`, `pg_killed`, `pg1`) runs a
//! subset; `SCHED_BENCH_LEAD_SECS` sets how far ahead the first post is
//! due (it must cover the scheduling). Not run by CI.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use creatorsync::auth::Apps;
use creatorsync::schedule::{BulkItem, BulkMode, ListQuery, ScheduleState, SchedulerConfig};
use creatorsync::store::{KeyRing, PostgresOptions, PostgresTokenStore};
use creatorsync::testing::{create_postgres_database, drop_postgres_database};
use creatorsync::{CreatorSync, CreatorSyncBuilder, EndpointSet, Platform, Post};
use creatorsync_emulator::{
    Emulator, EmulatorConfig, Fault, FaultKind, LINKEDIN_MEMBER_DAILY_POSTS, RunningEmulator,
    X_TWEETS_PER_DAY_APP, X_TWEETS_PER_WINDOW,
};
use serde::{Deserialize, Serialize};

const WORKER_ENV: &str = "CREATORSYNC_SCHED_BENCH_WORKER";
const LATENCY_MS: u64 = 50;
/// The platforms a plain text post goes to from a user's own account.
const PLATFORMS: [Platform; 2] = [Platform::X, Platform::LinkedIn];

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// How the posts of a scenario are spread over users and platforms, and
/// whether the quota caps had to be raised for it.
#[derive(Clone, Copy, Debug, Serialize, Deserialize)]
struct Plan {
    users: usize,
    caps_raised: bool,
}

impl Plan {
    fn new(n: usize, users: usize) -> Self {
        let mut plan = Self {
            users: users.max(1),
            caps_raised: false,
        };
        let mut per_account: HashMap<(usize, Platform), u64> = HashMap::new();
        for k in 0..n {
            *per_account
                .entry((k % plan.users, plan.platform(k)))
                .or_default() += 1;
        }
        let most = |p: Platform| {
            per_account
                .iter()
                .filter(|((_, q), _)| *q == p)
                .map(|(_, c)| *c)
                .max()
                .unwrap_or(0)
        };
        let on_x: u64 = per_account
            .iter()
            .filter(|((_, p), _)| *p == Platform::X)
            .map(|(_, c)| *c)
            .sum();
        plan.caps_raised = most(Platform::X) > X_TWEETS_PER_WINDOW
            || most(Platform::LinkedIn) > LINKEDIN_MEMBER_DAILY_POSTS
            || on_x > X_TWEETS_PER_DAY_APP;
        plan
    }

    fn user(&self, k: usize) -> String {
        format!("bench-user-{}", k % self.users)
    }

    fn platform(&self, k: usize) -> Platform {
        PLATFORMS[(k / self.users) % PLATFORMS.len()]
    }

    /// The emulator's login (account id) of user `u` on `platform`.
    fn login(u: usize, platform: Platform) -> String {
        match platform {
            Platform::X => (900_000_000 + u).to_string(),
            _ => format!("benchMember{u}"),
        }
    }
}

fn config() -> SchedulerConfig {
    SchedulerConfig {
        poll: Duration::from_millis(200),
        heartbeat: Duration::from_secs(2),
        concurrency: 64,
        ..SchedulerConfig::default()
    }
}

fn builder(endpoints: EndpointSet, plan: Plan) -> CreatorSyncBuilder {
    let b = CreatorSync::builder()
        .apps(Apps::emulator_defaults())
        .endpoints(endpoints)
        .state_secret(*b"test-state-secret-0123456789abcdef")
        .concurrency(64, 256)
        .lease_ttl(Duration::from_secs(5))
        .scheduler(config());
    if plan.caps_raised {
        b.quota_limit(Platform::X, "posts", u32::MAX)
    } else {
        b
    }
}

async fn pg_client(endpoints: EndpointSet, url: &str, plan: Plan) -> CreatorSync {
    let options = PostgresOptions::default().max_connections(16);
    let store =
        PostgresTokenStore::connect_with(url, KeyRing::new("k1", &[6u8; 32]).unwrap(), options)
            .await
            .expect("connect");
    builder(endpoints, plan)
        .postgres_store(Arc::new(store))
        .build()
        .await
        .expect("client")
}

/// The worker role: run until killed.
async fn worker(dir: &Path) {
    let read = |f: &str| std::fs::read_to_string(dir.join(f)).unwrap();
    let endpoints: EndpointSet = serde_json::from_str(&read("endpoints.json")).unwrap();
    let plan: Plan = serde_json::from_str(&read("plan.json")).unwrap();
    let sync = pg_client(endpoints, &read("url"), plan).await;
    sync.scheduler()
        .run(std::future::pending())
        .await
        .expect("worker");
}

async fn emulator(plan: Plan) -> RunningEmulator {
    let mut config = EmulatorConfig::default();
    if plan.caps_raised {
        config.x_tweets_per_window = u64::MAX;
        config.x_tweets_per_day_app = u64::MAX;
        config.linkedin_member_daily_posts = u64::MAX;
    }
    Emulator::start(config).await.expect("emulator")
}

/// Every call of the platforms answers `LATENCY_MS` late (after connecting).
fn slow_down(emu: &RunningEmulator) {
    for p in PLATFORMS {
        emu.faults().inject(
            p,
            Fault::once(FaultKind::Latency { millis: LATENCY_MS }).always(),
        );
    }
}

/// Connects every user's accounts; returns the account id of each
/// (user index, platform).
async fn connect(
    emu: &RunningEmulator,
    sync: &CreatorSync,
    plan: Plan,
) -> HashMap<(usize, Platform), String> {
    let mut accounts = HashMap::new();
    for u in 0..plan.users {
        let user = plan.user(u);
        for p in PLATFORMS {
            emu.logins().set(p, Some(Plan::login(u, p)), false);
            let req = sync
                .connector()
                .begin(&user, p, "http://127.0.0.1:9/callback")
                .await
                .unwrap();
            let callback = emu.approve(req.url.as_str()).await.unwrap();
            let connected = sync
                .connector()
                .complete_from_url(&user, p, &callback)
                .await
                .unwrap();
            accounts.insert((u, p), connected[0].key.account_id.clone());
        }
    }
    accounts
}

/// Schedules `n` posts due over `spread_ms` starting `lead` from now, in
/// bulk chunks; returns the first due time and the seconds spent.
async fn schedule(
    sync: &CreatorSync,
    plan: Plan,
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
                BulkItem::new(
                    plan.user(k),
                    Post::text(format!("{tag} post {k}")),
                    due(first, k, n, spread_ms),
                )
                .targets([plan.platform(k)])
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

/// Post `k`'s due time: spread evenly over `spread_ms`, by index.
fn due(first: DateTime<Utc>, k: usize, n: usize, spread_ms: i64) -> DateTime<Utc> {
    first + chrono::Duration::milliseconds((k as i64 * spread_ms) / n as i64)
}

fn spawn_worker(dir: &Path) -> Child {
    Command::new(std::env::current_exe().unwrap())
        .env(WORKER_ENV, dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("worker")
}

/// The bench's posts of `tag` on the emulator.
fn posts_of(emu: &RunningEmulator, tag: &str) -> Vec<creatorsync_emulator::RecordedPost> {
    let prefix = format!("{tag} post ");
    PLATFORMS
        .iter()
        .flat_map(|p| emu.record().posts_for(*p))
        .filter(|p| p.text.starts_with(&prefix))
        .collect()
}

/// Waits until `n` posts of `tag` are on the emulator, or nothing is left
/// to run (every record settled), or `limit` passes; calls `at_quarter`
/// once a quarter is there.
async fn wait_posts(
    emu: &RunningEmulator,
    sync: &CreatorSync,
    tag: &str,
    n: usize,
    limit: Duration,
    mut at_quarter: impl FnMut(usize),
) {
    let t0 = Instant::now();
    let mut fired = false;
    let (mut last, mut since) = (0, Instant::now());
    loop {
        let count = posts_of(emu, tag).len();
        if !fired && count >= n / 4 {
            fired = true;
            at_quarter(count);
        }
        if count >= n || t0.elapsed() > limit {
            return;
        }
        if count != last {
            (last, since) = (count, Instant::now());
        } else if since.elapsed() > Duration::from_secs(10) {
            // No progress for a while: stop if nothing is left to run.
            since = Instant::now();
            if let Ok(h) = sync.scheduler().health().await {
                eprintln!("schedule bench: {tag}: {count} of {n} posts; {h:?}");
                if h.due + h.running + h.upcoming == 0 {
                    return;
                }
            }
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

/// The 1-, 5- and 15-minute load averages.
fn loadavg() -> Vec<f64> {
    std::fs::read_to_string("/proc/loadavg")
        .unwrap_or_default()
        .split_whitespace()
        .take(3)
        .filter_map(|x| x.parse().ok())
        .collect()
}

/// What a scenario ran with, beside what it measured.
struct Run<'a> {
    scenario: &'a str,
    tag: &'a str,
    n: usize,
    workers: usize,
    plan: Plan,
    accounts: &'a HashMap<(usize, Platform), String>,
    first_due: DateTime<Utc>,
    spread_ms: i64,
    schedule_secs: f64,
    /// Seconds from starting the workers to the first due time.
    workers_ahead_secs: f64,
    killed_at: Option<usize>,
    load_start: Vec<f64>,
}

/// Checks exactly once (one post per key, on its account) and prints the
/// scenario's line.
async fn report(run: &Run<'_>, emu: &RunningEmulator, sync: &CreatorSync) {
    let prefix = format!("{} post ", run.tag);
    let posts = posts_of(emu, run.tag);
    let mut by_key: BTreeMap<usize, Vec<(Platform, String)>> = BTreeMap::new();
    for p in &posts {
        let k: usize = p.text[prefix.len()..].parse().unwrap();
        by_key
            .entry(k)
            .or_default()
            .push((p.platform, p.account_id.clone()));
    }
    let duplicates = by_key.values().filter(|v| v.len() > 1).count();
    let missing = run.n - by_key.len();
    let wrong_account = by_key
        .iter()
        .filter(|(k, v)| {
            let p = run.plan.platform(**k);
            let expect = &run.accounts[&(**k % run.plan.users, p)];
            v.iter().any(|(q, a)| *q != p || a != expect)
        })
        .count();
    // Lateness: creation on the platform after the post's own due time.
    let mut late: Vec<f64> = posts
        .iter()
        .map(|p| {
            let k: usize = p.text[prefix.len()..].parse().unwrap();
            let due = due(run.first_due, k, run.n, run.spread_ms);
            (p.created_at - due).num_milliseconds() as f64 / 1000.0
        })
        .collect();
    late.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let last = posts
        .iter()
        .map(|p| p.created_at)
        .max()
        .unwrap_or(run.first_due);
    let span = (last - run.first_due).num_milliseconds() as f64 / 1000.0;
    let health = sync.scheduler().health().await.ok();
    // Posts that settled without publishing, and why (the first of them).
    let failed = sync
        .scheduler()
        .list(ListQuery::new().state(ScheduleState::Failed))
        .await
        .map(|p| p.items)
        .unwrap_or_default();
    // Posts run more than once (taken over from a dead worker, or run
    // again after a transient failure) and posts found at the platform
    // instead of created.
    let (mut rerun, mut reused) = (0, 0);
    let mut query = ListQuery::new();
    while let Ok(page) = sync.scheduler().list(query).await {
        rerun += page.items.iter().filter(|p| p.attempts > 1).count();
        reused += page
            .items
            .iter()
            .filter(|p| p.results.iter().any(|r| r.reused))
            .count();
        match page.next {
            Some(cursor) => query = ListQuery::new().after(cursor),
            None => break,
        }
    }
    let first_error = failed.first().map(|p| {
        let e = p
            .error
            .as_ref()
            .or_else(|| p.results.iter().find_map(|r| r.error.as_ref()));
        e.map(|e| format!("{}: {}", e.code, e.message))
    });
    let accounts_used = posts
        .iter()
        .map(|p| (p.platform, p.account_id.as_str()))
        .collect::<std::collections::HashSet<_>>()
        .len();
    println!(
        "{}",
        serde_json::json!({
            "bench": "schedule",
            "scenario": run.scenario,
            "posts": run.n,
            "workers": run.workers,
            "users": run.plan.users,
            "accounts_used": accounts_used,
            "caps_raised": run.plan.caps_raised,
            "latency_ms_per_call": LATENCY_MS,
            "due_spread_secs": run.spread_ms as f64 / 1000.0,
            "published": by_key.len(),
            "duplicates": duplicates,
            "missing": missing,
            "wrong_account": wrong_account,
            "exactly_once": duplicates == 0 && missing == 0 && wrong_account == 0,
            "killed_one_at_published": run.killed_at,
            "schedule_secs": run.schedule_secs,
            "workers_started_secs_before_first_due": run.workers_ahead_secs,
            "span_secs": span,
            "posts_per_sec": by_key.len() as f64 / span.max(0.001),
            "lateness_p50_s": pct(&late, 0.5),
            "lateness_p99_s": pct(&late, 0.99),
            "lateness_max_s": late.last().copied().unwrap_or(f64::NAN),
            "left_due": health.as_ref().map(|h| h.due),
            "left_running": health.as_ref().map(|h| h.running),
            "failed": failed.len(),
            "run_more_than_once": rerun,
            "found_not_created": reused,
            "first_error": first_error,
            "nproc": std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0),
            "loadavg_start": run.load_start,
            "loadavg_end": loadavg(),
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
    let load_start = loadavg();
    let plan = Plan::new(n, env_usize("SCHED_BENCH_USERS", 100));
    // The posts' text: LinkedIn's little text format escapes `_`.
    let tag = scenario.replace('_', "-");
    let tag = tag.as_str();
    let name = format!("cs_bench_sched_{}_{scenario}", std::process::id());
    drop_postgres_database(server, &name).await.unwrap();
    let url = create_postgres_database(server, &name).await.unwrap();
    let emu = emulator(plan).await;
    let dir = tempfile::tempdir().unwrap();
    let write = |f: &str, v: &str| std::fs::write(dir.path().join(f), v).unwrap();
    write(
        "endpoints.json",
        &serde_json::to_string(emu.endpoints()).unwrap(),
    );
    write("plan.json", &serde_json::to_string(&plan).unwrap());
    write("url", &url);
    let sync = pg_client(emu.endpoints().clone(), &url, plan).await;
    let accounts = connect(&emu, &sync, plan).await;
    eprintln!("schedule bench: {} accounts connected", accounts.len());
    slow_down(&emu);
    let lead = Duration::from_secs(env_usize("SCHED_BENCH_LEAD_SECS", 20 + n / 100) as u64);
    let (first, secs) = schedule(&sync, plan, tag, n, lead, spread_ms).await;
    let workers_ahead_secs = (first - Utc::now()).num_milliseconds() as f64 / 1000.0;
    let mut children: Vec<Child> = (0..workers).map(|_| spawn_worker(dir.path())).collect();
    let limit = lead + Duration::from_secs(900);
    let mut victim = kill_one.then(|| children.remove(0));
    let mut killed_at = None;
    eprintln!(
        "schedule bench: {scenario}: {n} posts scheduled in {secs:.1} s, {workers} workers started"
    );
    wait_posts(&emu, &sync, tag, n, limit, |count| {
        if let Some(mut c) = victim.take() {
            // SIGKILL: no destructor, no graceful shutdown.
            let _ = c.kill();
            let _ = c.wait();
            killed_at = Some(count);
        }
    })
    .await;
    let run = Run {
        scenario,
        tag,
        n,
        workers,
        plan,
        accounts: &accounts,
        first_due: first,
        spread_ms,
        schedule_secs: secs,
        workers_ahead_secs,
        killed_at,
        load_start,
    };
    report(&run, &emu, &sync).await;
    for mut c in children {
        let _ = c.kill();
        let _ = c.wait();
    }
    drop(sync);
    let _ = drop_postgres_database(server, &name).await;
}

async fn sqlite_scenario(n: usize) {
    let load_start = loadavg();
    let plan = Plan::new(n, env_usize("SCHED_BENCH_USERS", 100));
    let emu = emulator(plan).await;
    let dir = tempfile::tempdir().unwrap();
    let sync = builder(emu.endpoints().clone(), plan)
        .sqlite(
            dir.path().join("cs.db"),
            Some(KeyRing::new("k1", &[6u8; 32]).unwrap()),
        )
        .build()
        .await
        .expect("client");
    let accounts = connect(&emu, &sync, plan).await;
    eprintln!("schedule bench: {} accounts connected", accounts.len());
    slow_down(&emu);
    let lead = Duration::from_secs(env_usize("SCHED_BENCH_LEAD_SECS", 10 + n / 100) as u64);
    let (first, secs) = schedule(&sync, plan, "sqlite", n, lead, 60_000).await;
    let workers_ahead_secs = (first - Utc::now()).num_milliseconds() as f64 / 1000.0;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let s = sync.scheduler();
    let w = tokio::spawn(async move {
        s.run(async move {
            let _ = stopped.await;
        })
        .await
    });
    eprintln!("schedule bench: sqlite: {n} posts scheduled in {secs:.1} s, worker started");
    wait_posts(
        &emu,
        &sync,
        "sqlite",
        n,
        lead + Duration::from_secs(900),
        |_| {},
    )
    .await;
    let run = Run {
        scenario: "sqlite_1_process",
        tag: "sqlite",
        n,
        workers: 1,
        plan,
        accounts: &accounts,
        first_due: first,
        spread_ms: 60_000,
        schedule_secs: secs,
        workers_ahead_secs,
        killed_at: None,
        load_start,
    };
    report(&run, &emu, &sync).await;
    let _ = stop.send(());
    let _ = w.await;
}

fn main() {
    if std::env::var_os("RUST_LOG").is_some() {
        tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
            .with_writer(std::io::stderr)
            .init();
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    if let Ok(dir) = std::env::var(WORKER_ENV) {
        rt.block_on(worker(Path::new(&dir)));
        return;
    }
    let only = std::env::var("SCHED_BENCH_ONLY").unwrap_or_default();
    let runs = |s: &str| only.is_empty() || only == s || (only == "pg" && s.starts_with("pg"));
    rt.block_on(async {
        if runs("pg4") || runs("pg_killed") || runs("pg1") {
            match std::env::var("CREATORSYNC_TEST_POSTGRES_URL") {
                Ok(server) => {
                    let n = env_usize("SCHED_BENCH_POSTS", 10_000);
                    if runs("pg4") {
                        pg_scenario(&server, "pg_4_workers", n, 4, false, 60_000).await;
                    }
                    if runs("pg_killed") {
                        pg_scenario(&server, "pg_4_workers_one_killed", n, 4, true, 60_000).await;
                    }
                    if runs("pg1") {
                        let one = env_usize("SCHED_BENCH_ONE_WORKER_POSTS", 1_000);
                        // All due at once: the drain rate is what one worker sustains.
                        pg_scenario(&server, "pg_1_worker", one, 1, false, 0).await;
                    }
                }
                Err(_) => eprintln!(
                    "schedule bench: CREATORSYNC_TEST_POSTGRES_URL is not set; PostgreSQL scenarios skipped"
                ),
            }
        }
        if runs("sqlite") {
            sqlite_scenario(env_usize("SCHED_BENCH_SQLITE_POSTS", 1_000)).await;
        }
    });
}
