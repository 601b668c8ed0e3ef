//! Token lifecycle against the loopback mock: the refresh race across two
//! managers, rotation, revocation, missing refresh tokens, 5xx, Meta
//! expiry, disconnect.

mod auth_mock;

use std::sync::Arc;
use std::sync::atomic::Ordering;

use chrono::Utc;
use creatorsync::auth::{Apps, TokenManager};
use creatorsync::{
    AccountKey, Credential, Error, MemoryTokenStore, Platform, StoredToken, TokenStore,
};

const CB: &str = "http://127.0.0.1:9/callback";

async fn connect(
    mock: &auth_mock::Mock,
    store: &Arc<dyn TokenStore>,
    p: Platform,
) -> Vec<AccountKey> {
    let c = mock.connector(store.clone());
    let req = c.begin("alice", p, CB).await.unwrap();
    let cb = mock.browse(&req.url).await;
    c.complete_from_url("alice", p, &cb)
        .await
        .unwrap()
        .into_iter()
        .map(|a| a.key)
        .collect()
}

/// Makes the stored access token expired (CAS write).
async fn expire(store: &Arc<dyn TokenStore>, key: &AccountKey) -> StoredToken {
    let mut row = store.get(key).await.unwrap().unwrap();
    if let Credential::OAuth2 { expires_at, .. } = &mut row.credential {
        *expires_at = Some(Utc::now() - chrono::Duration::seconds(10));
    }
    let v = row.version;
    row.version = store.put(&row, Some(v)).await.unwrap();
    row
}

fn refresh_of(row: &StoredToken) -> String {
    match &row.credential {
        Credential::OAuth2 {
            refresh: Some(r), ..
        } => r.expose().clone(),
        _ => String::new(),
    }
}

fn access_of(row: &StoredToken) -> String {
    match &row.credential {
        Credential::OAuth2 { access, .. } => access.expose().clone(),
        _ => String::new(),
    }
}

fn manager(mock: &auth_mock::Mock, store: &Arc<dyn TokenStore>) -> TokenManager {
    TokenManager::new(
        Apps::emulator_defaults(),
        store.clone(),
        mock.endpoints(),
        auth_mock::Mock::http(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn hundred_concurrent_callers_two_managers_one_refresh() {
    let mock = auth_mock::start().await;
    let store: Arc<dyn TokenStore> = Arc::new(MemoryTokenStore::new());
    let key = connect(&mock, &store, Platform::TikTok).await.remove(0);
    let old = expire(&store, &key).await;
    mock.state
        .refresh_answer_delay_ms
        .store(50, Ordering::SeqCst);
    mock.expect_refreshes(1).await;
    let a = manager(&mock, &store);
    let b = manager(&mock, &store);
    let calls = (0..100).map(|i| {
        let m = if i % 2 == 0 { a.clone() } else { b.clone() };
        let key = key.clone();
        tokio::spawn(async move { m.usable(&key).await })
    });
    let results = futures::future::join_all(calls).await;
    let tokens: std::collections::BTreeSet<String> = results
        .into_iter()
        .map(|r| access_of(&r.unwrap().unwrap_or_else(|e| panic!("usable failed: {e}"))))
        .collect();
    assert_eq!(tokens.len(), 1, "everyone got the winner's token");
    let row = store.get(&key).await.unwrap().unwrap();
    assert_ne!(
        refresh_of(&row),
        refresh_of(&old),
        "the rotated refresh token is persisted"
    );
    assert!(
        mock.state
            .refresh
            .lock()
            .unwrap()
            .contains_key(&refresh_of(&row))
    );
    assert!(
        !row.metadata.contains_key("refresh_lease"),
        "lease released"
    );
    assert!(!row.needs_reauth);
}

#[tokio::test]
async fn revoked_grant_flags_the_row_and_keeps_it() {
    let mock = auth_mock::start().await;
    let store: Arc<dyn TokenStore> = Arc::new(MemoryTokenStore::new());
    let key = connect(&mock, &store, Platform::TikTok).await.remove(0);
    let old = expire(&store, &key).await;
    mock.state.refresh.lock().unwrap().remove(&refresh_of(&old)); // revoked by the user
    mock.expect_refreshes(1).await;
    let m = manager(&mock, &store);
    let e = m.usable(&key).await.unwrap_err();
    assert!(matches!(e, Error::ReauthRequired { .. }), "{e:?}");
    let row = store.get(&key).await.unwrap().expect("row kept");
    assert!(row.needs_reauth);
    // Later calls fail fast without another refresh.
    assert!(matches!(
        m.usable(&key).await,
        Err(Error::ReauthRequired { .. })
    ));
    let st = m.status("alice").await.unwrap();
    assert!(st[0].needs_reauth && !st[0].connected);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invalid_grant_after_a_concurrent_rotation_uses_the_stored_token() {
    let mock = auth_mock::start().await;
    let store: Arc<dyn TokenStore> = Arc::new(MemoryTokenStore::new());
    let key = connect(&mock, &store, Platform::X).await.remove(0);
    let stale = expire(&store, &key).await;
    // The refresh is answered late, and by then the grant it used is dead.
    mock.refresh_refused_after(std::time::Duration::from_millis(2000))
        .await;
    let m = manager(&mock, &store);
    let task = {
        let (m, key) = (m.clone(), key.clone());
        tokio::spawn(async move { m.usable(&key).await })
    };
    // While that refresh is in flight, the user reconnects elsewhere: the
    // grant rotates and the old refresh token dies at the platform.
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    mock.state
        .refresh
        .lock()
        .unwrap()
        .remove(&refresh_of(&stale));
    connect(&mock, &store, Platform::X).await;
    let reconnected = store.get(&key).await.unwrap().unwrap();
    let got = task
        .await
        .unwrap()
        .expect("uses the stored token, not ReauthRequired");
    assert_eq!(access_of(&got), access_of(&reconnected));
    assert!(!store.get(&key).await.unwrap().unwrap().needs_reauth);
}

#[tokio::test]
async fn refresh_without_refresh_token_keeps_the_old_one() {
    let mock = auth_mock::start().await;
    let store: Arc<dyn TokenStore> = Arc::new(MemoryTokenStore::new());
    // Google never returns a refresh token on refresh.
    let key = connect(&mock, &store, Platform::YouTube).await.remove(0);
    let old = expire(&store, &key).await;
    let m = manager(&mock, &store);
    let t = m.usable(&key).await.unwrap();
    assert_eq!(refresh_of(&t), refresh_of(&old));
    assert_ne!(access_of(&t), access_of(&old));
    // TikTok answering without one (misbehaving) keeps it too.
    let key = connect(&mock, &store, Platform::TikTok).await.remove(0);
    let old = expire(&store, &key).await;
    mock.state.omit_refresh_token.store(true, Ordering::SeqCst);
    let t = m.usable(&key).await.unwrap();
    assert_eq!(refresh_of(&t), refresh_of(&old));
    assert_eq!(
        refresh_of(&store.get(&key).await.unwrap().unwrap()),
        refresh_of(&old)
    );
}

#[tokio::test]
async fn server_errors_during_refresh_are_retried_and_never_reauth() {
    let mock = auth_mock::start().await;
    let store: Arc<dyn TokenStore> = Arc::new(MemoryTokenStore::new());
    let key = connect(&mock, &store, Platform::TikTok).await.remove(0);
    let old = expire(&store, &key).await;
    let m = manager(&mock, &store);
    // Two 503s, then success: retried with backoff.
    mock.failing_refreshes(2).await;
    let t = m.usable(&key).await.unwrap();
    assert_ne!(access_of(&t), access_of(&old));
    // More 503s than retries (3): four attempts, a transient error, the
    // row untouched.
    let before = expire(&store, &key).await;
    mock.failing_refreshes(4).await;
    let e = m.usable(&key).await.unwrap_err();
    assert!(!matches!(e, Error::ReauthRequired { .. }), "{e:?}");
    assert!(e.is_retryable(), "{e:?}");
    let row = store.get(&key).await.unwrap().unwrap();
    assert!(!row.needs_reauth);
    assert_eq!(refresh_of(&row), refresh_of(&before));
    assert!(!row.metadata.contains_key("refresh_lease"));
    // Once the platform recovers, it works.
    m.usable(&key).await.unwrap();
}

#[tokio::test]
async fn meta_tokens_are_checked_for_expiry() {
    let mock = auth_mock::start().await;
    let store: Arc<dyn TokenStore> = Arc::new(MemoryTokenStore::new());
    let keys = connect(&mock, &store, Platform::Facebook).await;
    mock.expect_refreshes(0).await;
    let m = manager(&mock, &store);
    m.usable(&keys[0]).await.unwrap(); // page tokens do not expire
    expire(&store, &keys[0]).await;
    assert!(matches!(
        m.usable(&keys[0]).await,
        Err(Error::ReauthRequired { .. })
    ));
    assert!(store.get(&keys[0]).await.unwrap().unwrap().needs_reauth);
    assert_eq!(m.expiring_within("alice", 30).await.unwrap().len(), 1);
}

#[tokio::test]
async fn disconnect_revokes_and_deletes_and_mark_reauth_flags() {
    let mock = auth_mock::start().await;
    let store: Arc<dyn TokenStore> = Arc::new(MemoryTokenStore::new());
    let key = connect(&mock, &store, Platform::TikTok).await.remove(0);
    let row = store.get(&key).await.unwrap().unwrap();
    let m = manager(&mock, &store);
    m.mark_reauth(&key, "401 from the API").await.unwrap();
    assert!(store.get(&key).await.unwrap().unwrap().needs_reauth);
    mock.expect_revocations(&refresh_of(&row), 1).await;
    assert!(m.disconnect(&key).await.unwrap());
    assert!(store.get(&key).await.unwrap().is_none());
    assert!(!m.disconnect(&key).await.unwrap());
    // LinkedIn: the member grant is shared with the organizations, so
    // disconnecting one organization does not revoke it.
    let keys = connect(&mock, &store, Platform::LinkedIn).await;
    mock.expect_no_revocation().await;
    m.disconnect(&keys[1]).await.unwrap();
    assert!(m.usable(&keys[0]).await.is_ok());
}

#[tokio::test]
async fn profiles_are_cached() {
    let mock = auth_mock::start().await;
    let store: Arc<dyn TokenStore> = Arc::new(MemoryTokenStore::new());
    let key = connect(&mock, &store, Platform::X).await.remove(0);
    let m = manager(&mock, &store);
    let p = m.profile(&key).await.unwrap();
    assert_eq!(p.handle.as_deref(), Some("creatorsync_demo"));
    // Cached: works even when the token is gone at the platform.
    mock.state.access.lock().unwrap().clear();
    assert_eq!(m.profile(&key).await.unwrap(), p);
    // Health now sees the dead token and flags it.
    let h = m.health("alice").await.unwrap();
    assert!(!h[0].healthy);
    assert!(store.get(&key).await.unwrap().unwrap().needs_reauth);
}

/// The same race as two processes would run it: each manager has its own
/// SQLite store handle (own connection pool) on one database file.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_processes_sharing_a_sqlite_file_refresh_once() {
    use creatorsync::store::{KeyRing, SqliteTokenStore};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tokens.db");
    let keys = || KeyRing::new("k1", &[0x42; 32]).unwrap();
    let s1: Arc<dyn TokenStore> = Arc::new(SqliteTokenStore::open(&path, keys()).await.unwrap());
    let s2: Arc<dyn TokenStore> = Arc::new(SqliteTokenStore::open(&path, keys()).await.unwrap());
    let mock = auth_mock::start().await;
    let key = connect(&mock, &s1, Platform::TikTok).await.remove(0);
    let old = expire(&s1, &key).await;
    mock.state
        .refresh_answer_delay_ms
        .store(50, Ordering::SeqCst);
    mock.expect_refreshes(1).await;
    let a = manager(&mock, &s1);
    let b = manager(&mock, &s2);
    let calls = (0..100).map(|i| {
        let m = if i % 2 == 0 { a.clone() } else { b.clone() };
        let key = key.clone();
        tokio::spawn(async move { m.usable(&key).await })
    });
    let results = futures::future::join_all(calls).await;
    let tokens: std::collections::BTreeSet<String> = results
        .into_iter()
        .map(|r| access_of(&r.unwrap().unwrap_or_else(|e| panic!("usable failed: {e}"))))
        .collect();
    assert_eq!(tokens.len(), 1);
    let row = s2.get(&key).await.unwrap().unwrap();
    assert_ne!(refresh_of(&row), refresh_of(&old));
    assert_eq!(access_of(&row), *tokens.iter().next().unwrap());
}

/// LinkedIn keeps one member grant in the member row and every
/// organization row: refreshing one brings the others along.
#[tokio::test]
async fn linkedin_refresh_updates_the_organization_rows() {
    let mock = auth_mock::start().await;
    let store: Arc<dyn TokenStore> = Arc::new(MemoryTokenStore::new());
    let keys = connect(&mock, &store, Platform::LinkedIn).await;
    assert_eq!(keys.len(), 3);
    let member = keys
        .iter()
        .find(|k| k.account_id == "li-demo-person")
        .unwrap();
    let old = expire(&store, member).await;
    mock.expect_refreshes(1).await;
    let m = manager(&mock, &store);
    let fresh = m.usable(member).await.unwrap();
    assert_ne!(access_of(&fresh), access_of(&old));
    for k in &keys {
        let row = store.get(k).await.unwrap().unwrap();
        assert_eq!(access_of(&row), access_of(&fresh), "{}", k.account_id);
    }
    // Refreshable: nothing is "expiring" unless the refresh token is.
    assert!(m.expiring_within("alice", 30).await.unwrap().is_empty());
    assert_eq!(m.expiring_within("alice", 400).await.unwrap().len(), 3);
}

/// A token answer with `"refresh_token": ""` or `"access_token": ""`, on
/// every path (code exchange, refresh) of every refreshing platform: the
/// stored refresh token is never replaced by the blank one, and a blank
/// access token is a typed error that leaves the stored row as it was.
#[tokio::test]
async fn blank_tokens_in_answers_never_replace_stored_ones() {
    for p in [
        Platform::X,
        Platform::YouTube,
        Platform::LinkedIn,
        Platform::TikTok,
    ] {
        let mock = auth_mock::start().await;
        let store: Arc<dyn TokenStore> = Arc::new(MemoryTokenStore::new());
        let key = connect(&mock, &store, p).await.remove(0);
        let m = manager(&mock, &store);

        // Refresh answered with a blank refresh token.
        let old = expire(&store, &key).await;
        mock.state.blank_refresh_token.store(true, Ordering::SeqCst);
        let t = m.usable(&key).await.unwrap();
        assert_ne!(access_of(&t), access_of(&old), "{p}: refreshed");
        let row = store.get(&key).await.unwrap().unwrap();
        assert_eq!(refresh_of(&row), refresh_of(&old), "{p}: refresh kept");

        // Reconnect answered with a blank refresh token.
        connect(&mock, &store, p).await;
        let row = store.get(&key).await.unwrap().unwrap();
        assert_eq!(refresh_of(&row), refresh_of(&old), "{p}: reconnect kept it");
        mock.state
            .blank_refresh_token
            .store(false, Ordering::SeqCst);
        // (X and TikTok rotated: the kept refresh token is spent now.)
        connect(&mock, &store, p).await;

        // Refresh answered with a blank access token: an error, the row
        // untouched.
        let before = expire(&store, &key).await;
        mock.state.blank_access_token.store(true, Ordering::SeqCst);
        let e = m.usable(&key).await.unwrap_err();
        assert!(matches!(&e, Error::UnexpectedResponse { .. }), "{p}: {e:?}");
        let row = store.get(&key).await.unwrap().unwrap();
        assert_eq!(row.credential, before.credential, "{p}: row intact");
        assert!(!row.needs_reauth, "{p}");
        assert!(!row.metadata.contains_key("refresh_lease"), "{p}");

        // Reconnect answered with a blank access token: refused, nothing stored.
        let c = mock.connector(store.clone());
        let req = c.begin("alice", p, CB).await.unwrap();
        let cb = mock.browse(&req.url).await;
        let e = c.complete_from_url("alice", p, &cb).await.unwrap_err();
        assert_eq!(e.code(), "UNEXPECTED_RESPONSE", "{p}: {e:?}");
        let row = store.get(&key).await.unwrap().unwrap();
        assert_eq!(row.credential, before.credential, "{p}: row intact");
    }
}

/// `expiring_within` is total over its input: huge and negative day
/// counts are typed errors (they panicked, killing Python callers with a
/// PanicException), zero and ordinary counts work.
#[tokio::test]
async fn expiring_within_refuses_out_of_range_days() {
    let mock = auth_mock::start().await;
    let store: Arc<dyn TokenStore> = Arc::new(MemoryTokenStore::new());
    let keys = connect(&mock, &store, Platform::Facebook).await;
    expire(&store, &keys[0]).await;
    let m = manager(&mock, &store);
    for days in [i64::from(u32::MAX), i64::MAX, -1, i64::MIN] {
        let e = m.expiring_within("alice", days).await.unwrap_err();
        assert!(
            matches!(&e, Error::InvalidInput { field, .. } if field == "days"),
            "{days}: {e:?}"
        );
    }
    assert!(m.expiring_within("alice", u32::MAX).await.is_err());
    assert_eq!(m.expiring_within("alice", 0u32).await.unwrap().len(), 1);
    assert_eq!(m.expiring_within("alice", 90).await.unwrap().len(), 1);
}

/// A store whose next save of a changed credential (the refreshed token)
/// announces itself and then takes `delay`: the window in which a caller
/// gives up on a refresh the platform already answered.
#[derive(Debug)]
struct SlowSaves {
    inner: MemoryTokenStore,
    armed: std::sync::atomic::AtomicBool,
    started: tokio::sync::Notify,
    delay: std::time::Duration,
}

#[async_trait::async_trait]
impl TokenStore for SlowSaves {
    async fn get(&self, key: &AccountKey) -> creatorsync::Result<Option<StoredToken>> {
        self.inner.get(key).await
    }
    async fn list(&self, user_id: &str) -> creatorsync::Result<Vec<StoredToken>> {
        self.inner.list(user_id).await
    }
    async fn put(&self, t: &StoredToken, expected: Option<u64>) -> creatorsync::Result<u64> {
        let changes_credential = self
            .inner
            .get(&t.key)
            .await?
            .is_some_and(|cur| cur.credential != t.credential);
        if changes_credential && self.armed.swap(false, Ordering::SeqCst) {
            self.started.notify_one();
            tokio::time::sleep(self.delay).await;
        }
        self.inner.put(t, expected).await
    }
    async fn delete(&self, key: &AccountKey) -> creatorsync::Result<bool> {
        self.inner.delete(key).await
    }
}

/// The caller's future is dropped after the platform rotated the refresh
/// token and while the new one is being saved: the save still completes,
/// so the next call works without the user reconnecting.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dropped_refresh_still_saves_the_rotated_token() {
    let mock = auth_mock::start().await;
    let slow = Arc::new(SlowSaves {
        inner: MemoryTokenStore::new(),
        armed: false.into(),
        started: tokio::sync::Notify::new(),
        delay: std::time::Duration::from_millis(300),
    });
    let store: Arc<dyn TokenStore> = slow.clone();
    let key = connect(&mock, &store, Platform::TikTok).await.remove(0);
    let old = expire(&store, &key).await;
    let m = manager(&mock, &store);
    // One refresh for the dropped caller (the next call uses its saved
    // token) and one after the expiry at the end.
    mock.expect_refreshes(2).await;
    slow.armed.store(true, Ordering::SeqCst);
    let caller = {
        let (m, key) = (m.clone(), key.clone());
        tokio::spawn(async move { m.usable(&key).await })
    };
    // The token endpoint answered (the old refresh token is spent) and
    // the save is under way: the caller gives up.
    slow.started.notified().await;
    caller.abort();
    assert!(caller.await.unwrap_err().is_cancelled());
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    let row = loop {
        let row = store.get(&key).await.unwrap().unwrap();
        if refresh_of(&row) != refresh_of(&old) {
            break row;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the rotated refresh token was lost with the dropped caller"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    };
    assert!(
        mock.state
            .refresh
            .lock()
            .unwrap()
            .contains_key(&refresh_of(&row)),
        "the stored refresh token is the live one"
    );
    assert!(!row.metadata.contains_key("refresh_lease"));
    // The next call uses the saved token, and the next refresh works.
    let t = m.usable(&key).await.unwrap();
    assert_eq!(access_of(&t), access_of(&row));
    expire(&store, &key).await;
    let t = m.usable(&key).await.unwrap();
    assert_ne!(access_of(&t), access_of(&row));
    assert!(!store.get(&key).await.unwrap().unwrap().needs_reauth);
}

/// Worker A's refresh request outlives its lease (the platform spent the
/// rotating refresh token at once and answers late). Worker B, asking
/// meanwhile, must not take the lease over and spend the same refresh
/// token (it would be refused and flag the account for reauthorization):
/// A renews its lease while the request runs, and B waits for A's token.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_refresh_outliving_its_lease_is_not_repeated_by_another_worker() {
    use creatorsync::auth::TokenManagerConfig;
    for p in [Platform::TikTok, Platform::X] {
        let mock = auth_mock::start().await;
        let store: Arc<dyn TokenStore> = Arc::new(MemoryTokenStore::new());
        let key = connect(&mock, &store, p).await.remove(0);
        expire(&store, &key).await;
        mock.state
            .refresh_answer_delay_ms
            .store(1000, Ordering::SeqCst);
        let config = TokenManagerConfig {
            lease: std::time::Duration::from_millis(200),
            ..TokenManagerConfig::default()
        };
        let worker = || {
            TokenManager::with_config(
                Apps::emulator_defaults(),
                store.clone(),
                mock.endpoints(),
                auth_mock::Mock::http(),
                config.clone(),
            )
        };
        let (a, b) = (worker(), worker());
        mock.expect_refreshes(1).await;
        let first = {
            let key = key.clone();
            tokio::spawn(async move { a.usable(&key).await })
        };
        // A's request has now been in flight for longer than its lease.
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        let second = b.usable(&key).await;
        let first = first.await.unwrap().expect("worker A refreshes");
        let second = second.unwrap_or_else(|e| panic!("{p}: worker B: {e:?}"));
        assert_eq!(access_of(&first), access_of(&second), "{p}");
        let row = store.get(&key).await.unwrap().unwrap();
        assert!(!row.needs_reauth, "{p}");
        assert!(!row.metadata.contains_key("refresh_lease"), "{p}");
        assert!(
            mock.state
                .refresh
                .lock()
                .unwrap()
                .contains_key(&refresh_of(&row)),
            "{p}: the stored refresh token is the live one"
        );
    }
}

/// Durations from the caller's configuration never panic in the token
/// paths: a lease or skew beyond the date range (the refresh panicked on
/// `Instant + Duration` and `DateTime + TimeDelta`), and a state lifetime
/// that is zero or beyond the date range is refused when building.
#[tokio::test]
async fn extreme_durations_are_handled_without_panics() {
    use creatorsync::auth::{Connector, TokenManagerConfig};
    let mock = auth_mock::start().await;
    let store: Arc<dyn TokenStore> = Arc::new(MemoryTokenStore::new());
    let key = connect(&mock, &store, Platform::TikTok).await.remove(0);
    let old = expire(&store, &key).await;
    let m = TokenManager::with_config(
        Apps::emulator_defaults(),
        store.clone(),
        mock.endpoints(),
        auth_mock::Mock::http(),
        TokenManagerConfig {
            lease: std::time::Duration::MAX,
            skew: std::time::Duration::from_secs(400_000 * 365 * 86_400),
            ..TokenManagerConfig::default()
        },
    );
    let t = m.usable(&key).await.unwrap();
    assert_ne!(access_of(&t), access_of(&old));
    assert!(!t.metadata.contains_key("refresh_lease"));
    for ttl in [
        std::time::Duration::ZERO,
        std::time::Duration::from_secs(400_000 * 365 * 86_400),
        std::time::Duration::MAX,
    ] {
        let e = Connector::builder()
            .apps(Apps::emulator_defaults())
            .store(store.clone())
            .endpoints(mock.endpoints())
            .state_secret(*b"test-state-secret-0123456789abcdef")
            .state_ttl(ttl)
            .build()
            .unwrap_err();
        assert!(
            matches!(&e, Error::InvalidInput { field, .. } if field == "state_ttl"),
            "{ttl:?}: {e:?}"
        );
    }
}
