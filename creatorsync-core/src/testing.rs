//! Conformance suites for [`TokenStore`], [`PublishLog`],
//! [`KeyValueStore`], [`PendingStore`] and [`UploadSessions`]
//! implementations (feature `testing`), and [`mocks`]: the six platforms'
//! answers on a `wiremock` server for testing code that calls the SDK.
//!
//! Every implementation — the in-memory and SQLite stores here, PostgreSQL,
//! and stores written in Python or JavaScript through the bindings — runs
//! the same cases, so they all keep the same contract. Each case is a
//! public `async fn` that **panics** with a message naming the broken rule
//! (like an assertion in a test); call the whole suite or single cases.
//! Cases use their own user ids / idempotency keys, so they may share one
//! store, but a fresh store per case is clearer when one fails.
//!
//! Concurrency cases spawn tasks with [`tokio::spawn`]; run them inside a
//! Tokio runtime (a multi-thread runtime exercises real races).
//!
//! With the `postgres` feature, `create_postgres_database` and
//! `drop_postgres_database` give each test a throwaway database.
//!
//! ```
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! use std::sync::Arc;
//! use creatorsync_core::{MemoryTokenStore, TokenStore};
//! use creatorsync_core::publish_log::{MemoryPublishLog, PublishLog};
//! use creatorsync_core::testing;
//!
//! testing::token_store_conformance(|| async {
//!     Arc::new(MemoryTokenStore::new()) as Arc<dyn TokenStore>
//! })
//! .await;
//! testing::publish_log_conformance(|| async {
//!     Arc::new(MemoryPublishLog::new()) as Arc<dyn PublishLog>
//! })
//! .await;
//! # });
//! ```

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::Arc;

use chrono::{TimeZone, Utc};

use crate::auth::PendingStore;
use crate::publish_log::PublishLog;
use crate::upload::UploadSessions;
use crate::{
    AccountKey, Credential, KeyValueStore, Platform, Profile, Secret, StoredToken, TokenStore,
};

mod kv;
#[cfg(feature = "mocks")]
pub mod mocks;
mod pending;
mod publish_log;
mod sessions;
mod tokens;

/// Sample MP4 files for tests and benchmarks.
pub use crate::media::sample::SampleMp4;
pub use kv::{kv_cas_conflict, kv_delete, kv_list, kv_races, kv_round_trip};
pub use pending::{pending_concurrent_take, pending_expired, pending_taken_once};
pub use sessions::{sessions_isolation, sessions_remove, sessions_replace, sessions_round_trip};

pub use publish_log::{
    publish_log_concurrent_begin, publish_log_lease_expiry, publish_log_lease_holder,
    publish_log_lifecycle, publish_log_list, publish_log_misuse, publish_log_persistence,
    publish_log_release,
};
pub use tokens::{
    token_cas_conflict, token_concurrent_cas, token_delete, token_list_isolation,
    token_persistence, token_round_trip,
};

#[cfg(feature = "postgres")]
mod postgres;
#[cfg(feature = "postgres")]
pub use postgres::{create_postgres_database, drop_postgres_database};

/// Number of tasks in each concurrency round.
pub const RACERS: usize = 50;
/// Number of rounds in the concurrency cases.
pub const ROUNDS: usize = 4;

/// Runs every [`TokenStore`] case except [`token_persistence`], each on a
/// fresh store from `make`.
pub async fn token_store_conformance<F, Fut>(make: F)
where
    F: Fn() -> Fut,
    Fut: Future<Output = Arc<dyn TokenStore>>,
{
    token_round_trip(&*make().await).await;
    token_list_isolation(&*make().await).await;
    token_cas_conflict(&*make().await).await;
    token_delete(&*make().await).await;
    token_concurrent_cas(make().await).await;
}

/// Runs every [`KeyValueStore`] case, each on a fresh store from `make`.
pub async fn key_value_store_conformance<F, Fut>(make: F)
where
    F: Fn() -> Fut,
    Fut: Future<Output = Arc<dyn KeyValueStore>>,
{
    kv_round_trip(&*make().await).await;
    kv_cas_conflict(&*make().await).await;
    kv_delete(&*make().await).await;
    kv_list(&*make().await).await;
    kv_races(make().await).await;
}

/// Runs every [`UploadSessions`] case, each on a fresh store from `make`.
pub async fn upload_sessions_conformance<F, Fut>(make: F)
where
    F: Fn() -> Fut,
    Fut: Future<Output = Arc<dyn UploadSessions>>,
{
    sessions_round_trip(&*make().await).await;
    sessions_replace(&*make().await).await;
    sessions_remove(&*make().await).await;
    sessions_isolation(&*make().await).await;
}

/// Runs every [`PendingStore`] case, each on a fresh store from `make`.
pub async fn pending_store_conformance<F, Fut>(make: F)
where
    F: Fn() -> Fut,
    Fut: Future<Output = Arc<dyn PendingStore>>,
{
    pending_taken_once(&*make().await).await;
    pending_expired(&*make().await).await;
    pending_concurrent_take(make().await).await;
}

/// Runs every [`PublishLog`] case except [`publish_log_persistence`], each
/// on a fresh log from `make`.
pub async fn publish_log_conformance<F, Fut>(make: F)
where
    F: Fn() -> Fut,
    Fut: Future<Output = Arc<dyn PublishLog>>,
{
    publish_log_lifecycle(&*make().await).await;
    publish_log_misuse(&*make().await).await;
    publish_log_list(&*make().await).await;
    publish_log_lease_holder(&*make().await).await;
    publish_log_release(&*make().await).await;
    publish_log_lease_expiry(make().await).await;
    publish_log_concurrent_begin(make().await).await;
}

/// An account key for the cases (ids are valid by construction).
pub fn key(user_id: &str, platform: Platform, account_id: &str) -> AccountKey {
    AccountKey {
        user_id: user_id.to_owned(),
        platform,
        account_id: account_id.to_owned(),
    }
}

/// An OAuth 2.0 token with every field set; `access` tells tokens apart.
pub fn sample_oauth2(key: AccountKey, access: &str) -> StoredToken {
    let credential = Credential::OAuth2 {
        access: Secret::from(access),
        refresh: Some(Secret::from(format!("refresh-of-{access}"))),
        expires_at: Some(Utc.with_ymd_and_hms(2030, 1, 2, 3, 4, 5).unwrap()),
        refresh_expires_at: Some(Utc.with_ymd_and_hms(2031, 6, 7, 8, 9, 10).unwrap()),
        scopes: vec!["video.publish".into(), "user.info.basic".into()],
        user_token: None,
    };
    let profile = Profile {
        platform_user_id: key.account_id.clone(),
        handle: Some("creator".into()),
        display_name: Some("A Créator \u{1F3AC}".into()),
        kind: Some("person".into()),
    };
    let mut token = StoredToken::new(key, credential, profile);
    token.metadata = BTreeMap::from([("page_id".to_owned(), "p-1".to_owned())]);
    token
}

/// An OAuth 1.0a token.
pub fn sample_oauth1(key: AccountKey, token: &str) -> StoredToken {
    let credential = Credential::OAuth1 {
        token: Secret::from(token),
        secret: Secret::from(format!("secret-of-{token}")),
    };
    StoredToken::new(key, credential, Profile::default())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::MemoryTokenStore;
    use crate::publish_log::MemoryPublishLog;

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn memory_token_store_conforms() {
        token_store_conformance(|| async {
            Arc::new(MemoryTokenStore::new()) as Arc<dyn TokenStore>
        })
        .await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn memory_key_value_store_conforms() {
        key_value_store_conformance(|| async {
            Arc::new(crate::MemoryKeyValueStore::new()) as Arc<dyn KeyValueStore>
        })
        .await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn memory_publish_log_conforms() {
        publish_log_conformance(|| async {
            Arc::new(MemoryPublishLog::new()) as Arc<dyn PublishLog>
        })
        .await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn memory_upload_sessions_and_pending_conform() {
        upload_sessions_conformance(|| async {
            Arc::new(crate::upload::MemoryUploadSessions::new()) as Arc<dyn UploadSessions>
        })
        .await;
        pending_store_conformance(|| async {
            Arc::new(crate::auth::MemoryPendingStore::new()) as Arc<dyn PendingStore>
        })
        .await;
    }

    /// Everything the SDK keeps, through one in-memory key-value store.
    mod key_value {
        use super::*;
        use crate::{KeyRing, KvStore, MemoryKeyValueStore};

        fn kv_store() -> Arc<KvStore> {
            Arc::new(KvStore::new(
                Arc::new(MemoryKeyValueStore::new()),
                KeyRing::new("k1", &[5u8; 32]).unwrap(),
            ))
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
        async fn kv_token_store_conforms() {
            token_store_conformance(|| async { kv_store() as Arc<dyn TokenStore> }).await;
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
        async fn kv_publish_log_conforms() {
            publish_log_conformance(|| async {
                Arc::new(kv_store().publish_log()) as Arc<dyn PublishLog>
            })
            .await;
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
        async fn kv_pending_store_conforms() {
            pending_store_conformance(|| async { kv_store() as Arc<dyn PendingStore> }).await;
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
        async fn kv_upload_sessions_conform() {
            upload_sessions_conformance(|| async { kv_store() as Arc<dyn UploadSessions> }).await;
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
        async fn kv_token_store_and_log_persist_in_the_key_value_store() {
            let kv: Arc<dyn KeyValueStore> = Arc::new(MemoryKeyValueStore::new());
            let ring = || KeyRing::new("k1", &[5u8; 32]).unwrap();
            let store = KvStore::new(kv.clone(), ring());
            token_persistence(Arc::new(store.clone()), || async {
                Arc::new(KvStore::new(kv.clone(), ring())) as Arc<dyn TokenStore>
            })
            .await;
            publish_log_persistence(Arc::new(store.publish_log()), || async {
                Arc::new(KvStore::new(kv.clone(), ring()).publish_log()) as Arc<dyn PublishLog>
            })
            .await;
        }
    }

    #[cfg(feature = "sqlite")]
    mod sqlite {
        use std::sync::atomic::{AtomicUsize, Ordering};

        use super::*;
        use crate::publish_log::SqlitePublishLog;
        use crate::store::{KeyRing, SqliteTokenStore};

        fn ring() -> KeyRing {
            KeyRing::new("k1", &[9u8; 32]).unwrap()
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
        async fn sqlite_file_token_store_conforms() {
            let dir = Arc::new(tempfile::tempdir().unwrap());
            let n = Arc::new(AtomicUsize::new(0));
            token_store_conformance(|| {
                let path = dir
                    .path()
                    .join(format!("t{}.db", n.fetch_add(1, Ordering::SeqCst)));
                async move {
                    Arc::new(SqliteTokenStore::open(path, ring()).await.unwrap())
                        as Arc<dyn TokenStore>
                }
            })
            .await;
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
        async fn sqlite_key_value_table_conforms() {
            let dir = Arc::new(tempfile::tempdir().unwrap());
            let n = Arc::new(AtomicUsize::new(0));
            key_value_store_conformance(|| {
                let path = dir
                    .path()
                    .join(format!("kv{}.db", n.fetch_add(1, Ordering::SeqCst)));
                async move {
                    Arc::new(SqliteTokenStore::open(path, ring()).await.unwrap())
                        as Arc<dyn KeyValueStore>
                }
            })
            .await;
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
        async fn sqlite_memory_token_store_conforms() {
            token_store_conformance(|| async {
                Arc::new(SqliteTokenStore::open_in_memory(ring()).await.unwrap())
                    as Arc<dyn TokenStore>
            })
            .await;
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
        async fn sqlite_token_store_persists() {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("p.db");
            let store = SqliteTokenStore::open(&path, ring()).await.unwrap();
            token_persistence(Arc::new(store), || async {
                Arc::new(SqliteTokenStore::open(&path, ring()).await.unwrap())
                    as Arc<dyn TokenStore>
            })
            .await;
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
        async fn sqlite_publish_log_conforms() {
            let dir = Arc::new(tempfile::tempdir().unwrap());
            let n = Arc::new(AtomicUsize::new(0));
            publish_log_conformance(|| {
                let path = dir
                    .path()
                    .join(format!("l{}.db", n.fetch_add(1, Ordering::SeqCst)));
                async move {
                    Arc::new(SqlitePublishLog::open(path).await.unwrap()) as Arc<dyn PublishLog>
                }
            })
            .await;
            publish_log_conformance(|| async {
                Arc::new(SqlitePublishLog::open_in_memory().await.unwrap()) as Arc<dyn PublishLog>
            })
            .await;
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
        async fn sqlite_upload_sessions_and_pending_conform() {
            let dir = Arc::new(tempfile::tempdir().unwrap());
            let n = Arc::new(AtomicUsize::new(0));
            let file = || {
                dir.path()
                    .join(format!("s{}.db", n.fetch_add(1, Ordering::SeqCst)))
            };
            upload_sessions_conformance(|| {
                let path = file();
                async move {
                    Arc::new(SqliteTokenStore::open(path, ring()).await.unwrap())
                        as Arc<dyn UploadSessions>
                }
            })
            .await;
            pending_store_conformance(|| {
                let path = file();
                async move {
                    Arc::new(SqliteTokenStore::open(path, ring()).await.unwrap())
                        as Arc<dyn PendingStore>
                }
            })
            .await;
            // A session saved by one process is there for the next one.
            let path = file();
            let first = SqliteTokenStore::open(&path, ring()).await.unwrap();
            first
                .save("job:x:0", &serde_json::json!({"segment": 3}))
                .await
                .unwrap();
            first.close().await;
            let again = SqliteTokenStore::open(&path, ring()).await.unwrap();
            assert_eq!(
                again.load("job:x:0").await.unwrap(),
                Some(serde_json::json!({"segment": 3}))
            );
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
        async fn sqlite_publish_log_persists_beside_tokens() {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("shared.db");
            let store = SqliteTokenStore::open(&path, ring()).await.unwrap();
            publish_log_persistence(Arc::new(store.publish_log()), || async {
                Arc::new(SqlitePublishLog::open(&path).await.unwrap()) as Arc<dyn PublishLog>
            })
            .await;
            // The token table in the same file is unaffected.
            token_round_trip(&store).await;
        }
    }
}
