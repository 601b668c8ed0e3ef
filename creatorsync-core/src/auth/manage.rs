//! Account management on [`TokenManager`]: flag for reauthorization,
//! disconnect (revoke + delete) and the cached profile.

use tracing::{Instrument, debug, info, info_span, warn};

use super::refresh::TokenManager;
use crate::{AccountKey, Error, Platform, Profile, Result, StoredToken};

impl TokenManager {
    /// Flags an account as needing reauthorization, e.g. after a platform
    /// answered 401 to an API call. The row is kept.
    pub async fn mark_reauth(&self, key: &AccountKey, reason: &str) -> Result<()> {
        let row = self.row(key).await?;
        let _ = self.flag(row, reason).await;
        Ok(())
    }

    /// Revokes the grant at the platform (best effort, logged) and deletes
    /// the account locally. Returns whether a row was deleted. A grant
    /// still used by another row of the user (LinkedIn member and
    /// organizations, Meta pages of one login) is not revoked.
    pub async fn disconnect(&self, key: &AccountKey) -> Result<bool> {
        let span = info_span!("disconnect", platform = %key.platform, account = %key.account_id);
        async {
            let store = &self.inner.ctx.store;
            let Some(row) = store.get(key).await? else {
                return Ok(false);
            };
            let siblings = store.list(&key.user_id).await?;
            let module = self.inner.ctx.module_of(&row)?;
            let shared = siblings
                .iter()
                .any(|r| r.key != *key && module.shares_grant(&row, r));
            if shared {
                debug!("grant shared with another connected account; not revoked");
            } else {
                self.revoke(&row).await;
            }
            let deleted = store.delete(key).await?;
            self.inner.cache.remove(key);
            Ok(deleted)
        }
        .instrument(span)
        .await
    }

    async fn revoke(&self, row: &StoredToken) {
        let ctx = &self.inner.ctx;
        let result = match ctx.module_of(row) {
            Ok(module) => module.revoke(&ctx.app(module), row).await,
            Err(e) => Err(e),
        };
        match result {
            Ok(()) => info!("revoked at the platform"),
            Err(e) => warn!(error = %e, "revoke failed; deleting locally anyway"),
        }
    }

    /// The account's profile (handle, name), cached for 24 h. Falls back
    /// to the profile stored at connect time when the platform cannot be
    /// reached.
    pub async fn profile(&self, key: &AccountKey) -> Result<Profile> {
        if let Some(p) = self.inner.cache.get(key) {
            return Ok(p);
        }
        let row = self.usable(key).await?;
        match self.inner.ctx.live_profile(&row).await {
            Ok(mut p) => {
                if p.platform_user_id.is_empty() {
                    p.platform_user_id = row.profile.platform_user_id.clone();
                }
                if p.kind.is_none() {
                    p.kind = row.profile.kind.clone();
                }
                self.inner.cache.put(key, p.clone());
                Ok(p)
            }
            Err(Error::ReauthRequired { reason, .. }) => Err(self.flag(row, &reason).await),
            Err(e) if e.is_retryable() => {
                warn!(error = %e, "live profile unavailable; using the stored one");
                Ok(row.profile)
            }
            Err(e) => Err(e),
        }
    }

    /// Caches profiles of freshly connected accounts (drops older ones).
    pub(crate) fn remember(&self, user_id: &str, platform: Platform, rows: &[StoredToken]) {
        self.inner.cache.invalidate(user_id, platform);
        for r in rows {
            self.inner.cache.put(&r.key, r.profile.clone());
        }
    }
}
