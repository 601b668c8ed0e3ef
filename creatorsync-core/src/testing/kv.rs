//! [`KeyValueStore`] cases: round trip, compare-and-swap conflicts,
//! conditional delete, prefix listing, and single winners under races.

use std::sync::Arc;

use tokio::sync::Barrier;

use super::{RACERS, ROUNDS};
use crate::{Error, KeyValueStore, Versioned};

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

fn versioned(value: &str, version: u64) -> Option<Versioned> {
    Some(Versioned {
        value: value.to_owned(),
        version,
    })
}

/// Insert, read, replace at the right version; a missing key reads as
/// `None`; values keep any UTF-8 text exactly.
pub async fn kv_round_trip(store: &dyn KeyValueStore) {
    assert_eq!(
        store.get("rt/missing").await.expect("get"),
        None,
        "missing key"
    );
    let text = "{\"a\":\"Créator \u{1F3AC} \\\" / ? # %\"}";
    assert_eq!(
        store.put("rt/a", text, None).await.expect("insert"),
        1,
        "insert → 1"
    );
    assert_eq!(
        store.get("rt/a").await.expect("get"),
        versioned(text, 1),
        "round trip"
    );
    assert_eq!(
        store.put("rt/a", "second", Some(1)).await.expect("replace"),
        2,
        "replace → 2"
    );
    assert_eq!(
        store.get("rt/a").await.expect("get"),
        versioned("second", 2),
        "replaced"
    );
}

/// Inserting an existing key, replacing at a stale version and replacing a
/// missing key all conflict, and none of them writes.
pub async fn kv_cas_conflict(store: &dyn KeyValueStore) {
    store.put("cas/a", "one", None).await.expect("insert");
    assert_conflict(
        store.put("cas/a", "x", None).await,
        Some(1),
        "insert over existing",
    );
    assert_conflict(
        store.put("cas/a", "x", Some(7)).await,
        Some(1),
        "stale version",
    );
    assert_conflict(
        store.put("cas/gone", "x", Some(1)).await,
        None,
        "replace missing",
    );
    assert_eq!(
        store.get("cas/a").await.expect("get"),
        versioned("one", 1),
        "unchanged"
    );
    assert_eq!(
        store.get("cas/gone").await.expect("get"),
        None,
        "still missing"
    );
}

/// `delete` with and without a version: a stale version keeps the value;
/// a deleted key can be inserted again at version 1.
pub async fn kv_delete(store: &dyn KeyValueStore) {
    assert!(
        !store.delete("del/none", None).await.expect("delete"),
        "missing → false"
    );
    store.put("del/a", "one", None).await.expect("insert");
    assert!(
        !store.delete("del/a", Some(2)).await.expect("delete"),
        "stale → false"
    );
    assert_eq!(
        store.get("del/a").await.expect("get"),
        versioned("one", 1),
        "kept"
    );
    assert!(
        store.delete("del/a", Some(1)).await.expect("delete"),
        "at version → true"
    );
    assert_eq!(store.get("del/a").await.expect("get"), None, "gone");
    store.put("del/b", "b", None).await.expect("insert");
    assert!(
        store.delete("del/b", None).await.expect("delete"),
        "unconditional"
    );
    assert_eq!(
        store.put("del/b", "again", None).await.expect("reinsert"),
        1,
        "reinsert → 1"
    );
}

/// `list(prefix)` returns exactly the keys under the prefix, in key order,
/// with their versions; a prefix is a plain string prefix (no globbing).
pub async fn kv_list(store: &dyn KeyValueStore) {
    for k in ["ls/b/2", "ls/a", "ls/b/1", "ls%/x", "lt/a", "ls/.*"] {
        store.put(k, k, None).await.expect("insert");
    }
    store.put("ls/a", "a2", Some(1)).await.expect("replace");
    let got = store.list("ls/").await.expect("list");
    let keys: Vec<&str> = got.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(
        keys,
        ["ls/.*", "ls/a", "ls/b/1", "ls/b/2"],
        "keys under ls/, ordered"
    );
    assert_eq!(
        got[1].1,
        Versioned {
            value: "a2".into(),
            version: 2
        },
        "value and version"
    );
    let b = store.list("ls/b/").await.expect("list");
    assert_eq!(b.len(), 2, "nested prefix");
    assert!(
        store.list("nothing/").await.expect("list").is_empty(),
        "empty prefix"
    );
}

/// Many tasks insert the same key, replace at the same version and delete
/// at the same version: exactly one wins each race.
pub async fn kv_races(store: Arc<dyn KeyValueStore>) {
    for round in 0..ROUNDS {
        let key = format!("race/{round}");
        let barrier = Arc::new(Barrier::new(RACERS));
        let mut tasks = Vec::new();
        for i in 0..RACERS {
            let (store, barrier, key) = (store.clone(), barrier.clone(), key.clone());
            tasks.push(tokio::spawn(async move {
                barrier.wait().await;
                let inserted = store.put(&key, &format!("i{i}"), None).await.is_ok();
                barrier.wait().await;
                let replaced = store.put(&key, &format!("r{i}"), Some(1)).await.is_ok();
                barrier.wait().await;
                let deleted = store.delete(&key, Some(2)).await.expect("delete");
                (inserted, replaced, deleted)
            }));
        }
        let mut wins = (0, 0, 0);
        for t in tasks {
            let (a, b, c) = t.await.expect("task");
            wins.0 += usize::from(a);
            wins.1 += usize::from(b);
            wins.2 += usize::from(c);
        }
        assert_eq!(
            wins,
            (1, 1, 1),
            "round {round}: one insert, one replace, one delete win"
        );
    }
}
