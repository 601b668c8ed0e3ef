//! The encrypted SQLite token store and publish log through the public
//! API: the shared conformance suites on a file, two handles on one file
//! (as two processes would share it), persistence, and no plaintext on disk.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use async_trait::async_trait;
use creatorsync_core::publish_log::{PublishLog, SqlitePublishLog};
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
