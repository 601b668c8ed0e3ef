//! [`FreshToken`]: the account's access token for the length of one
//! publish. A publish can outlive its access token (a TikTok upload plus
//! processing against a 2-hour token; a long YouTube upload against a
//! 1-hour one), so a client asks for the token before each step instead of
//! holding the one it started with: it is refreshed through the token
//! manager when it is about to expire, and once more when the platform
//! refuses it. Nothing is repeated that could create a post twice: the
//! retried step is the one read or byte range that was refused.

use std::fmt::Debug;
use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError};

use async_trait::async_trait;
use chrono::Utc;
use tracing::info;

use crate::{AccountKey, Credential, Error, Result, StoredToken};

/// Where fresh credentials come from ([`crate::auth::TokenManager`]).
#[async_trait]
pub trait TokenSource: Send + Sync + Debug {
    /// A usable credential for `key`, refreshed first when it expires soon.
    async fn usable(&self, key: &AccountKey) -> Result<StoredToken>;

    /// A new credential after the platform refused `rejected`.
    async fn refresh_rejected(&self, rejected: &StoredToken) -> Result<StoredToken>;
}

/// How long before its expiry a token is renewed between steps.
const MARGIN: chrono::TimeDelta = chrono::TimeDelta::minutes(5);

/// The current credential of one publish. Without a source (a client used
/// on its own) it is always the account's.
#[derive(Clone, Debug, Default)]
pub struct FreshToken {
    source: Option<Arc<dyn TokenSource>>,
    latest: Arc<Mutex<Option<StoredToken>>>,
}

fn bearer_of(row: &StoredToken) -> Result<String> {
    match &row.credential {
        Credential::OAuth2 { access, .. } => Ok(access.expose().clone()),
        Credential::OAuth1 { .. } => Err(Error::Config(format!(
            "{}: account {} holds an OAuth 1.0a token, which this call does not use",
            row.key.platform, row.key.account_id
        ))),
    }
}

impl FreshToken {
    /// Credentials renewed through `source`.
    pub fn new(source: Arc<dyn TokenSource>) -> Self {
        Self {
            source: Some(source),
            latest: Arc::default(),
        }
    }

    fn current(&self, account: &StoredToken) -> StoredToken {
        self.latest
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
            .unwrap_or_else(|| account.clone())
    }

    fn keep(&self, row: StoredToken) -> Result<String> {
        let bearer = bearer_of(&row)?;
        *self.latest.lock().unwrap_or_else(PoisonError::into_inner) = Some(row);
        Ok(bearer)
    }

    /// The bearer token to send now for `account`: renewed first when it
    /// expires within five minutes.
    pub async fn bearer(&self, account: &StoredToken) -> Result<String> {
        let current = self.current(account);
        let soon = current
            .credential
            .expires_at()
            .is_some_and(|at| at - Utc::now() < MARGIN);
        match &self.source {
            Some(source) if soon => {
                info!(platform = %account.key.platform, "access token expires during the publish; renewing it between steps");
                self.keep(source.usable(&account.key).await?)
            }
            _ => bearer_of(&current),
        }
    }

    /// Runs `step` with the current bearer token; when the platform refuses
    /// the token ([`Error::ReauthRequired`]) and a source can renew it, runs
    /// the same step once more with the new one. Only for steps that are
    /// safe to repeat (reads, byte ranges, status queries).
    pub async fn authorized<T, F, Fut>(&self, account: &StoredToken, step: F) -> Result<T>
    where
        F: Fn(String) -> Fut,
        Fut: Future<Output = Result<T>>,
    {
        let token = self.bearer(account).await?;
        match step(token).await {
            Err(Error::ReauthRequired { .. }) if self.source.is_some() => {
                let refused = self.current(account);
                let source = self.source.as_ref().unwrap_or_else(|| unreachable!());
                info!(platform = %account.key.platform, "access token refused mid-publish; refreshing and repeating the step");
                let renewed = self.keep(source.refresh_rejected(&refused).await?)?;
                step(renewed).await
            }
            other => other,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;
    use crate::{Platform, Profile, Secret};

    #[derive(Debug, Default)]
    struct Counting {
        usable: AtomicUsize,
        rejected: AtomicUsize,
    }

    fn row(access: &str, expires_in: chrono::TimeDelta) -> StoredToken {
        StoredToken::new(
            AccountKey::new("u", Platform::TikTok, "1").unwrap(),
            Credential::OAuth2 {
                access: Secret::new(access.to_owned()),
                refresh: Some(Secret::new("r".to_owned())),
                expires_at: Some(Utc::now() + expires_in),
                refresh_expires_at: None,
                scopes: vec![],
                user_token: None,
            },
            Profile::default(),
        )
    }

    #[async_trait]
    impl TokenSource for Counting {
        async fn usable(&self, _: &AccountKey) -> Result<StoredToken> {
            self.usable.fetch_add(1, Ordering::SeqCst);
            Ok(row("renewed", chrono::TimeDelta::hours(2)))
        }
        async fn refresh_rejected(&self, _: &StoredToken) -> Result<StoredToken> {
            self.rejected.fetch_add(1, Ordering::SeqCst);
            Ok(row("after-refusal", chrono::TimeDelta::hours(2)))
        }
    }

    #[tokio::test]
    async fn renews_before_expiry_and_once_after_a_refusal() {
        let source = Arc::new(Counting::default());
        let fresh = FreshToken::new(source.clone());
        let valid = row("valid", chrono::TimeDelta::hours(1));
        assert_eq!(fresh.bearer(&valid).await.unwrap(), "valid");
        assert_eq!(source.usable.load(Ordering::SeqCst), 0);
        let expiring = row("expiring", chrono::TimeDelta::minutes(1));
        assert_eq!(fresh.bearer(&expiring).await.unwrap(), "renewed");
        // The renewed token is kept for the next steps.
        assert_eq!(fresh.bearer(&expiring).await.unwrap(), "renewed");
        assert_eq!(source.usable.load(Ordering::SeqCst), 1);

        let seen = Mutex::new(Vec::new());
        let out = fresh
            .authorized(&expiring, |t| {
                seen.lock().unwrap().push(t.clone());
                async move {
                    if t == "after-refusal" {
                        Ok(7)
                    } else {
                        Err(Error::ReauthRequired {
                            platform: Platform::TikTok,
                            account: None,
                            reason: "expired".into(),
                        })
                    }
                }
            })
            .await
            .unwrap();
        assert_eq!(out, 7);
        assert_eq!(*seen.lock().unwrap(), ["renewed", "after-refusal"]);
        assert_eq!(source.rejected.load(Ordering::SeqCst), 1);

        // Without a source the account's token is used as is, refusals
        // reach the caller.
        let plain = FreshToken::default();
        assert_eq!(plain.bearer(&expiring).await.unwrap(), "expiring");
        let e = plain
            .authorized(&expiring, |_| async {
                Err::<(), _>(Error::ReauthRequired {
                    platform: Platform::TikTok,
                    account: None,
                    reason: "expired".into(),
                })
            })
            .await
            .unwrap_err();
        assert!(matches!(e, Error::ReauthRequired { .. }));
    }
}
