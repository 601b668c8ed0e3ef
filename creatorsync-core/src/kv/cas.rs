//! Read-decide-write of one key by compare-and-swap: the loop every record
//! the core keeps in a [`KeyValueStore`] is changed through (publish
//! records, scheduled posts, quota entries, metrics history).
//!
//! A conflict means another writer's change landed between our read and our
//! write, so the change is decided again on the fresh value. Writers that
//! lose pause a short, growing, random time before re-reading, so many
//! workers on one hot key (one account's quota entry under a burst of due
//! posts) take turns instead of all re-reading at once and running out of
//! attempts.

use std::time::Duration;

use super::KeyValueStore;
use crate::http::RetryConfig;
use crate::{Error, Result};

/// How often one change re-reads a key that changed under it. Every
/// conflict means another writer's change landed, so this bounds a race of
/// far more writers than a deployment runs on one key.
const ATTEMPTS: u32 = 128;

/// The pause before re-reading: full jitter under 1 ms doubling to 50 ms.
fn pause_policy() -> RetryConfig {
    RetryConfig {
        initial_backoff: Duration::from_millis(1),
        max_backoff: Duration::from_millis(50),
        ..RetryConfig::default()
    }
}

/// What a change decided, seeing the current value.
#[derive(Debug)]
pub(crate) enum Decision<R> {
    /// Write this value (at the version read) and return `R` once it lands.
    Write(String, R),
    /// Write nothing: return `R` as it is.
    Keep(R),
}

/// Applies `change` to the value at `key` (None: no value) and writes what
/// it decides at the version read; on a conflict, pauses and decides again
/// on the value then current. An error from `change` is returned as is
/// (the change is not allowed now); `what` names the record in the error
/// when the key keeps changing.
pub(crate) async fn update<R>(
    kv: &dyn KeyValueStore,
    key: &str,
    what: &str,
    mut change: impl FnMut(Option<&str>) -> Result<Decision<R>>,
) -> Result<R> {
    let policy = pause_policy();
    for attempt in 0..ATTEMPTS {
        let current = kv.get(key).await?;
        let (text, out) = match change(current.as_ref().map(|v| v.value.as_str()))? {
            Decision::Keep(out) => return Ok(out),
            Decision::Write(text, out) => (text, out),
        };
        match kv.put(key, &text, current.map(|v| v.version)).await {
            Ok(_) => return Ok(out),
            Err(Error::Conflict { .. }) => tokio::time::sleep(policy.backoff(attempt)).await,
            Err(e) => return Err(e),
        }
    }
    Err(Error::store(format!(
        "key-value store: the {what} kept changing under {ATTEMPTS} concurrent writes"
    )))
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::kv::MemoryKeyValueStore;

    /// Many writers adding to one counter at once: every increment lands
    /// exactly once (a lost update or a writer giving up would show in
    /// the total).
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn concurrent_writers_on_one_key_all_land() {
        let kv: Arc<dyn KeyValueStore> = Arc::new(MemoryKeyValueStore::new());
        let writers = 200;
        let mut tasks = Vec::new();
        for _ in 0..writers {
            let kv = kv.clone();
            tasks.push(tokio::spawn(async move {
                update(kv.as_ref(), "hot", "counter", |v| {
                    let n: u64 = v.map_or(Ok(0), str::parse).unwrap_or(0);
                    Ok(Decision::Write((n + 1).to_string(), ()))
                })
                .await
            }));
        }
        for t in tasks {
            t.await.unwrap().unwrap();
        }
        let total = kv.get("hot").await.unwrap().unwrap();
        assert_eq!(total.value, writers.to_string());
    }

    #[tokio::test]
    async fn keep_writes_nothing_and_an_error_from_the_change_is_returned() {
        let kv = MemoryKeyValueStore::new();
        let kept = update(&kv, "k", "thing", |v| Ok(Decision::Keep(v.is_none())))
            .await
            .unwrap();
        assert!(kept);
        assert!(kv.get("k").await.unwrap().is_none());
        let refused = update::<()>(&kv, "k", "thing", |_| Err(Error::store("not now")))
            .await
            .unwrap_err();
        assert!(refused.to_string().contains("not now"));
    }
}
