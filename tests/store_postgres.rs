//! The encrypted PostgreSQL token store and publish log through the public
//! API: the shared conformance suites (one pool, and two pools used
//! alternately as two processes would), persistence across reconnects, no
//! plaintext in the rows, key rotation, row and version binding, concurrent
//! migrations and password redaction.
//!
//! Needs `CREATORSYNC_TEST_POSTGRES_URL` (./scripts/test starts a
//! throwaway server and sets it); without it every test prints "skipped"
//! and passes, except under `CI=true`, where it fails. Each case runs in a
//! database of its own.

mod pg_support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use async_trait::async_trait;
use std::time::Duration;

use creatorsync_core::publish_log::{
    BeginOutcome, Lease, PostgresPublishLog, PublishLog, PublishState,
};
use creatorsync_core::store::{KeyRing, PostgresOptions, PostgresTokenStore};
use creatorsync_core::testing;
use creatorsync_core::{
    AccountKey, Credential, Error, Platform, Result, Secret, StoredToken, TokenStore,
};
use pg_support::{fresh_database, server_url};
use sqlx::Connection;

fn keys() -> KeyRing {
    KeyRing::new("k1", &[0x11; 32]).expect("valid key")
}

fn ring(id: &str, byte: u8) -> KeyRing {
    KeyRing::new(id, &[byte; 32]).expect("valid key")
}

async fn store_at(url: &str, keys: KeyRing) -> PostgresTokenStore {
    PostgresTokenStore::connect(url, keys)
        .await
        .expect("connect")
}

async fn raw(url: &str) -> sqlx::PgConnection {
    sqlx::PgConnection::connect(url)
        .await
        .expect("raw connection")
}

/// Two stores (two pools) on one database, used alternately: every call
/// may land on another pool, as with several worker processes.
#[derive(Debug)]
struct TwoPools {
    handles: [PostgresTokenStore; 2],
    next: AtomicUsize,
}

#[async_trait]
impl TokenStore for TwoPools {
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

impl TwoPools {
    fn pick(&self) -> &PostgresTokenStore {
        &self.handles[self.next.fetch_add(1, Ordering::Relaxed) % 2]
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn token_store_passes_the_suite() {
    let Some(server) = server_url("token_store_passes_the_suite") else {
        return;
    };
    testing::token_store_conformance(|| {
        let server = server.clone();
        async move {
            let url = fresh_database(&server, "tspts").await;
            Arc::new(store_at(&url, keys()).await) as Arc<dyn TokenStore>
        }
    })
    .await;
    pg_support::drop_databases(&server, "tspts").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_pools_on_one_database_pass_the_suite() {
    let Some(server) = server_url("two_pools_on_one_database_pass_the_suite") else {
        return;
    };
    testing::token_store_conformance(|| {
        let server = server.clone();
        async move {
            let url = fresh_database(&server, "tpoodpts").await;
            Arc::new(TwoPools {
                handles: [store_at(&url, keys()).await, store_at(&url, keys()).await],
                next: AtomicUsize::new(0),
            }) as Arc<dyn TokenStore>
        }
    })
    .await;
    pg_support::drop_databases(&server, "tpoodpts").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn key_value_table_passes_the_suite() {
    let Some(server) = server_url("key_value_table_passes_the_suite") else {
        return;
    };
    testing::key_value_store_conformance(|| {
        let server = server.clone();
        async move {
            let url = fresh_database(&server, "kvtpts").await;
            Arc::new(store_at(&url, keys()).await) as Arc<dyn creatorsync::KeyValueStore>
        }
    })
    .await;
    pg_support::drop_databases(&server, "kvtpts").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn token_store_persists_across_reconnect() {
    let Some(server) = server_url("token_store_persists_across_reconnect") else {
        return;
    };
    let url = fresh_database(&server, "tspar").await;
    let store = store_at(&url, keys()).await;
    testing::token_persistence(Arc::new(store), || async {
        Arc::new(store_at(&url, keys()).await) as Arc<dyn TokenStore>
    })
    .await;
    pg_support::drop_databases(&server, "tspar").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn publish_log_passes_its_suite_and_persists() {
    let Some(server) = server_url("publish_log_passes_its_suite_and_persists") else {
        return;
    };
    testing::publish_log_conformance(|| {
        let server = server.clone();
        async move {
            let url = fresh_database(&server, "plpisap").await;
            Arc::new(PostgresPublishLog::connect(&url).await.expect("connect"))
                as Arc<dyn PublishLog>
        }
    })
    .await;
    // Through the token store's pool, then a separate connection.
    let url = fresh_database(&server, "plpisap").await;
    let log = store_at(&url, keys()).await.publish_log();
    testing::publish_log_persistence(Arc::new(log), || async {
        Arc::new(PostgresPublishLog::connect(&url).await.expect("reconnect")) as Arc<dyn PublishLog>
    })
    .await;
    pg_support::drop_databases(&server, "plpisap").await;
}

/// Two pools on one database (as two worker processes would have) race
/// `begin` on new targets: each is leased to exactly one caller.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn publish_log_leases_are_exclusive_across_pools() {
    let Some(server) = server_url("publish_log_leases_are_exclusive_across_pools") else {
        return;
    };
    let url = fresh_database(&server, "plleap").await;
    let pools: [Arc<dyn PublishLog>; 2] = [
        Arc::new(PostgresPublishLog::connect(&url).await.expect("connect 1")),
        Arc::new(PostgresPublishLog::connect(&url).await.expect("connect 2")),
    ];
    let target = AccountKey::new("user-1", Platform::YouTube, "chan-1").expect("key");
    for k in 0..10 {
        let barrier = Arc::new(tokio::sync::Barrier::new(testing::RACERS));
        let tasks: Vec<_> = (0..testing::RACERS)
            .map(|i| {
                let log = Arc::clone(&pools[i % 2]);
                let (barrier, target) = (Arc::clone(&barrier), target.clone());
                tokio::spawn(async move {
                    let lease = Lease::new(Duration::from_secs(600));
                    barrier.wait().await;
                    log.begin(&format!("pool-race-{k}"), &target, &lease).await
                })
            })
            .collect();
        let mut fresh = 0;
        for task in tasks {
            match task.await.expect("join").expect("begin") {
                BeginOutcome::Fresh => fresh += 1,
                BeginOutcome::InProgress { .. } => {}
                other => panic!("target {k}: expected Fresh or InProgress, got {other:?}"),
            }
        }
        assert_eq!(fresh, 1, "target {k}: leased to exactly one caller");
    }
    pg_support::drop_databases(&server, "plleap").await;
}

/// A database at schema version 1 (before leases) gains the lease columns
/// at connect; its old Pending record reads as released, so the next
/// `begin` reconciles it, as before leases.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn publish_log_version_1_database_is_migrated_and_reconciles() {
    let Some(server) = server_url("publish_log_version_1_database_is_migrated_and_reconciles")
    else {
        return;
    };
    let url = fresh_database(&server, "plv1").await;
    let mut conn = raw(&url).await;
    sqlx::raw_sql(include_str!(
        "../creatorsync-core/migrations/postgres/0001_tokens_and_publish_log.sql"
    ))
    .execute(&mut conn)
    .await
    .expect("schema version 1");
    sqlx::raw_sql(
        "CREATE TABLE creatorsync_schema (version INTEGER PRIMARY KEY, \
         applied_at TIMESTAMPTZ NOT NULL DEFAULT now()); \
         INSERT INTO creatorsync_schema (version) VALUES (1); \
         INSERT INTO creatorsync_publish_log (idempotency_key, platform, account_id, user_id, \
         state, started_at, attempts, updated_at) VALUES ('old-req', 'x', '42', 'user-1', \
         'pending', '2026-11-01T10:00:00Z', 1, '2026-11-01T10:00:00Z')",
    )
    .execute(&mut conn)
    .await
    .expect("an old pending row");
    conn.close().await.ok();

    let log = PostgresPublishLog::connect(&url).await.expect("connect");
    let target = AccountKey::new("user-1", Platform::X, "42").expect("key");
    let record = log
        .get("old-req", &target)
        .await
        .expect("get")
        .expect("row");
    let PublishState::Pending {
        started_at,
        lease_owner: None,
        // Its create may have been sent before the upgrade: looked up first.
        create_sent: true,
        reference: None,
        last_error: None,
        ..
    } = record.state
    else {
        panic!("the old row should read as Pending without lease: {record:?}");
    };
    assert_eq!(
        log.begin("old-req", &target, &Lease::new(Duration::from_secs(60)))
            .await
            .expect("begin"),
        BeginOutcome::Reconcile {
            since: started_at,
            attempt: 2,
            create_sent: true,
            reference: None,
        }
    );
    log.close().await;
    pg_support::drop_databases(&server, "plv1").await;
}

fn token(account: &str, access: &str, refresh: &str) -> StoredToken {
    let key = AccountKey::new("user-1", Platform::TikTok, account).expect("key");
    let mut token = testing::sample_oauth2(key, access);
    token.credential = Credential::OAuth2 {
        access: Secret::from(access),
        refresh: Some(Secret::from(refresh)),
        expires_at: None,
        refresh_expires_at: None,
        scopes: vec!["video.publish".into()],
        user_token: None,
    };
    token
}

fn key(account: &str) -> AccountKey {
    AccountKey::new("user-1", Platform::TikTok, account).expect("key")
}

fn access(t: &StoredToken) -> String {
    match &t.credential {
        Credential::OAuth2 { access, .. } => access.expose().clone(),
        Credential::OAuth1 { token, .. } => token.expose().clone(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_token_is_readable_in_the_rows() {
    const ACCESS: &str = "pg-access-token-0d9e7b1c";
    const REFRESH: &str = "pg-refresh-token-8a2f44e0";
    let Some(server) = server_url("no_token_is_readable_in_the_rows") else {
        return;
    };
    let url = fresh_database(&server, "ntiritr").await;
    let store = store_at(&url, keys()).await;
    let v = store
        .put(&token("acct-1", ACCESS, REFRESH), None)
        .await
        .expect("insert");
    store
        .put(&token("acct-1", ACCESS, REFRESH), Some(v))
        .await
        .expect("update");
    let rows: Vec<String> = sqlx::query_scalar("SELECT t::text FROM creatorsync_tokens t")
        .fetch_all(&mut raw(&url).await)
        .await
        .expect("raw rows");
    let all = rows.concat();
    assert!(all.contains("acct-1"), "plain columns are visible: {all}");
    assert!(!all.contains(ACCESS), "access token in the row");
    assert!(!all.contains(REFRESH), "refresh token in the row");
    assert_eq!(
        access(&store.get(&key("acct-1")).await.unwrap().unwrap()),
        ACCESS
    );
    pg_support::drop_databases(&server, "ntiritr").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ciphertext_is_bound_to_its_row_and_key_id() {
    let Some(server) = server_url("ciphertext_is_bound_to_its_row_and_key_id") else {
        return;
    };
    let url = fresh_database(&server, "cibtiraki").await;
    let store = store_at(&url, ring("k1", 1).with_old_key("k2", &[1; 32]).unwrap()).await;
    store.put(&token("a", "access-a", "r"), None).await.unwrap();
    store.put(&token("b", "access-b", "r"), None).await.unwrap();
    let mut conn = raw(&url).await;
    sqlx::query(
        "UPDATE creatorsync_tokens SET (key_id, nonce, ciphertext) = \
         (SELECT key_id, nonce, ciphertext FROM creatorsync_tokens WHERE account_id = 'a') \
         WHERE account_id = 'b'",
    )
    .execute(&mut conn)
    .await
    .unwrap();
    assert!(matches!(store.get(&key("b")).await, Err(Error::Key { .. })));
    assert_eq!(
        access(&store.get(&key("a")).await.unwrap().unwrap()),
        "access-a"
    );
    sqlx::query("UPDATE creatorsync_tokens SET key_id = 'k2' WHERE account_id = 'a'")
        .execute(&mut conn)
        .await
        .unwrap();
    let err = store.get(&key("a")).await.unwrap_err();
    assert!(
        matches!(&err, Error::Key { key_id, .. } if key_id == "k2"),
        "{err:?}"
    );
    pg_support::drop_databases(&server, "cibtiraki").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_older_ciphertext_put_back_into_its_row_does_not_decrypt() {
    let Some(server) = server_url("an_older_ciphertext_put_back_into_its_row_does_not_decrypt")
    else {
        return;
    };
    let url = fresh_database(&server, "aocpbiird").await;
    let store = store_at(&url, keys()).await;
    let v1 = store
        .put(&token("a", "access-v1", "r1"), None)
        .await
        .unwrap();
    let mut conn = raw(&url).await;
    let old: (Vec<u8>, Vec<u8>) =
        sqlx::query_as("SELECT nonce, ciphertext FROM creatorsync_tokens WHERE account_id = 'a'")
            .fetch_one(&mut conn)
            .await
            .unwrap();
    let v2 = store
        .put(&token("a", "access-v2", "r2"), Some(v1))
        .await
        .unwrap();
    assert_eq!(v2, 2);
    // v1's ciphertext with v2's version number: refused, never the old token.
    sqlx::query("UPDATE creatorsync_tokens SET nonce = $1, ciphertext = $2 WHERE account_id = 'a'")
        .bind(&old.0)
        .bind(&old.1)
        .execute(&mut conn)
        .await
        .unwrap();
    let err = store.get(&key("a")).await.unwrap_err();
    assert!(
        matches!(&err, Error::Key { key_id, .. } if key_id == "k1"),
        "{err:?}"
    );
    pg_support::drop_databases(&server, "aocpbiird").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rotation_reencrypts_every_row_atomically() {
    let Some(server) = server_url("rotation_reencrypts_every_row_atomically") else {
        return;
    };
    let url = fresh_database(&server, "rrera").await;
    let store = store_at(&url, ring("k1", 1)).await;
    for account in ["a", "b", "c"] {
        store
            .put(&token(account, &format!("access-{account}"), "r"), None)
            .await
            .unwrap();
    }
    assert_eq!(store.rotate_key("k2", &[2; 32]).await.unwrap(), 3);
    assert_eq!(store.active_key_id(), "k2");
    assert_eq!(store.key_ids_in_use().await.unwrap(), ["k2"]);
    assert_eq!(store.get(&key("b")).await.unwrap().unwrap().version, 1);

    // Only the new key is needed now; the old key alone reads nothing.
    let reopened = store_at(&url, ring("k2", 2)).await;
    for account in ["a", "b", "c"] {
        let t = reopened.get(&key(account)).await.unwrap().unwrap();
        assert_eq!(access(&t), format!("access-{account}"));
    }
    let old_only = store_at(&url, ring("k1", 1)).await;
    assert!(
        matches!(old_only.get(&key("a")).await, Err(Error::Key { key_id, .. }) if key_id == "k2")
    );

    // A row the ring cannot read aborts the rotation; nothing changes.
    let foreign = store_at(&url, ring("k0", 7)).await;
    foreign
        .put(&token("z", "access-z", "r"), None)
        .await
        .unwrap();
    let err = reopened.rotate_key("k3", &[3; 32]).await.unwrap_err();
    assert!(
        matches!(&err, Error::Key { key_id, .. } if key_id == "k0"),
        "{err:?}"
    );
    assert_eq!(reopened.active_key_id(), "k2");
    assert_eq!(reopened.key_ids_in_use().await.unwrap(), ["k0", "k2"]);
    assert!(reopened.get(&key("a")).await.is_ok());
    pg_support::drop_databases(&server, "rrera").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_first_connects_migrate_once() {
    let Some(server) = server_url("concurrent_first_connects_migrate_once") else {
        return;
    };
    let url = fresh_database(&server, "cfcmo").await;
    let connects: Vec<_> = (0..8)
        .map(|_| {
            let url = url.clone();
            tokio::spawn(async move {
                PostgresTokenStore::connect_with(
                    &url,
                    keys(),
                    PostgresOptions::default().max_connections(2),
                )
                .await
            })
        })
        .collect();
    for c in connects {
        c.await
            .expect("join")
            .expect("connect while others migrate");
    }
    let versions: Vec<i32> =
        sqlx::query_scalar("SELECT version FROM creatorsync_schema ORDER BY version")
            .fetch_all(&mut raw(&url).await)
            .await
            .unwrap();
    assert_eq!(versions, [1, 2, 3, 4, 5]);

    // A newer schema than this build knows is refused with a clear error.
    sqlx::query("INSERT INTO creatorsync_schema (version) VALUES (99)")
        .execute(&mut raw(&url).await)
        .await
        .unwrap();
    let err = PostgresTokenStore::connect(&url, keys()).await.unwrap_err();
    assert!(
        matches!(&err, Error::Store { message, .. } if message.contains("upgrade CreatorSync")),
        "{err:?}"
    );
    pg_support::drop_databases(&server, "cfcmo").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_password_never_shows() {
    let Some(server) = server_url("the_password_never_shows") else {
        return;
    };
    let url = fresh_database(&server, "tpns").await;
    // The test server trusts loopback, so any password is accepted.
    let mut with_password = reqwest::Url::parse(&url).unwrap();
    with_password.set_password(Some("hunter2-pw")).unwrap();
    let store = store_at(with_password.as_str(), keys()).await;
    let shown = format!("{store:?} {:?}", store.publish_log());
    assert!(!shown.contains("hunter2-pw"), "{shown}");
    assert!(shown.contains("[redacted]"), "{shown}");
    let shown = store.redacted_url();
    assert!(
        !shown.contains("hunter2-pw") && shown.contains(":[redacted]@127.0.0.1"),
        "{shown}"
    );

    // A server that is not there: the error names the redacted URL.
    let mut nowhere = reqwest::Url::parse("postgres://app:hunter2-pw@127.0.0.1:1/db").unwrap();
    nowhere.set_query(Some("sslmode=disable"));
    let err = PostgresTokenStore::connect_with(
        nowhere.as_str(),
        keys(),
        PostgresOptions::default().acquire_timeout(std::time::Duration::from_secs(2)),
    )
    .await
    .unwrap_err();
    assert!(!format!("{err} {err:?}").contains("hunter2-pw"), "{err:?}");
    pg_support::drop_databases(&server, "tpns").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn pending_connects_are_taken_once_by_any_pool_and_stored_encrypted() {
    use creatorsync_core::auth::{PendingConnect, PendingStore};
    let Some(server) =
        server_url("pending_connects_are_taken_once_by_any_pool_and_stored_encrypted")
    else {
        return;
    };
    let url = fresh_database(&server, "pcto").await;
    let (a, b) = (store_at(&url, keys()).await, store_at(&url, keys()).await);
    let pending = |user: &str, in_secs: i64| PendingConnect {
        user_id: user.into(),
        platform: Platform::TikTok,
        redirect_uri: "http://127.0.0.1/cb".into(),
        pkce_verifier: Some(Secret::new("PG-VERIFIER-s3cr3t".into())),
        request_token_secret: None,
        expires_at: chrono::Utc::now() + chrono::Duration::seconds(in_secs),
    };
    a.insert("n1", pending("alice", 600)).await.unwrap();
    let mut conn = raw(&url).await;
    let rows: Vec<(Vec<u8>,)> =
        sqlx::query_as("SELECT ciphertext FROM creatorsync_pending_connects")
            .fetch_all(&mut conn)
            .await
            .unwrap();
    assert_eq!(rows.len(), 1);
    assert!(
        !rows[0].0.windows(18).any(|w| w == b"PG-VERIFIER-s3cr3t"),
        "the verifier is stored in clear"
    );
    // The other pool (another worker) takes it, exactly once.
    let got = b
        .take("n1")
        .await
        .unwrap()
        .expect("taken by the other pool");
    assert_eq!(got.user_id, "alice");
    assert_eq!(got.pkce_verifier.unwrap().expose(), "PG-VERIFIER-s3cr3t");
    assert!(a.take("n1").await.unwrap().is_none());
    // Expired entries are purged on the next insert.
    a.insert("old", pending("bob", -1)).await.unwrap();
    a.insert("n2", pending("carol", 600)).await.unwrap();
    assert!(b.take("old").await.unwrap().is_none());
    pg_support::drop_databases(&server, "pcto").await;
}
