//! A time limit on every call of a token store or key-value store.
//!
//! Stores written by the host application (a Python or JS object) can
//! stall forever: a promise that never settles, a connection pool that
//! never hands out a connection. [`TimeoutStore`] bounds each call, so a
//! publish or a connect fails with [`Error::Store`] instead of hanging.
//! Both bindings wrap host stores in it with [`DEFAULT_STORE_TIMEOUT`]
//! unless the host sets another limit.

use std::time::Duration;

use async_trait::async_trait;

use super::TokenStore;
use crate::{AccountKey, Error, KeyValueStore, Result, StoredToken, Versioned};

/// Default limit on one token store call of a host store (30 s).
pub const DEFAULT_STORE_TIMEOUT: Duration = Duration::from_secs(30);

/// Largest accepted limit (one day).
pub const MAX_STORE_TIMEOUT: Duration = Duration::from_secs(24 * 60 * 60);

/// A [`TokenStore`] (or [`KeyValueStore`]) whose every call must finish
/// within a limit, else fails with [`Error::Store`]. The abandoned call is dropped; a `put`
/// that timed out may still have been applied by the store, and the next
/// compare-and-swap sees it.
#[derive(Debug)]
pub struct TimeoutStore<S> {
    inner: S,
    limit: Duration,
}

impl<S> TimeoutStore<S> {
    /// Wraps `inner`; `limit` must be positive and at most
    /// [`MAX_STORE_TIMEOUT`] ([`Error::InvalidInput`] otherwise).
    pub fn new(inner: S, limit: Duration) -> Result<Self> {
        if limit.is_zero() || limit > MAX_STORE_TIMEOUT {
            return Err(out_of_range("store_timeout"));
        }
        Ok(Self { inner, limit })
    }

    /// A limit given as a number of seconds by a binding (`field` names
    /// the option in errors): finite, positive, at most
    /// [`MAX_STORE_TIMEOUT`].
    pub fn limit_from_secs(field: &str, secs: f64) -> Result<Duration> {
        Duration::try_from_secs_f64(secs)
            .ok()
            .filter(|d| !d.is_zero() && *d <= MAX_STORE_TIMEOUT)
            .ok_or_else(|| out_of_range(field))
    }

    /// The limit.
    pub fn limit(&self) -> Duration {
        self.limit
    }

    async fn bounded<T>(
        &self,
        method: &str,
        call: impl Future<Output = Result<T>> + Send,
    ) -> Result<T> {
        tokio::time::timeout(self.limit, call)
            .await
            .unwrap_or_else(|_| {
                Err(Error::store(format!(
                    "store `{method}` did not answer within {:?}",
                    self.limit
                )))
            })
    }
}

#[async_trait]
impl<S: KeyValueStore> KeyValueStore for TimeoutStore<S> {
    async fn get(&self, key: &str) -> Result<Option<Versioned>> {
        self.bounded("get", self.inner.get(key)).await
    }
    async fn put(&self, key: &str, value: &str, expected_version: Option<u64>) -> Result<u64> {
        self.bounded("put", self.inner.put(key, value, expected_version))
            .await
    }
    async fn delete(&self, key: &str, expected_version: Option<u64>) -> Result<bool> {
        self.bounded("delete", self.inner.delete(key, expected_version))
            .await
    }
    async fn list(&self, prefix: &str) -> Result<Vec<(String, Versioned)>> {
        self.bounded("list", self.inner.list(prefix)).await
    }
}

fn out_of_range(field: &str) -> Error {
    Error::invalid_input(
        field,
        format!(
            "a time limit greater than 0 and at most {} s",
            MAX_STORE_TIMEOUT.as_secs()
        ),
    )
}

#[async_trait]
impl<S: TokenStore> TokenStore for TimeoutStore<S> {
    async fn get(&self, key: &AccountKey) -> Result<Option<StoredToken>> {
        self.bounded("get", self.inner.get(key)).await
    }
    async fn list(&self, user_id: &str) -> Result<Vec<StoredToken>> {
        self.bounded("list", self.inner.list(user_id)).await
    }
    async fn put(&self, token: &StoredToken, expected_version: Option<u64>) -> Result<u64> {
        self.bounded("put", self.inner.put(token, expected_version))
            .await
    }
    async fn delete(&self, key: &AccountKey) -> Result<bool> {
        self.bounded("delete", self.inner.delete(key)).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{MemoryTokenStore, Platform};

    /// A store whose calls never finish.
    #[derive(Debug)]
    struct Stalled;

    #[async_trait]
    impl TokenStore for Stalled {
        async fn get(&self, _: &AccountKey) -> Result<Option<StoredToken>> {
            std::future::pending().await
        }
        async fn list(&self, _: &str) -> Result<Vec<StoredToken>> {
            std::future::pending().await
        }
        async fn put(&self, _: &StoredToken, _: Option<u64>) -> Result<u64> {
            std::future::pending().await
        }
        async fn delete(&self, _: &AccountKey) -> Result<bool> {
            std::future::pending().await
        }
    }

    #[tokio::test]
    async fn a_stalled_call_is_a_store_error() {
        let store = TimeoutStore::new(Stalled, Duration::from_millis(20)).unwrap();
        let key = AccountKey::new("u", Platform::X, "a").unwrap();
        for r in [
            TokenStore::get(&store, &key).await.map(|_| ()),
            TokenStore::list(&store, "u").await.map(|_| ()),
            TokenStore::delete(&store, &key).await.map(|_| ()),
        ] {
            match r {
                Err(Error::Store { message, .. }) => assert!(message.contains("did not answer")),
                other => panic!("{other:?}"),
            }
        }
    }

    #[async_trait]
    impl KeyValueStore for Stalled {
        async fn get(&self, _: &str) -> Result<Option<Versioned>> {
            std::future::pending().await
        }
        async fn put(&self, _: &str, _: &str, _: Option<u64>) -> Result<u64> {
            std::future::pending().await
        }
        async fn delete(&self, _: &str, _: Option<u64>) -> Result<bool> {
            std::future::pending().await
        }
        async fn list(&self, _: &str) -> Result<Vec<(String, Versioned)>> {
            std::future::pending().await
        }
    }

    #[tokio::test]
    async fn a_stalled_key_value_call_is_a_store_error() {
        let store = TimeoutStore::new(Stalled, Duration::from_millis(20)).unwrap();
        for r in [
            KeyValueStore::get(&store, "k").await.map(|_| ()),
            KeyValueStore::put(&store, "k", "v", None).await.map(|_| ()),
            KeyValueStore::delete(&store, "k", Some(1))
                .await
                .map(|_| ()),
            KeyValueStore::list(&store, "k").await.map(|_| ()),
        ] {
            match r {
                Err(Error::Store { message, .. }) => assert!(message.contains("did not answer")),
                other => panic!("{other:?}"),
            }
        }
    }

    #[tokio::test]
    async fn a_prompt_store_is_unchanged() {
        let store = TimeoutStore::new(MemoryTokenStore::new(), DEFAULT_STORE_TIMEOUT).unwrap();
        assert!(store.list("u").await.unwrap().is_empty());
    }

    #[test]
    fn limits_are_checked() {
        type T = TimeoutStore<MemoryTokenStore>;
        for bad in [0.0, -1.0, f64::NAN, f64::INFINITY, 1e300, 86_400.5] {
            assert!(
                matches!(
                    T::limit_from_secs("t", bad),
                    Err(Error::InvalidInput { .. })
                ),
                "{bad}"
            );
        }
        assert_eq!(
            T::limit_from_secs("t", 0.5).unwrap(),
            Duration::from_millis(500)
        );
        assert!(T::new(MemoryTokenStore::new(), Duration::ZERO).is_err());
    }
}
