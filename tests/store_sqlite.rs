//! The encrypted SQLite token store and publish log through the public
//! API: the shared conformance suites on a file, two handles on one file
//! (as two processes would share it), publish-log leases raced by separate
//! OS processes, persistence, and no plaintext on disk.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use creatorsync_core::publish_log::{BeginOutcome, Lease, PublishLog, SqlitePublishLog};
use creatorsync_core::store::{KeyRing, SqliteTokenStore};
use creatorsync_core::testing;
use creatorsync_core::{AccountKey, Credential, Platform, Result, Secret, StoredToken, TokenStore};

fn keys() -> KeyRing {
    KeyRing::new("k1", &[0x11; 32]).expect("valid key")
}

/// Two store handles (two pools) on one database file, used alternately:
/// every call may land on a different connection pool, as with several
/// worker processes sharing the file.
#[derive(Debug)]
struct TwoHandles {
    handles: [SqliteTokenStore; 2],
    next: AtomicUsize,
}

impl TwoHandles {
    async fn open(path: &Path) -> Self {
        Self {
            handles: [
                SqliteTokenStore::open(path, keys()).await.expect("open 1"),
                SqliteTokenStore::open(path, keys()).await.expect("open 2"),
            ],
            next: AtomicUsize::new(0),
        }
    }

    fn pick(&self) -> &SqliteTokenStore {
        &self.handles[self.next.fetch_add(1, Ordering::Relaxed) % 2]
    }
}

#[async_trait]
impl TokenStore for TwoHandles {
    async fn get(&self, key: &AccountKey) -> Result<Option<StoredToken>> {
        self.pick().get(key).await
    }
    async fn list(&self, user_id: &str) -> Result<Vec<StoredToken>> {
        self.pick().list(user_id).await
    }
    async fn put(&self, token: &StoredToken, expected_version: Option<u64>) -> Result<u64> {
        self.pick().put(token, expected_version).await
    }
    async fn delete(&self, key: &AccountKey) -> Result<bool> {
        self.pick().delete(key).await
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn file_store_passes_the_token_store_suite() {
    let dir = Arc::new(tempfile::tempdir().expect("tempdir"));
    let n = Arc::new(AtomicUsize::new(0));
    testing::token_store_conformance(|| {
        let path = dir
            .path()
            .join(format!("{}.db", n.fetch_add(1, Ordering::SeqCst)));
        async move {
            Arc::new(SqliteTokenStore::open(path, keys()).await.expect("open"))
                as Arc<dyn TokenStore>
        }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_handles_on_one_file_pass_the_token_store_suite() {
    let dir = Arc::new(tempfile::tempdir().expect("tempdir"));
    let n = Arc::new(AtomicUsize::new(0));
    testing::token_store_conformance(|| {
        let path = dir
            .path()
            .join(format!("{}.db", n.fetch_add(1, Ordering::SeqCst)));
        async move { Arc::new(TwoHandles::open(&path).await) as Arc<dyn TokenStore> }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn file_store_persists_across_reopen() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("tokens.db");
    let store = SqliteTokenStore::open(&path, keys()).await.expect("open");
    testing::token_persistence(Arc::new(store), || async {
        Arc::new(SqliteTokenStore::open(&path, keys()).await.expect("reopen"))
            as Arc<dyn TokenStore>
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn publish_log_passes_its_suite_and_persists() {
    let dir = Arc::new(tempfile::tempdir().expect("tempdir"));
    let n = Arc::new(AtomicUsize::new(0));
    testing::publish_log_conformance(|| {
        let path = dir.path().join(format!("log{}.db", n.fetch_add(1, Ordering::SeqCst)));
        async move { Arc::new(SqlitePublishLog::open(path).await.expect("open")) as Arc<dyn PublishLog> }
    })
    .await;
    let path = dir.path().join("persist.db");
    let log = SqlitePublishLog::open(&path).await.expect("open");
    testing::publish_log_persistence(Arc::new(log), || async {
        Arc::new(SqlitePublishLog::open(&path).await.expect("reopen")) as Arc<dyn PublishLog>
    })
    .await;
}

/// Processes racing in [`publish_log_begin_is_exclusive_across_processes`].
const PROCESSES: usize = 4;
/// Targets they race for, one after the other.
const RACED_KEYS: usize = 40;
/// Set in a child process: the database file it races on.
const CHILD_DB: &str = "CREATORSYNC_TEST_PL_CHILD_DB";
/// Set in a child process: its number.
const CHILD_NO: &str = "CREATORSYNC_TEST_PL_CHILD_NO";

/// Waits (polling, with a deadline) until `path` exists.
async fn wait_for(path: &Path, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while !path.exists() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
}

/// The child's side: open the shared file, say ready, wait for the start
/// signal, then `begin` every raced key and write down what it got.
async fn begin_race_child(db: PathBuf, no: &str) {
    let dir = db.parent().expect("db dir").to_owned();
    let log = SqlitePublishLog::open(&db).await.expect("child open");
    let target = AccountKey::new("xp-user", Platform::TikTok, "creator-1").expect("key");
    std::fs::write(dir.join(format!("ready-{no}")), b"").expect("ready");
    wait_for(&dir.join("go"), "the start signal").await;
    let mut lines = String::new();
    for k in 0..RACED_KEYS {
        let lease = Lease::new(Duration::from_secs(600));
        let got = match log
            .begin(&format!("xp-req-{k}"), &target, &lease)
            .await
            .expect("begin in child")
        {
            BeginOutcome::Fresh => "fresh".to_owned(),
            BeginOutcome::InProgress { .. } => "in_progress".to_owned(),
            other => format!("{other:?}"),
        };
        lines.push_str(&format!("{k} {got}\n"));
    }
    let out = dir.join(format!("out-{no}"));
    std::fs::write(out.with_extension("tmp"), lines).expect("write results");
    std::fs::rename(out.with_extension("tmp"), out).expect("publish results");
}

/// [`PROCESSES`] separate OS processes (this test binary re-run with
/// [`CHILD_DB`] set) open one database file and race `begin` on
/// [`RACED_KEYS`] new targets: for each, exactly one process gets `Fresh`
/// and every other one `InProgress`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn publish_log_begin_is_exclusive_across_processes() {
    if let (Some(db), Some(no)) = (std::env::var_os(CHILD_DB), std::env::var(CHILD_NO).ok()) {
        return begin_race_child(PathBuf::from(db), &no).await;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("shared.db");
    // Create the schema once, so the children only race on rows.
    SqlitePublishLog::open(&db)
        .await
        .expect("open")
        .close()
        .await;
    let exe = std::env::current_exe().expect("test binary");
    let children: Vec<_> = (0..PROCESSES)
        .map(|no| {
            Command::new(&exe)
                .args([
                    "--exact",
                    "publish_log_begin_is_exclusive_across_processes",
                    "--test-threads=1",
                    "--quiet",
                ])
                .env(CHILD_DB, &db)
                .env(CHILD_NO, no.to_string())
                .stdout(std::process::Stdio::null())
                .spawn()
                .expect("spawn child")
        })
        .collect();
    for no in 0..PROCESSES {
        wait_for(
            &dir.path().join(format!("ready-{no}")),
            "a child to open the file",
        )
        .await;
    }
    std::fs::write(dir.path().join("go"), b"").expect("start signal");
    for mut child in children {
        let status = tokio::task::spawn_blocking(move || child.wait())
            .await
            .expect("join")
            .expect("wait for child");
        assert!(status.success(), "a child process failed: {status}");
    }
    let mut fresh = vec![0usize; RACED_KEYS];
    for no in 0..PROCESSES {
        let out = std::fs::read_to_string(dir.path().join(format!("out-{no}"))).expect("results");
        assert_eq!(
            out.lines().count(),
            RACED_KEYS,
            "child {no} answered every key"
        );
        for line in out.lines() {
            let (k, got) = line.split_once(' ').expect("`key outcome`");
            let k: usize = k.parse().expect("key number");
            match got {
                "fresh" => fresh[k] += 1,
                "in_progress" => {}
                other => panic!("child {no}, key {k}: expected Fresh or InProgress, got {other}"),
            }
        }
    }
    assert_eq!(
        fresh,
        vec![1; RACED_KEYS],
        "each target leased to exactly one process"
    );
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_token_is_readable_in_the_database_files() {
    const ACCESS: &str = "it-access-token-0d9e7b1c";
    const REFRESH: &str = "it-refresh-token-8a2f44e0";
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("tokens.db");
    let store = SqliteTokenStore::open(&path, keys()).await.expect("open");
    let key = AccountKey::new("user-1", Platform::YouTube, "channel-1").expect("key");
    let mut token = testing::sample_oauth2(key.clone(), ACCESS);
    token.credential = Credential::OAuth2 {
        access: Secret::from(ACCESS),
        refresh: Some(Secret::from(REFRESH)),
        expires_at: None,
        refresh_expires_at: None,
        scopes: vec![],
        user_token: None,
    };
    let v = store.put(&token, None).await.expect("insert");
    store.put(&token, Some(v)).await.expect("update");

    let read_all = || {
        ["", "-wal", "-shm"]
            .iter()
            .filter_map(|suffix| std::fs::read(format!("{}{suffix}", path.display())).ok())
            .flatten()
            .collect::<Vec<u8>>()
    };
    let bytes = read_all();
    assert!(contains(&bytes, "channel-1"), "the scan sees plain columns");
    assert!(!contains(&bytes, ACCESS), "access token on disk");
    assert!(!contains(&bytes, REFRESH), "refresh token on disk");
    store.close().await;
    let bytes = read_all();
    assert!(
        !contains(&bytes, ACCESS) && !contains(&bytes, REFRESH),
        "token on disk after close"
    );
}
