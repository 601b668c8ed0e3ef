//! Conformance suites for [`TokenStore`] and [`PublishLog`]
//! implementations (feature `testing`).
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

use chrono::{Duration, TimeZone, Utc};
use tokio::sync::Barrier;

use crate::publish_log::{BeginOutcome, PublishLog, PublishState};
use crate::{AccountKey, Credential, Error, Platform, Profile, Secret, StoredToken, TokenStore};

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

fn access_of(token: &StoredToken) -> &str {
    match &token.credential {
        Credential::OAuth1 { token, .. } => token.expose(),
        Credential::OAuth2 { access, .. } => access.expose(),
    }
}

/// Asserts `got` is `want` as stored at `version` (`updated_at` is the
/// store's to set and is not compared).
fn assert_stored(got: Option<StoredToken>, want: &StoredToken, version: u64, what: &str) {
    let got = got.unwrap_or_else(|| panic!("{what}: record missing after put"));
    assert_eq!(got.key, want.key, "{what}: key");
    assert_eq!(got.credential, want.credential, "{what}: credential");
    assert_eq!(got.profile, want.profile, "{what}: profile");
    assert_eq!(got.metadata, want.metadata, "{what}: metadata");
    assert_eq!(got.needs_reauth, want.needs_reauth, "{what}: needs_reauth");
    assert_eq!(got.version, version, "{what}: version");
}

fn assert_conflict<T: std::fmt::Debug>(result: crate::Result<T>, current: Option<u64>, what: &str) {
    match result {
        Err(Error::Conflict { current_version }) => {
            assert_eq!(current_version, current, "{what}: Conflict.current_version");
        }
        other => {
            panic!("{what}: expected Conflict {{ current_version: {current:?} }}, got {other:?}")
        }
    }
}

/// `put` then `get` returns the same record (both credential kinds), the
/// insert returns version 1, and a missing key reads as `None`.
pub async fn token_round_trip(store: &dyn TokenStore) {
    let k2 = key("rt-user", Platform::TikTok, "tt-1");
    let t2 = sample_oauth2(k2.clone(), "access-rt-1");
    assert_eq!(
        store.put(&t2, None).await.expect("insert oauth2"),
        1,
        "insert returns version 1"
    );
    assert_stored(
        store.get(&k2).await.expect("get"),
        &t2,
        1,
        "oauth2 round trip",
    );

    let k1 = key("rt-user", Platform::X, "x-1");
    let mut t1 = sample_oauth1(k1.clone(), "tok-rt-1");
    t1.needs_reauth = true;
    assert_eq!(store.put(&t1, None).await.expect("insert oauth1"), 1);
    assert_stored(
        store.get(&k1).await.expect("get"),
        &t1,
        1,
        "oauth1 round trip",
    );

    // An OAuth 2.0 credential with only the required fields.
    let k3 = key("rt-user", Platform::LinkedIn, "li-1");
    let mut t3 = sample_oauth2(k3.clone(), "access-rt-3");
    t3.credential = Credential::OAuth2 {
        access: Secret::from("bare"),
        refresh: None,
        expires_at: None,
        refresh_expires_at: None,
        scopes: vec![],
    };
    t3.metadata.clear();
    assert_eq!(store.put(&t3, None).await.expect("insert bare oauth2"), 1);
    assert_stored(
        store.get(&k3).await.expect("get"),
        &t3,
        1,
        "bare oauth2 round trip",
    );

    // The version field of the argument is ignored.
    let mut t2b = sample_oauth2(k2.clone(), "access-rt-2");
    t2b.version = 99;
    assert_eq!(store.put(&t2b, Some(1)).await.expect("cas update"), 2);
    assert_stored(
        store.get(&k2).await.expect("get"),
        &t2b,
        2,
        "update round trip",
    );

    let missing = key("rt-user", Platform::YouTube, "none");
    assert!(
        store.get(&missing).await.expect("get missing").is_none(),
        "missing key reads None"
    );
}

/// `list(user)` returns exactly that user's records, ordered by key.
pub async fn token_list_isolation(store: &dyn TokenStore) {
    let a = "list-user-a";
    let b = "list-user-b";
    // Inserted out of order on purpose.
    let a_keys = [
        key(a, Platform::TikTok, "t-1"),
        key(a, Platform::X, "x-2"),
        key(a, Platform::Facebook, "page-9"),
        key(a, Platform::Facebook, "page-1"),
    ];
    for (i, k) in a_keys.iter().enumerate() {
        store
            .put(&sample_oauth2(k.clone(), &format!("a-{i}")), None)
            .await
            .expect("insert a");
    }
    store
        .put(&sample_oauth2(key(b, Platform::X, "x-2"), "b-0"), None)
        .await
        .expect("insert b");
    // A user id that is a prefix of another must not match it.
    store
        .put(
            &sample_oauth2(key("list-user", Platform::X, "x-2"), "p-0"),
            None,
        )
        .await
        .expect("insert prefix");

    let got: Vec<AccountKey> = store
        .list(a)
        .await
        .expect("list a")
        .into_iter()
        .map(|t| t.key)
        .collect();
    let mut want = a_keys.to_vec();
    want.sort();
    assert_eq!(got, want, "list(a) returns a's records in key order");

    let got_b = store.list(b).await.expect("list b");
    assert_eq!(got_b.len(), 1, "list(b) returns only b's record");
    assert_eq!(
        access_of(&got_b[0]),
        "b-0",
        "list(b) returns b's credential"
    );
    assert!(
        store
            .list("list-user-nobody")
            .await
            .expect("list none")
            .is_empty(),
        "unknown user lists nothing"
    );
}

/// Compare-and-swap: a second insert and a stale version conflict with the
/// current version; a CAS on a missing record conflicts with `None`.
pub async fn token_cas_conflict(store: &dyn TokenStore) {
    let k = key("cas-user", Platform::YouTube, "chan-1");
    assert_eq!(
        store
            .put(&sample_oauth2(k.clone(), "v1"), None)
            .await
            .expect("insert"),
        1
    );
    assert_conflict(
        store.put(&sample_oauth2(k.clone(), "dup"), None).await,
        Some(1),
        "second insert",
    );
    assert_eq!(
        store
            .put(&sample_oauth2(k.clone(), "v2"), Some(1))
            .await
            .expect("cas 1->2"),
        2
    );
    assert_conflict(
        store.put(&sample_oauth2(k.clone(), "stale"), Some(1)).await,
        Some(2),
        "stale version",
    );
    assert_conflict(
        store
            .put(&sample_oauth2(k.clone(), "future"), Some(7))
            .await,
        Some(2),
        "future version",
    );
    let got = store.get(&k).await.expect("get").expect("present");
    assert_eq!(access_of(&got), "v2", "failed writes change nothing");
    assert_eq!(got.version, 2);

    let missing = key("cas-user", Platform::YouTube, "chan-missing");
    assert_conflict(
        store
            .put(&sample_oauth2(missing.clone(), "x"), Some(1))
            .await,
        None,
        "cas on missing record",
    );
    assert!(
        store.get(&missing).await.expect("get").is_none(),
        "failed cas does not insert"
    );
}

/// `delete` removes exactly one record and reports whether it existed.
pub async fn token_delete(store: &dyn TokenStore) {
    let k = key("del-user", Platform::Instagram, "ig-1");
    let other = key("del-user", Platform::Instagram, "ig-2");
    store
        .put(&sample_oauth2(k.clone(), "d1"), None)
        .await
        .expect("insert");
    store
        .put(&sample_oauth2(other.clone(), "d2"), None)
        .await
        .expect("insert other");
    assert!(
        store.delete(&k).await.expect("delete"),
        "delete of a present record returns true"
    );
    assert!(
        store.get(&k).await.expect("get").is_none(),
        "deleted record is gone"
    );
    assert!(
        !store.delete(&k).await.expect("delete again"),
        "second delete returns false"
    );
    assert!(
        store.get(&other).await.expect("get other").is_some(),
        "delete leaves other records"
    );
    assert_conflict(
        store.put(&sample_oauth2(k.clone(), "d3"), Some(1)).await,
        None,
        "cas after delete",
    );
    assert_eq!(
        store
            .put(&sample_oauth2(k.clone(), "d4"), None)
            .await
            .expect("re-insert"),
        1,
        "re-insert after delete"
    );
}

/// [`RACERS`] tasks race on one key, [`ROUNDS`] times: first all insert,
/// then all compare-and-swap from the same version. Each round exactly one
/// wins; every loser sees [`Error::Conflict`] with the winner's version,
/// and the stored credential is the winner's.
pub async fn token_concurrent_cas(store: Arc<dyn TokenStore>) {
    let k = key("race-user", Platform::TikTok, "tt-race");
    let mut expected: Option<u64> = None;
    for round in 0..=ROUNDS {
        let barrier = Arc::new(Barrier::new(RACERS));
        let tasks: Vec<_> = (0..RACERS)
            .map(|i| {
                let store = Arc::clone(&store);
                let barrier = Arc::clone(&barrier);
                let token = sample_oauth2(k.clone(), &format!("round-{round}-task-{i}"));
                tokio::spawn(async move {
                    barrier.wait().await;
                    (i, store.put(&token, expected).await)
                })
            })
            .collect();
        let new_version = expected.map_or(1, |v| v + 1);
        let mut winners = Vec::new();
        for task in tasks {
            let (i, result) = task.await.expect("racing task panicked");
            match result {
                Ok(v) => {
                    assert_eq!(v, new_version, "round {round}: winner's version");
                    winners.push(i);
                }
                Err(e) => assert_conflict::<u64>(
                    Err(e),
                    Some(new_version),
                    &format!("round {round}: loser"),
                ),
            }
        }
        assert_eq!(
            winners.len(),
            1,
            "round {round}: exactly one writer wins, got {winners:?}"
        );
        let got = store.get(&k).await.expect("get").expect("present");
        assert_eq!(got.version, new_version, "round {round}: stored version");
        assert_eq!(
            access_of(&got),
            format!("round-{round}-task-{}", winners[0]),
            "round {round}: stored credential is the winner's"
        );
        expected = Some(new_version);
    }
}

/// A record written before the store is dropped is read back, unchanged,
/// from the store `reopen` returns (same database). In-memory stores skip
/// this case.
pub async fn token_persistence<F, Fut>(store: Arc<dyn TokenStore>, reopen: F)
where
    F: FnOnce() -> Fut,
    Fut: Future<Output = Arc<dyn TokenStore>>,
{
    let k = key("persist-user", Platform::LinkedIn, "org-1");
    let t = sample_oauth2(k.clone(), "persisted");
    store.put(&t, None).await.expect("insert");
    let v = store.put(&t, Some(1)).await.expect("update");
    drop(store);
    let store = reopen().await;
    assert_stored(
        store.get(&k).await.expect("get after reopen"),
        &t,
        v,
        "after reopen",
    );
    assert_eq!(
        store.put(&t, Some(v)).await.expect("cas after reopen"),
        v + 1,
        "versions continue after reopen"
    );
}

fn assert_invalid_input<T: std::fmt::Debug>(result: crate::Result<T>, field: &str, what: &str) {
    match result {
        Err(Error::InvalidInput { field: f, .. }) => {
            assert_eq!(f, field, "{what}: InvalidInput.field")
        }
        other => panic!("{what}: expected InvalidInput {{ field: {field:?} }}, got {other:?}"),
    }
}

/// The life of one target: `Fresh`, `Pending`, failure, `Retry`,
/// publication, `AlreadyPublished`; a published record is never downgraded.
pub async fn publish_log_lifecycle(log: &dyn PublishLog) {
    let t = key("pl-user", Platform::YouTube, "chan-1");
    let idem = "pl-req-1";
    assert!(
        log.get(idem, &t).await.expect("get").is_none(),
        "no record before begin"
    );
    let before = Utc::now() - Duration::seconds(1);
    assert_eq!(
        log.begin(idem, &t).await.expect("begin"),
        BeginOutcome::Fresh,
        "first begin"
    );
    let r = log
        .get(idem, &t)
        .await
        .expect("get")
        .expect("record after begin");
    assert_eq!(
        (
            r.user_id.as_str(),
            r.idempotency_key.as_str(),
            r.platform,
            r.account_id.as_str()
        ),
        ("pl-user", idem, Platform::YouTube, "chan-1")
    );
    assert_eq!(r.attempts, 1, "attempts after first begin");
    let PublishState::Pending { started_at } = r.state else {
        panic!("state after begin should be Pending, got {:?}", r.state)
    };
    assert!(started_at >= before, "started_at is now");
    match log.begin(idem, &t).await.expect("second begin") {
        BeginOutcome::Pending { since } => assert_eq!(since, started_at, "Pending.since"),
        other => panic!("second begin should be Pending, got {other:?}"),
    }

    log.mark_failed(idem, &t, "TRANSPORT_ERROR", "connection reset", true)
        .await
        .expect("mark_failed");
    let r = log.get(idem, &t).await.expect("get").expect("record");
    assert_eq!(
        r.state,
        PublishState::Failed {
            error_code: "TRANSPORT_ERROR".into(),
            message: "connection reset".into(),
            retryable: true
        },
        "state after mark_failed"
    );
    assert_eq!(
        log.begin(idem, &t).await.expect("retry"),
        BeginOutcome::Retry { attempt: 2 },
        "begin after failure"
    );
    assert!(
        matches!(
            log.get(idem, &t).await.expect("get").expect("record").state,
            PublishState::Pending { .. }
        ),
        "Pending after Retry"
    );

    log.mark_published(
        idem,
        &t,
        "vid-1",
        Some("https://www.youtube.com/watch?v=vid-1"),
    )
    .await
    .expect("mark_published");
    let r = log.get(idem, &t).await.expect("get").expect("record");
    match &r.state {
        PublishState::Published { post_id, url, .. } => {
            assert_eq!(post_id, "vid-1");
            assert_eq!(
                url.as_deref(),
                Some("https://www.youtube.com/watch?v=vid-1")
            );
        }
        other => panic!("state after mark_published should be Published, got {other:?}"),
    }
    assert_eq!(r.attempts, 2, "attempts after publish");
    assert_eq!(
        log.begin(idem, &t).await.expect("begin after publish"),
        BeginOutcome::AlreadyPublished {
            post_id: "vid-1".into(),
            url: Some("https://www.youtube.com/watch?v=vid-1".into())
        }
    );
    assert_invalid_input(
        log.mark_failed(idem, &t, "X", "late failure", true).await,
        "state",
        "mark_failed after publish",
    );
    assert_invalid_input(
        log.mark_published(idem, &t, "vid-2", None).await,
        "state",
        "re-publish with another id",
    );
    log.mark_published(idem, &t, "vid-1", None)
        .await
        .expect("repeating mark_published is a no-op");
    assert!(matches!(
        log.get(idem, &t).await.expect("get").expect("record").state,
        PublishState::Published { .. }
    ));

    // A failure that is not retryable is recorded as such; begin still
    // hands out a retry (the caller decides whether to use it).
    let t2 = key("pl-user", Platform::X, "x-1");
    assert_eq!(
        log.begin(idem, &t2).await.expect("begin"),
        BeginOutcome::Fresh,
        "other target, same key"
    );
    log.mark_failed(idem, &t2, "INVALID_POST", "too long", false)
        .await
        .expect("mark_failed");
    match log
        .get(idem, &t2)
        .await
        .expect("get")
        .expect("record")
        .state
    {
        PublishState::Failed { retryable, .. } => assert!(!retryable),
        other => panic!("expected Failed, got {other:?}"),
    }
}

/// Misuse is refused with [`Error::InvalidInput`]: `mark_*` before `begin`,
/// an idempotency key reused for another user's target, an empty key.
pub async fn publish_log_misuse(log: &dyn PublishLog) {
    let t = key("pm-user", Platform::LinkedIn, "org-1");
    assert_invalid_input(
        log.mark_published("pm-req", &t, "urn:1", None).await,
        "idempotency_key",
        "mark_published before begin",
    );
    assert_invalid_input(
        log.mark_failed("pm-req", &t, "E", "m", true).await,
        "idempotency_key",
        "mark_failed before begin",
    );
    assert_invalid_input(
        log.begin("", &t).await,
        "idempotency_key",
        "empty idempotency key",
    );
    assert_eq!(
        log.begin("pm-req", &t).await.expect("begin"),
        BeginOutcome::Fresh
    );
    let intruder = key("pm-other-user", Platform::LinkedIn, "org-1");
    assert_invalid_input(
        log.begin("pm-req", &intruder).await,
        "idempotency_key",
        "begin for another user",
    );
    assert_invalid_input(
        log.mark_published("pm-req", &intruder, "urn:2", None).await,
        "idempotency_key",
        "mark_published for another user",
    );
    assert_invalid_input(
        log.mark_failed("pm-req", &intruder, "E", "m", true).await,
        "idempotency_key",
        "mark_failed for another user",
    );
    assert!(
        matches!(
            log.get("pm-req", &t)
                .await
                .expect("get")
                .expect("record")
                .state,
            PublishState::Pending { .. }
        ),
        "misuse changed nothing"
    );
}

/// `list(key)` returns every target of one request, ordered by
/// (platform, account id), and nothing of other requests.
pub async fn publish_log_list(log: &dyn PublishLog) {
    let targets = [
        key("pls-user", Platform::TikTok, "t-1"),
        key("pls-user", Platform::Facebook, "page-2"),
        key("pls-user", Platform::X, "x-1"),
        key("pls-user", Platform::Facebook, "page-1"),
    ];
    for t in &targets {
        assert_eq!(
            log.begin("pls-req", t).await.expect("begin"),
            BeginOutcome::Fresh
        );
    }
    log.begin("pls-other", &targets[0])
        .await
        .expect("begin other");
    log.mark_published("pls-req", &targets[2], "1", None)
        .await
        .expect("publish");
    let got: Vec<(Platform, String)> = log
        .list("pls-req")
        .await
        .expect("list")
        .into_iter()
        .map(|r| (r.platform, r.account_id))
        .collect();
    let mut want: Vec<(Platform, String)> = targets
        .iter()
        .map(|t| (t.platform, t.account_id.clone()))
        .collect();
    want.sort();
    assert_eq!(
        got, want,
        "list returns the request's targets in (platform, account) order"
    );
    assert_eq!(log.list("pls-other").await.expect("list").len(), 1);
    assert!(log.list("pls-none").await.expect("list").is_empty());
}

/// [`RACERS`] tasks call `begin` on one new target at once: exactly one
/// gets `Fresh`, the rest `Pending`. Then, [`ROUNDS`] times, the attempt
/// fails and all race again: exactly one gets `Retry`, the rest `Pending`.
pub async fn publish_log_concurrent_begin(log: Arc<dyn PublishLog>) {
    let t = key("plr-user", Platform::Instagram, "ig-race");
    for round in 0..=ROUNDS {
        let barrier = Arc::new(Barrier::new(RACERS));
        let tasks: Vec<_> = (0..RACERS)
            .map(|_| {
                let log = Arc::clone(&log);
                let barrier = Arc::clone(&barrier);
                let t = t.clone();
                tokio::spawn(async move {
                    barrier.wait().await;
                    log.begin("plr-req", &t).await
                })
            })
            .collect();
        let mut owners = Vec::new();
        for task in tasks {
            match task.await.expect("racing task panicked").expect("begin") {
                BeginOutcome::Pending { .. } => {}
                other => owners.push(other),
            }
        }
        let want = if round == 0 {
            BeginOutcome::Fresh
        } else {
            BeginOutcome::Retry {
                attempt: u32::try_from(round).unwrap_or(u32::MAX) + 1,
            }
        };
        assert_eq!(
            owners,
            vec![want],
            "round {round}: exactly one caller owns the attempt, the rest see Pending"
        );
        log.mark_failed("plr-req", &t, "TRANSPORT_ERROR", "reset", true)
            .await
            .expect("mark_failed");
    }
    let r = log.get("plr-req", &t).await.expect("get").expect("record");
    assert_eq!(
        r.attempts,
        u32::try_from(ROUNDS).unwrap_or(u32::MAX) + 1,
        "one attempt per round"
    );
}

/// A record written before the log is dropped is read back from the log
/// `reopen` returns (same database). In-memory logs skip this case.
pub async fn publish_log_persistence<F, Fut>(log: Arc<dyn PublishLog>, reopen: F)
where
    F: FnOnce() -> Fut,
    Fut: Future<Output = Arc<dyn PublishLog>>,
{
    let t = key("plp-user", Platform::Facebook, "page-1");
    assert_eq!(
        log.begin("plp-req", &t).await.expect("begin"),
        BeginOutcome::Fresh
    );
    log.mark_published(
        "plp-req",
        &t,
        "123_456",
        Some("https://facebook.com/123_456"),
    )
    .await
    .expect("publish");
    let before = log.get("plp-req", &t).await.expect("get").expect("record");
    drop(log);
    let log = reopen().await;
    let after = log
        .get("plp-req", &t)
        .await
        .expect("get after reopen")
        .expect("record after reopen");
    assert_eq!(after, before, "record survives reopen unchanged");
    assert!(matches!(
        log.begin("plp-req", &t).await.expect("begin"),
        BeginOutcome::AlreadyPublished { .. }
    ));
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
    async fn memory_publish_log_conforms() {
        publish_log_conformance(|| async {
            Arc::new(MemoryPublishLog::new()) as Arc<dyn PublishLog>
        })
        .await;
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
