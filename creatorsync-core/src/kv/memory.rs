//! [`KeyValueStore`] in a map behind a lock: the reference implementation
//! of the contract, for tests and single-process tools.

use std::collections::BTreeMap;

use async_trait::async_trait;
use tokio::sync::Mutex;

use super::{KeyValueStore, Versioned};
use crate::{Error, Result};

/// An in-process [`KeyValueStore`]; nothing survives the process.
#[derive(Debug, Default)]
pub struct MemoryKeyValueStore {
    map: Mutex<BTreeMap<String, Versioned>>,
}

impl MemoryKeyValueStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }
}

#[async_trait]
impl KeyValueStore for MemoryKeyValueStore {
    async fn get(&self, key: &str) -> Result<Option<Versioned>> {
        Ok(self.map.lock().await.get(key).cloned())
    }

    async fn put(&self, key: &str, value: &str, expected_version: Option<u64>) -> Result<u64> {
        let mut map = self.map.lock().await;
        let current = map.get(key).map(|v| v.version);
        if current != expected_version {
            return Err(Error::Conflict {
                current_version: current,
            });
        }
        let version = match expected_version {
            None => 1,
            Some(v) => v
                .checked_add(1)
                .ok_or_else(|| Error::invalid_input("version", "too large"))?,
        };
        map.insert(
            key.to_owned(),
            Versioned {
                value: value.to_owned(),
                version,
            },
        );
        Ok(version)
    }

    async fn delete(&self, key: &str, expected_version: Option<u64>) -> Result<bool> {
        let mut map = self.map.lock().await;
        let matches = match (map.get(key), expected_version) {
            (None, _) => false,
            (Some(_), None) => true,
            (Some(v), Some(expected)) => v.version == expected,
        };
        if matches {
            map.remove(key);
        }
        Ok(matches)
    }

    async fn list(&self, prefix: &str) -> Result<Vec<(String, Versioned)>> {
        Ok(self
            .map
            .lock()
            .await
            .range(prefix.to_owned()..)
            .take_while(|(k, _)| k.starts_with(prefix))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect())
    }
}
