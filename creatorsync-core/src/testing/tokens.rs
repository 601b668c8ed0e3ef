//! [`TokenStore`] cases: round trip, list isolation, compare-and-swap
//! conflicts, delete, concurrent compare-and-swap, persistence.

use std::future::Future;
use std::sync::Arc;

use tokio::sync::Barrier;

use super::{RACERS, ROUNDS, key, sample_oauth1, sample_oauth2};
use crate::{AccountKey, Credential, Error, Platform, Secret, StoredToken, TokenStore};

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
        user_token: None,
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
