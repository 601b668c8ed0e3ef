//! The refresh race across OS processes sharing one PostgreSQL store: a
//! TikTok account whose rotating token has expired, 4 worker processes ×
//! 50 concurrent callers of `TokenManager::usable()` followed by a TikTok
//! API call with the token each got. The emulator must see exactly one
//! refresh, and every call must succeed with the one new token.
//!
//! The workers are this test binary run again with `CS_REFRESH_RACE_WORKER`
//! set (test `worker_role`, a no-op otherwise). The emulator runs in the
//! parent. The API call is `video/list` (600/min per token in the
//! emulator): TikTok's 6 video inits per token per minute make 200 real
//! publishes on one account a rate-limit test rather than a refresh test.
//!
//! Needs `CREATORSYNC_TEST_POSTGRES_URL`; without it the test prints
//! "skipped" and passes. Prints one JSON line with the time per call.

mod pg_support;

use std::collections::BTreeSet;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::Instant;

use chrono::Utc;
use creatorsync::auth::{Apps, Connector, TokenManager};
use creatorsync::store::{KeyRing, PostgresOptions, PostgresTokenStore};
use creatorsync::{
    AccountKey, Credential, EndpointSet, HttpClient, Platform, StoredToken, TokenStore,
};
use creatorsync_emulator::{Emulator, EmulatorConfig};
use pg_support::{fresh_database, server_url};
use serde::{Deserialize, Serialize};
use sha2::Digest;

const WORKER_ENV: &str = "CS_REFRESH_RACE_WORKER";
const PROCESSES: usize = 4;
const CALLS: usize = 50;
const USER: &str = "creator-1";

/// What the parent hands a worker (as JSON in `CS_REFRESH_RACE_WORKER`).
#[derive(Serialize, Deserialize)]
struct WorkerSpec {
    worker: usize,
    database: String,
    endpoints: EndpointSet,
    account_id: String,
}

/// What a worker prints (one JSON line on stdout). Tokens only as hashes.
#[derive(Serialize, Deserialize, Debug)]
struct WorkerResult {
    worker: usize,
    ok_calls: usize,
    access_sha256: BTreeSet<String>,
}

fn keys() -> KeyRing {
    KeyRing::new("k1", &[0x42; 32]).expect("valid key")
}

fn sha(text: &str) -> String {
    hex::encode(sha2::Sha256::digest(text.as_bytes()))
}

fn access_of(t: &StoredToken) -> String {
    match &t.credential {
        Credential::OAuth2 { access, .. } => access.expose().clone(),
        Credential::OAuth1 { token, .. } => token.expose().clone(),
    }
}

async fn store(url: &str) -> Arc<dyn TokenStore> {
    Arc::new(
        PostgresTokenStore::connect_with(
            url,
            keys(),
            PostgresOptions::default().max_connections(8),
        )
        .await
        .expect("connect to the test database"),
    )
}

/// Child process: 50 concurrent `usable()` + API calls.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn worker_role() {
    let Ok(spec) = std::env::var(WORKER_ENV) else {
        return; // only meaningful as a child of refresh_race_across_four_processes
    };
    let spec: WorkerSpec = serde_json::from_str(&spec).expect("worker spec");
    let store = store(&spec.database).await;
    let tokens = TokenManager::new(
        Apps::emulator_defaults(),
        store,
        spec.endpoints.clone(),
        HttpClient::default(),
    );
    let key = AccountKey::new(USER, Platform::TikTok, spec.account_id.clone()).expect("key");
    let list_url = format!(
        "{}/v2/video/list/?fields=id",
        spec.endpoints.tiktok.api.as_str().trim_end_matches('/')
    );
    let http = reqwest::Client::new();
    let calls = (0..CALLS).map(|_| {
        let (tokens, key, http, url) =
            (tokens.clone(), key.clone(), http.clone(), list_url.clone());
        tokio::spawn(async move {
            let token = tokens.usable(&key).await.expect("usable token");
            let access = access_of(&token);
            let resp = http
                .post(&url)
                .bearer_auth(&access)
                .json(&serde_json::json!({ "max_count": 1 }))
                .send()
                .await
                .expect("video/list request");
            assert_eq!(resp.status(), 200, "video/list with the usable token");
            sha(&access)
        })
    });
    let mut result = WorkerResult {
        worker: spec.worker,
        ok_calls: 0,
        access_sha256: BTreeSet::new(),
    };
    for call in futures::future::join_all(calls).await {
        result.access_sha256.insert(call.expect("call task"));
        result.ok_calls += 1;
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
    let emu = Emulator::start(EmulatorConfig::default())
        .await
        .expect("emulator");
    let store = store(&database).await;

    // Connect TikTok through the emulator's OAuth flow.
    let connector = Connector::builder()
        .apps(Apps::emulator_defaults())
        .store(store.clone())
        .endpoints(emu.endpoints().clone())
        .http(HttpClient::default())
        .state_secret(*b"refresh-race-state-secret-0123456")
        .build()
        .expect("connector");
    let req = connector
        .begin(USER, Platform::TikTok, "http://127.0.0.1:9/callback")
        .await
        .expect("begin");
    let callback = emu.approve(req.url.as_str()).await.expect("authorize");
    let key = connector
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

    let mut all_tokens = BTreeSet::new();
    let mut ok_calls = 0;
    for (i, out) in outputs.iter().enumerate() {
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "worker {i} failed: {stdout}");
        let line = stdout
            .lines()
            .find_map(|l| l.split_once("WORKER_RESULT ").map(|(_, json)| json))
            .unwrap_or_else(|| panic!("worker {i} printed no result: {stdout}"));
        let result: WorkerResult = serde_json::from_str(line).unwrap();
        ok_calls += result.ok_calls;
        all_tokens.extend(result.access_sha256);
    }
    assert_eq!(ok_calls, PROCESSES * CALLS, "every call succeeded");
    assert_eq!(
        emu.tokens().refresh_count(Platform::TikTok) - refreshes_before,
        1,
        "exactly one refresh across {PROCESSES} processes"
    );
    let stored = store.get(&key).await.unwrap().expect("row");
    assert_eq!(
        all_tokens,
        BTreeSet::from([sha(&access_of(&stored))]),
        "every caller used the one refreshed token"
    );
    assert_ne!(access_of(&stored), old_access, "the token was refreshed");

    eprintln!(
        "{}",
        serde_json::json!({
            "bench": "postgres_refresh_race",
            "processes": PROCESSES,
            "calls": PROCESSES * CALLS,
            "secs": (elapsed.as_secs_f64() * 1000.0).round() / 1000.0,
            "ms_per_call": (elapsed.as_secs_f64() * 1000.0 / (PROCESSES * CALLS) as f64 * 100.0).round() / 100.0,
        })
    );
    pg_support::drop_databases(&server, "rrafp").await;
}
