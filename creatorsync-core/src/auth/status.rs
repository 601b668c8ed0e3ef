//! What is connected and in what shape: from the store alone
//! ([`TokenManager::status`], [`TokenManager::expiring_within`]) or live
//! ([`TokenManager::health`]).

use chrono::{DateTime, Utc};
use futures::future::join_all;
use serde::Serialize;
use tracing::{Instrument, info_span};

use super::accounts::live_profile;
use super::apps::{platform_refreshes, required_scopes};
use super::refresh::TokenManager;
use crate::{Account, AccountKey, Credential, Error, Platform, Result, StoredToken};

/// The state of one connected account, from the store alone.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AccountStatus {
    /// The account.
    pub account: Account,
    /// Whether it can be used now (not flagged, and valid or refreshable).
    pub connected: bool,
    /// When the access credential expires (None: does not expire).
    pub expires_at: Option<DateTime<Utc>>,
    /// Whether the user must reconnect.
    pub needs_reauth: bool,
    /// Scopes CreatorSync needs that were not granted.
    pub missing_scopes: Vec<String>,
    /// Whether this app can renew the token without the user (a refresh
    /// token is stored, the platform refreshes and the app is configured).
    pub can_refresh: bool,
}

/// The live check of one account.
#[derive(Debug)]
pub struct AccountHealth {
    /// The account.
    pub key: AccountKey,
    /// Whether the platform accepted the token for a profile read.
    pub healthy: bool,
    /// Why not, when it did not.
    pub error: Option<Error>,
}

fn missing_scopes(platform: Platform, credential: &Credential) -> Vec<String> {
    let Credential::OAuth2 { scopes, .. } = credential else {
        // OAuth 1.0a grants are not scoped.
        return Vec::new();
    };
    required_scopes(platform)
        .iter()
        .filter(|need| !scopes.iter().any(|s| s == *need))
        .map(|s| (*s).to_owned())
        .collect()
}

impl TokenManager {
    fn can_refresh(&self, row: &StoredToken) -> bool {
        row.credential.can_refresh()
            && platform_refreshes(row.key.platform)
            && self.inner.ctx.apps.get(row.key.platform).is_ok()
    }

    fn status_of(&self, row: &StoredToken, now: DateTime<Utc>) -> AccountStatus {
        let can_refresh = self.can_refresh(row);
        let valid = row.credential.expires_at().is_none_or(|at| at > now);
        AccountStatus {
            account: row.account(),
            connected: !row.needs_reauth && (valid || can_refresh),
            expires_at: row.credential.expires_at(),
            needs_reauth: row.needs_reauth,
            missing_scopes: missing_scopes(row.key.platform, &row.credential),
            can_refresh,
        }
    }

    /// Every account of `user_id` with its status, read from the store.
    pub async fn status(&self, user_id: &str) -> Result<Vec<AccountStatus>> {
        let now = Utc::now();
        Ok(self
            .store()
            .list(user_id)
            .await?
            .iter()
            .map(|r| self.status_of(r, now))
            .collect())
    }

    /// Accounts whose access will end within `days` unless the user
    /// reconnects: tokens that cannot be refreshed and expire by then, and
    /// refreshable ones whose refresh token expires by then.
    pub async fn expiring_within(&self, user_id: &str, days: u32) -> Result<Vec<Account>> {
        let limit = Utc::now() + chrono::Duration::days(i64::from(days));
        Ok(self
            .store()
            .list(user_id)
            .await?
            .into_iter()
            .filter(|r| {
                let end = if self.can_refresh(r) {
                    match &r.credential {
                        Credential::OAuth2 {
                            refresh_expires_at, ..
                        } => *refresh_expires_at,
                        Credential::OAuth1 { .. } => None,
                    }
                } else {
                    r.credential.expires_at()
                };
                end.is_some_and(|e| e <= limit)
            })
            .map(|r| r.account())
            .collect())
    }

    /// Checks every account of `user_id` live and concurrently (a usable
    /// token, then a profile read). Accounts the platform refuses are
    /// flagged `needs_reauth`.
    pub async fn health(&self, user_id: &str) -> Result<Vec<AccountHealth>> {
        let rows = self.store().list(user_id).await?;
        let checks = rows.into_iter().map(|row| {
            let key = row.key.clone();
            let span = info_span!("health", platform = %key.platform, account = %key.account_id);
            async move {
                let result = async {
                    let token = self.usable(&key).await?;
                    let profile = live_profile(&self.inner.ctx, &token).await;
                    match profile {
                        Err(Error::ReauthRequired { reason, .. }) => {
                            self.mark_reauth(&key, &reason).await?;
                            Err(Error::ReauthRequired {
                                platform: key.platform,
                                account: Some(key.account_id.clone()),
                                reason,
                            })
                        }
                        Err(e) => Err(e),
                        Ok(p) => {
                            self.inner.cache.put(&key, p);
                            Ok(())
                        }
                    }
                }
                .await;
                AccountHealth {
                    key,
                    healthy: result.is_ok(),
                    error: result.err(),
                }
            }
            .instrument(span)
        });
        Ok(join_all(checks).await)
    }
}
