//! The refresh race across OS processes sharing one PostgreSQL store: a
//! TikTok account whose rotating token has expired, 4 worker processes ×
//! 50 concurrent publishes through the public [`CreatorSync`] publisher
//! (Postgres token store + Postgres publish log), each publish a small
//! FILE_UPLOAD video with its own idempotency key. The emulator must see
//! exactly one refresh, every publish must succeed, and the emulator must
//! hold exactly 200 distinct posts, one per idempotency key.
//!
//! The workers are this test binary run again with `CS_REFRESH_RACE_WORKER`
//! set (test `worker_role`, a no-op otherwise). The emulator runs in the
//! parent.
//!
//! Rate limits: TikTok allows 6 video inits (and 30 status checks) per
//! token per minute, so 200 publishes on one account cannot run inside one
//! minute at the real limits. This test raises the emulator's per-token
//! limits through its test knob, `EmulatorConfig::tiktok_rate_limits`,
//! rather than advancing the emulator clock: moving the clock while
//! publishes are in flight would turn the run into rounds of 429s and
//! waits (a test of the rate-limit handling, which has its own tests:
//! `creatorsync-emulator/tests/tiktok_limits.rs`, `tests/tiktok.rs`) and
//! would age the tokens under test. What stays real is what this test is
//! about: one expired rotating token, one database, four processes.
//!
//! Needs `CREATORSYNC_TEST_POSTGRES_URL`; without it the test prints
//! "skipped" and passes (under `CI=true` it fails). Prints one JSON line
//! with the time per publish.

mod pg_support;

use std::collections::{BTreeMap, BTreeSet};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use chrono::Utc;
use creatorsync::auth::Apps;
use creatorsync::store::{KeyRing, PostgresOptions, PostgresTokenStore};
use creatorsync::upload::PollConfig;
use creatorsync::{
    BytesSource, CreatorSync, Credential, EndpointSet, Media, Platform, Post, PublishLog,
    StoredToken, Target, TikTokPrivacy, TokenStore,
};
use creatorsync_emulator::{Emulator, EmulatorConfig, TikTokRateLimits};
use pg_support::{fresh_database, server_url};
use serde::{Deserialize, Serialize};

const WORKER_ENV: &str = "CS_REFRESH_RACE_WORKER";
const PROCESSES: usize = 4;
const PUBLISHES: usize = 50;
const USER: &str = "creator-1";
/// Per-token, per-minute limit of every TikTok endpoint in this test (see
/// the module doc): well above the ~5 calls × 200 publishes made.
const RAISED_LIMIT: usize = 100_000;

/// What the parent hands a worker (as JSON in `CS_REFRESH_RACE_WORKER`).
#[derive(Serialize, Deserialize)]
struct WorkerSpec {
    worker: usize,
    database: String,
    endpoints: EndpointSet,
    account_id: String,
}

/// What a worker prints (one JSON line on stdout): idempotency key → post id.
#[derive(Serialize, Deserialize, Debug)]
struct WorkerResult {
    worker: usize,
    published: BTreeMap<String, String>,
}

fn keys() -> KeyRing {
    KeyRing::new("k1", &[0x42; 32]).expect("valid key")
}

fn access_of(t: &StoredToken) -> String {
    match &t.credential {
        Credential::OAuth2 { access, .. } => access.expose().clone(),
        Credential::OAuth1 { token, .. } => token.expose().clone(),
    }
}

/// The publisher over the Postgres store and its publish log.
async fn client(database: &str, endpoints: &EndpointSet) -> (CreatorSync, Arc<PostgresTokenStore>) {
    let store = Arc::new(
        PostgresTokenStore::connect_with(
            database,
            keys(),
            PostgresOptions::default().max_connections(8),
        )
        .await
        .expect("connect to the test database"),
    );
    let sync = CreatorSync::builder()
        .apps(Apps::emulator_defaults())
        .endpoints(endpoints.clone())
        .state_secret(*b"refresh-race-state-secret-0123456")
        .store(store.clone() as Arc<dyn TokenStore>)
        .publish_log(Arc::new(store.publish_log()) as Arc<dyn PublishLog>)
        // The emulator's caps are raised (below); the SDK counts the same.
        .quota_limit(Platform::TikTok, "video_init", RAISED_LIMIT as u32)
        .quota_limit(Platform::TikTok, "posts", RAISED_LIMIT as u32)
        .poll(PollConfig {
            initial: Duration::from_millis(20),
            max_interval: Duration::from_millis(200),
            deadline: Duration::from_secs(120),
        })
        .build()
        .await
        .expect("CreatorSync client");
    (sync, store)
}

/// An MP4-looking file (ftyp box + filler): one FILE_UPLOAD chunk.
fn mp4() -> Bytes {
    let mut v = vec![
        0, 0, 0, 0x20, b'f', b't', b'y', b'p', b'i', b's', b'o', b'm', 0, 0, 2, 0,
    ];
    v.extend_from_slice(b"isomiso2avc1mp41");
    v.resize(16 * 1024, 0x42);
    v.into()
}

/// Child process: 50 concurrent publishes, one idempotency key each.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn worker_role() {
    let Ok(spec) = std::env::var(WORKER_ENV) else {
        return; // only meaningful as a child of refresh_race_across_four_processes
    };
    let spec: WorkerSpec = serde_json::from_str(&spec).expect("worker spec");
    let (sync, _) = client(&spec.database, &spec.endpoints).await;
    let media = Media::new(BytesSource::new(mp4(), Some("race.mp4".into())))
        .await
        .expect("media");
    let target = Target::Account {
        platform: Platform::TikTok,
        account_id: spec.account_id.clone(),
    };
    let publishes = (0..PUBLISHES).map(|i| {
        let (sync, media, target) = (sync.clone(), media.clone(), target.clone());
        let key = format!("race-w{}-{i}", spec.worker);
        tokio::spawn(async move {
            let mut post = Post::text(format!("refresh race {key}")).with_media(media);
            post.options.tiktok.privacy_level = Some(TikTokPrivacy::SelfOnly);
            post.options.tiktok.disable_stitch = true; // the demo creator turned stitches off
            let report = sync
                .publish(USER, &post)
                .targets([target])
                .idempotency_key(key.clone())
                .await
                .expect("publish");
            let result = report.results.into_iter().next().expect("one target");
            let published = result
                .outcome
                .unwrap_or_else(|e| panic!("publish {key} failed: {e}"));
            (key, published.post_id)
        })
    });
    let mut result = WorkerResult {
        worker: spec.worker,
        published: BTreeMap::new(),
    };
    for publish in futures::future::join_all(publishes).await {
        let (key, post_id) = publish.expect("publish task");
        result.published.insert(key, post_id);
    }
    // The parent reads this line from the child's stdout.
    #[allow(clippy::print_stdout)]
    {
        // (The test harness may print "test worker_role ... " before it.)
        println!("WORKER_RESULT {}", serde_json::to_string(&result).unwrap());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn refresh_race_across_four_processes() {
    if std::env::var(WORKER_ENV).is_ok() {
        return;
    }
    let Some(server) = server_url("refresh_race_across_four_processes") else {
        return;
    };
    let database = fresh_database(&server, "rrafp").await;
    let emu = Emulator::start(EmulatorConfig {
        tiktok_rate_limits: TikTokRateLimits {
            creator_info: RAISED_LIMIT,
            init: RAISED_LIMIT,
            status: RAISED_LIMIT,
            video_list: RAISED_LIMIT,
        },
        tiktok_direct_posts_per_day: RAISED_LIMIT as u64,
        ..EmulatorConfig::default()
    })
    .await
    .expect("emulator");
    let (sync, store) = client(&database, emu.endpoints()).await;

    // Connect TikTok through the emulator's OAuth flow.
    let req = sync
        .connector()
        .begin(USER, Platform::TikTok, "http://127.0.0.1:9/callback")
        .await
        .expect("begin");
    let callback = emu.approve(req.url.as_str()).await.expect("authorize");
    let key = sync
        .connector()
        .complete_from_url(USER, Platform::TikTok, &callback)
        .await
        .expect("connect TikTok")
        .remove(0)
        .key;

    // Expire it at the platform and in the row.
    emu.tokens()
        .expire_now(Platform::TikTok, None, emu.clock().now());
    let mut row = store.get(&key).await.unwrap().expect("stored row");
    let old_access = access_of(&row);
    if let Credential::OAuth2 { expires_at, .. } = &mut row.credential {
        *expires_at = Some(Utc::now() - chrono::Duration::seconds(1));
    }
    let version = row.version;
    store
        .put(&row, Some(version))
        .await
        .expect("expire the row");
    // The emulator counts refreshes per platform; this is its only TikTok account.
    let refreshes_before = emu.tokens().refresh_count(Platform::TikTok);

    let exe = std::env::current_exe().expect("test binary");
    let started = Instant::now();
    let children: Vec<_> = (0..PROCESSES)
        .map(|worker| {
            let spec = WorkerSpec {
                worker,
                database: database.clone(),
                endpoints: emu.endpoints().clone(),
                account_id: key.account_id.clone(),
            };
            Command::new(&exe)
                .args(["worker_role", "--exact", "--nocapture", "--test-threads=1"])
                .env(WORKER_ENV, serde_json::to_string(&spec).unwrap())
                .stdout(Stdio::piped())
                .stderr(Stdio::inherit())
                .spawn()
                .expect("spawn a worker process")
        })
        .collect();
    // The emulator serves on this runtime: wait for the children off it.
    let outputs = tokio::task::spawn_blocking(move || {
        children
            .into_iter()
            .map(|c| c.wait_with_output().expect("worker output"))
            .collect::<Vec<_>>()
    })
    .await
    .unwrap();
    let elapsed = started.elapsed();

    let mut published = BTreeMap::new();
    for (i, out) in outputs.iter().enumerate() {
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "worker {i} failed: {stdout}");
        let line = stdout
            .lines()
            .find_map(|l| l.split_once("WORKER_RESULT ").map(|(_, json)| json))
            .unwrap_or_else(|| panic!("worker {i} printed no result: {stdout}"));
        let result: WorkerResult = serde_json::from_str(line).unwrap();
        assert_eq!(result.published.len(), PUBLISHES, "worker {i}");
        published.extend(result.published);
    }
    let total = PROCESSES * PUBLISHES;
    assert_eq!(published.len(), total, "every publish succeeded");
    assert_eq!(
        emu.tokens().refresh_count(Platform::TikTok) - refreshes_before,
        1,
        "exactly one refresh across {PROCESSES} processes"
    );
    let stored = store.get(&key).await.unwrap().expect("row");
    assert_ne!(access_of(&stored), old_access, "the token was refreshed");

    // The emulator holds exactly one post per idempotency key, and it is
    // the post each publish reported.
    let posts = emu.record().posts_for(Platform::TikTok);
    assert_eq!(posts.len(), total, "posts recorded by the emulator");
    let recorded: BTreeMap<String, String> = posts
        .iter()
        .map(|p| {
            let key = p
                .text
                .strip_prefix("refresh race ")
                .unwrap_or_else(|| panic!("unexpected post text {:?}", p.text));
            (key.to_owned(), p.post_id.clone())
        })
        .collect();
    assert_eq!(recorded.len(), total, "a key was posted twice");
    let distinct: BTreeSet<&String> = recorded.values().collect();
    assert_eq!(distinct.len(), total, "post ids are distinct");
    assert_eq!(recorded, published, "each key's post is the one reported");

    eprintln!(
        "{}",
        serde_json::json!({
            "bench": "postgres_refresh_race",
            "processes": PROCESSES,
            "publishes": total,
            "secs": (elapsed.as_secs_f64() * 1000.0).round() / 1000.0,
            "ms_per_publish": (elapsed.as_secs_f64() * 1000.0 / total as f64 * 100.0).round() / 100.0,
        })
    );
    pg_support::drop_databases(&server, "rrafp").await;
}
