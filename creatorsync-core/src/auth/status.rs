//! What is connected and in what shape: from the store alone
//! ([`TokenManager::status`], [`TokenManager::expiring_within`]) or live
//! ([`TokenManager::health`]).

use chrono::{DateTime, Utc};
use futures::future::join_all;
use serde::Serialize;
use tracing::{Instrument, info_span};

use super::refresh::TokenManager;
use crate::{Account, AccountKey, Credential, Error, Result, StoredToken};

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

fn missing_scopes(required: &[&str], credential: &Credential) -> Vec<String> {
    let Credential::OAuth2 { scopes, .. } = credential else {
        // OAuth 1.0a grants are not scoped.
        return Vec::new();
    };
    required
        .iter()
        .filter(|need| !scopes.iter().any(|s| s == *need))
        .map(|s| (*s).to_owned())
        .collect()
}

/// `now` plus `days` days, checked: never panics, whatever the number.
fn horizon(now: DateTime<Utc>, days: i64) -> Result<DateTime<Utc>> {
    if days < 0 {
        return Err(Error::invalid_input(
            "days",
            format!("must be zero or more, got {days}"),
        ));
    }
    chrono::Duration::try_days(days)
        .and_then(|d| now.checked_add_signed(d))
        .ok_or_else(|| {
            Error::invalid_input(
                "days",
                format!("{days} days from now is beyond the supported date range"),
            )
        })
}

impl TokenManager {
    fn can_refresh(&self, row: &StoredToken) -> bool {
        row.credential.can_refresh()
            && self
                .inner
                .ctx
                .module_of(row)
                .is_ok_and(|m| m.refreshes() && self.inner.ctx.app(m).app().is_ok())
    }

    fn status_of(&self, row: &StoredToken, now: DateTime<Utc>) -> AccountStatus {
        let can_refresh = self.can_refresh(row);
        let valid = row.credential.expires_at().is_none_or(|at| at > now);
        AccountStatus {
            account: row.account(),
            connected: !row.needs_reauth && (valid || can_refresh),
            expires_at: row.credential.expires_at(),
            needs_reauth: row.needs_reauth,
            missing_scopes: missing_scopes(
                &self.inner.ctx.scopes(row.key.platform).unwrap_or_default(),
                &row.credential,
            ),
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
    ///
    /// `days` is any integer type that fits in `i64` (so a binding passes
    /// the caller's number through unchanged). Errors:
    /// [`Error::InvalidInput`] (field `days`) for a negative value or one
    /// that reaches beyond the representable date range.
    pub async fn expiring_within(
        &self,
        user_id: &str,
        days: impl Into<i64>,
    ) -> Result<Vec<Account>> {
        let limit = horizon(Utc::now(), days.into())?;
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
                    let profile = self.inner.ctx.live_profile(&token).await;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn horizon_is_total() {
        let now = Utc::now();
        assert_eq!(horizon(now, 0).unwrap(), now);
        assert_eq!(horizon(now, 30).unwrap(), now + chrono::Duration::days(30));
        // The largest u32 (what -1 became through a u32 binding) and
        // everything up to i64::MAX: a typed error, not a panic.
        for days in [
            i64::from(u32::MAX),
            1_000_000_000,
            i64::MAX / 86_400,
            i64::MAX,
        ] {
            let e = horizon(now, days).unwrap_err();
            assert!(
                matches!(&e, Error::InvalidInput { field, .. } if field == "days"),
                "{days}: {e:?}"
            );
        }
        for days in [-1, i64::MIN] {
            assert_eq!(horizon(now, days).unwrap_err().code(), "INVALID_INPUT");
        }
        // The last representable day still works.
        let last = (DateTime::<Utc>::MAX_UTC - now).num_days();
        assert!(horizon(now, last).is_ok());
        assert!(horizon(now, last + 1).is_err());
    }
}
