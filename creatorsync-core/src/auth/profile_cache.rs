//! A small TTL cache of profiles (handles), invalidated on reconnect.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::{AccountKey, Profile};

/// Profiles by account, each kept for `ttl` (default 24 h).
#[derive(Debug)]
pub(crate) struct ProfileCache {
    ttl: Duration,
    entries: Mutex<HashMap<AccountKey, (Instant, Profile)>>,
}

impl ProfileCache {
    pub(crate) fn new(ttl: Duration) -> Self {
        Self {
            ttl,
            entries: Mutex::new(HashMap::new()),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<AccountKey, (Instant, Profile)>> {
        // A panic while holding this lock cannot leave the map invalid.
        self.entries
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The cached profile, if fresh.
    pub(crate) fn get(&self, key: &AccountKey) -> Option<Profile> {
        let map = self.lock();
        let (at, p) = map.get(key)?;
        (at.elapsed() < self.ttl).then(|| p.clone())
    }

    /// Caches `profile` from now.
    pub(crate) fn put(&self, key: &AccountKey, profile: Profile) {
        let mut map = self.lock();
        if map.len() > 100_000 {
            let ttl = self.ttl;
            map.retain(|_, (at, _)| at.elapsed() < ttl);
        }
        map.insert(key.clone(), (Instant::now(), profile));
    }

    /// Forgets every cached profile of `user_id` on `platform` (reconnect).
    pub(crate) fn invalidate(&self, user_id: &str, platform: crate::Platform) {
        self.lock()
            .retain(|k, _| !(k.user_id == user_id && k.platform == platform));
    }

    /// Forgets one account.
    pub(crate) fn remove(&self, key: &AccountKey) {
        self.lock().remove(key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Platform;

    #[test]
    fn expires_and_invalidates() {
        let k = AccountKey::new("u", Platform::X, "1").unwrap();
        let c = ProfileCache::new(Duration::from_secs(60));
        c.put(&k, Profile::default());
        assert!(c.get(&k).is_some());
        c.invalidate("u", Platform::X);
        assert!(c.get(&k).is_none());
        let c = ProfileCache::new(Duration::ZERO);
        c.put(&k, Profile::default());
        assert!(c.get(&k).is_none());
    }
}
