//! [`TokenManager`]: one call gives a usable credential, refreshing it
//! first when it is about to expire.
//!
//! * In one process, concurrent callers for one account share a single
//!   refresh (an async mutex per account; the waiters re-read the store).
//! * Across processes, refreshes are serialized through the store's
//!   compare-and-swap: the refresher first writes a short lease into the
//!   row (`put(.., Some(version))`); everyone else waits for the row to
//!   change and uses the winner's token. The rotated refresh token is
//!   persisted before the new access token is handed out.
//! * A dead grant (`invalid_grant`, revoked) flags the row `needs_reauth`
//!   (never deletes it) and yields [`Error::ReauthRequired`] — unless the
//!   store shows another worker rotated the token a moment ago, in which
//!   case the stored token is used. Transient failures are retried by the
//!   HTTP layer and returned as they are, never as `ReauthRequired`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::Utc;
use tracing::{Instrument, debug, info, info_span, warn};

use super::apps::Apps;
use super::context::AuthContext;
use super::oauth2::grant_is_dead;
use super::profile_cache::ProfileCache;
use crate::{
    AccountKey, Credential, EndpointSet, Error, HttpClient, Result, StoredToken, TokenStore,
};

/// Metadata key of the cross-process refresh lease (`owner:until_ms`).
const LEASE_KEY: &str = "refresh_lease";

/// Tunables of a [`TokenManager`].
#[derive(Clone, Debug)]
pub struct TokenManagerConfig {
    /// Tokens expiring within this window are refreshed first (default 5 min).
    pub skew: Duration,
    /// How long a refresh lease protects a refresh in progress (default 30 s).
    pub lease: Duration,
    /// How often a waiter re-reads the store during another worker's
    /// refresh (default 20 ms).
    pub lease_poll: Duration,
    /// How long profiles are cached (default 24 h).
    pub profile_ttl: Duration,
}

impl Default for TokenManagerConfig {
    fn default() -> Self {
        Self {
            skew: Duration::from_secs(300),
            lease: Duration::from_secs(30),
            lease_poll: Duration::from_millis(20),
            profile_ttl: Duration::from_secs(24 * 3600),
        }
    }
}

/// Gives usable credentials, refreshing, flagging and revoking them.
/// Cheap to clone (an `Arc` inside).
///
/// ```no_run
/// # async fn demo(store: std::sync::Arc<dyn creatorsync_core::TokenStore>, key: creatorsync_core::AccountKey) -> creatorsync_core::Result<()> {
/// use creatorsync_core::auth::{Apps, TokenManager};
/// use creatorsync_core::{EndpointSet, HttpClient};
/// let tokens = TokenManager::new(Apps::emulator_defaults(), store, EndpointSet::production(), HttpClient::default());
/// let token = tokens.usable(&key).await?; // refreshed first if needed
/// let handle = tokens.profile(&key).await?.handle; // cached 24 h
/// # let _ = (token, handle); Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct TokenManager {
    pub(crate) inner: Arc<Inner>,
}

#[derive(Debug)]
pub(crate) struct Inner {
    pub(crate) ctx: AuthContext,
    pub(crate) config: TokenManagerConfig,
    flights: Mutex<HashMap<AccountKey, Arc<tokio::sync::Mutex<()>>>>,
    pub(crate) cache: ProfileCache,
    /// Lease owner id of this manager.
    id: String,
}

fn now_ms() -> i64 {
    Utc::now().timestamp_millis()
}

fn refresh_token(c: &Credential) -> Option<&str> {
    match c {
        Credential::OAuth2 {
            refresh: Some(r), ..
        } => Some(r.expose().as_str()),
        _ => None,
    }
}

fn reauth(key: &AccountKey, reason: impl Into<String>) -> Error {
    Error::ReauthRequired {
        platform: key.platform,
        account: Some(key.account_id.clone()),
        reason: reason.into(),
    }
}

impl TokenManager {
    /// A manager over `store` with default settings.
    pub fn new(
        apps: Apps,
        store: Arc<dyn TokenStore>,
        endpoints: EndpointSet,
        http: HttpClient,
    ) -> Self {
        Self::with_config(apps, store, endpoints, http, TokenManagerConfig::default())
    }

    /// A manager with explicit settings.
    pub fn with_config(
        apps: Apps,
        store: Arc<dyn TokenStore>,
        endpoints: EndpointSet,
        http: HttpClient,
        config: TokenManagerConfig,
    ) -> Self {
        Self::from_context(
            AuthContext {
                apps,
                store,
                endpoints,
                http,
            },
            config,
        )
    }

    pub(crate) fn from_context(ctx: AuthContext, config: TokenManagerConfig) -> Self {
        Self {
            inner: Arc::new(Inner {
                cache: ProfileCache::new(config.profile_ttl),
                ctx,
                config,
                flights: Mutex::new(HashMap::new()),
                id: uuid::Uuid::new_v4().simple().to_string(),
            }),
        }
    }

    /// The store this manager reads and writes.
    pub fn store(&self) -> &Arc<dyn TokenStore> {
        &self.inner.ctx.store
    }

    pub(crate) async fn row(&self, key: &AccountKey) -> Result<StoredToken> {
        self.inner
            .ctx
            .store
            .get(key)
            .await?
            .ok_or_else(|| Error::NotConnected {
                user_id: key.user_id.clone(),
                platform: key.platform,
                account: Some(key.account_id.clone()),
            })
    }

    /// A usable credential for `key`: the stored one when it is valid for
    /// longer than the skew window, else a refreshed one.
    ///
    /// Errors: [`Error::NotConnected`], [`Error::ReauthRequired`] (row
    /// flagged or grant dead; the row is kept), or the transient error of a
    /// refresh that could not complete (retry later).
    pub async fn usable(&self, key: &AccountKey) -> Result<StoredToken> {
        let row = self.row(key).await?;
        if row.needs_reauth {
            return Err(reauth(
                key,
                "the account was flagged as needing reauthorization",
            ));
        }
        if !row
            .credential
            .expires_within(Utc::now(), self.inner.config.skew)
        {
            return Ok(row);
        }
        let span = info_span!("token_refresh", platform = %key.platform, account = %key.account_id);
        self.refresh_slow(key, None).instrument(span).await
    }

    /// Refreshes a token the platform refused (HTTP 401) although it looked
    /// valid here (clock skew, an access token revoked early), once: when
    /// another caller already replaced `rejected`, the stored token is
    /// returned without a second refresh (the same single-flight, lease and
    /// compare-and-swap as [`TokenManager::usable`]).
    ///
    /// Errors: [`Error::ReauthRequired`] when the credential cannot be
    /// refreshed (OAuth 1.0a, no refresh token) or the refresh is refused
    /// (the row is flagged, never deleted); the transient error of a
    /// refresh that could not complete.
    pub async fn refresh_rejected(&self, rejected: &StoredToken) -> Result<StoredToken> {
        let key = &rejected.key;
        if refresh_token(&rejected.credential).is_none() {
            return Err(reauth(
                key,
                "the platform refused the token and it cannot be refreshed",
            ));
        }
        let span = info_span!("token_refresh", platform = %key.platform, account = %key.account_id, rejected = true);
        self.refresh_slow(key, Some(&rejected.credential))
            .instrument(span)
            .await
    }

    fn flight(&self, key: &AccountKey) -> Arc<tokio::sync::Mutex<()>> {
        let mut map = self
            .inner
            .flights
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        map.entry(key.clone()).or_default().clone()
    }

    /// Refreshes `key` unless its stored token is valid for longer than the
    /// skew window and is not `stale` (a credential the platform refused).
    async fn refresh_slow(
        &self,
        key: &AccountKey,
        stale: Option<&Credential>,
    ) -> Result<StoredToken> {
        let flight = self.flight(key);
        let _guard = flight.lock().await;
        let cfg = &self.inner.config;
        let store = &self.inner.ctx.store;
        let deadline = Instant::now() + cfg.lease + Duration::from_secs(5);
        loop {
            let row = self.row(key).await?;
            if row.needs_reauth {
                return Err(reauth(
                    key,
                    "the account was flagged as needing reauthorization",
                ));
            }
            let now = Utc::now();
            let refused = stale == Some(&row.credential);
            if !refused && !row.credential.expires_within(now, cfg.skew) {
                return Ok(row);
            }
            let Some(rt) = refresh_token(&row.credential).map(str::to_owned) else {
                if refused {
                    return Err(reauth(
                        key,
                        "the platform refused the token and it cannot be refreshed",
                    ));
                }
                if row.credential.expires_at().is_some_and(|at| at <= now) {
                    let why = format!("the token expired and {} cannot refresh it", key.platform);
                    return Err(self.flag(row, &why).await);
                }
                // Still valid for a little while; nothing to refresh with.
                return Ok(row);
            };
            // Another worker's lease in force: wait for its result.
            if let Some(until) = row.metadata.get(LEASE_KEY).and_then(|l| {
                let (owner, until) = l.split_once(':')?;
                (owner != self.inner.id).then(|| until.parse::<i64>().ok())?
            }) && until > now_ms()
            {
                if Instant::now() > deadline {
                    return Err(Error::Conflict {
                        current_version: Some(row.version),
                    });
                }
                tokio::time::sleep(cfg.lease_poll).await;
                continue;
            }
            let mut leased = row.clone();
            leased.metadata.insert(
                LEASE_KEY.to_owned(),
                format!(
                    "{}:{}",
                    self.inner.id,
                    now_ms() + i64::try_from(cfg.lease.as_millis()).unwrap_or(30_000)
                ),
            );
            match store.put(&leased, Some(row.version)).await {
                Ok(v) => leased.version = v,
                Err(Error::Conflict { .. }) => continue,
                Err(e) => return Err(e),
            }
            debug!("refresh lease taken");
            let result = match self.inner.ctx.provider(key.platform) {
                Ok(p) => p.refresh(&rt).await,
                Err(e) => Err(e),
            };
            match result {
                Ok(grant) => {
                    let credential = grant.into_credential(Utc::now(), Some(&leased.credential));
                    return self.persist(leased, credential, &rt).await;
                }
                Err(e) if grant_is_dead(&e) => {
                    // Another worker may have rotated the token a moment
                    // ago (e.g. a reconnect): then use the stored one.
                    let cur = self.row(key).await?;
                    if refresh_token(&cur.credential) != Some(rt.as_str()) {
                        debug!("refresh token changed meanwhile; using the stored one");
                        continue;
                    }
                    let reason = match &e {
                        Error::ReauthRequired { reason, .. } => reason.clone(),
                        other => other.to_string(),
                    };
                    return Err(self.flag(cur, &format!("refresh refused: {reason}")).await);
                }
                Err(e) => {
                    warn!(error = %e, "refresh failed; the token is kept");
                    self.release(leased).await;
                    return Err(e);
                }
            }
        }
    }

    /// Writes the refreshed credential over the leased row (CAS), keeping
    /// concurrent metadata edits, and updates siblings sharing the grant.
    async fn persist(
        &self,
        leased: StoredToken,
        credential: Credential,
        old_rt: &str,
    ) -> Result<StoredToken> {
        let store = &self.inner.ctx.store;
        let mut new = leased.clone();
        new.credential = credential;
        new.needs_reauth = false;
        new.metadata.remove(LEASE_KEY);
        let mut expected = leased.version;
        for _ in 0..8 {
            match store.put(&new, Some(expected)).await {
                Ok(v) => {
                    new.version = v;
                    info!("token refreshed");
                    self.update_siblings(&new, old_rt).await;
                    return Ok(new);
                }
                Err(Error::Conflict { .. }) => {
                    let cur = self.row(&new.key).await?;
                    if refresh_token(&cur.credential) != Some(old_rt) {
                        // Reconnected meanwhile: the newer grant wins.
                        return Ok(cur);
                    }
                    new.metadata = cur.metadata.clone();
                    new.metadata.remove(LEASE_KEY);
                    new.profile = cur.profile.clone();
                    expected = cur.version;
                }
                Err(e) => return Err(e),
            }
        }
        Err(Error::store(format!(
            "could not save the refreshed token of {} after repeated conflicts",
            new.key
        )))
    }

    /// LinkedIn stores one member grant in several rows (member and
    /// organizations): a refresh of one updates the others still holding
    /// the old refresh token. Best effort.
    async fn update_siblings(&self, fresh: &StoredToken, old_rt: &str) {
        let store = &self.inner.ctx.store;
        let Ok(rows) = store.list(&fresh.key.user_id).await else {
            return;
        };
        for mut r in rows {
            if r.key == fresh.key
                || r.key.platform != fresh.key.platform
                || refresh_token(&r.credential) != Some(old_rt)
            {
                continue;
            }
            let expected = r.version;
            r.credential = fresh.credential.clone();
            r.needs_reauth = false;
            if let Err(e) = store.put(&r, Some(expected)).await {
                debug!(error = %e, account = %r.key.account_id, "sibling not updated");
            }
        }
    }

    /// Drops our lease after a failed refresh (best effort).
    async fn release(&self, mut leased: StoredToken) {
        let expected = leased.version;
        leased.metadata.remove(LEASE_KEY);
        if let Err(e) = self.inner.ctx.store.put(&leased, Some(expected)).await {
            debug!(error = %e, "lease not released; it will expire");
        }
    }

    /// Flags `row` as needing reauthorization (kept, never deleted) and
    /// returns the error to report.
    pub(crate) async fn flag(&self, mut row: StoredToken, reason: &str) -> Error {
        let key = row.key.clone();
        for _ in 0..8 {
            let expected = row.version;
            row.needs_reauth = true;
            row.metadata.remove(LEASE_KEY);
            row.metadata
                .insert("reauth_reason".to_owned(), reason.to_owned());
            match self.inner.ctx.store.put(&row, Some(expected)).await {
                Ok(_) => break,
                Err(Error::Conflict { .. }) => match self.inner.ctx.store.get(&key).await {
                    Ok(Some(cur)) => row = cur,
                    _ => break,
                },
                Err(e) => {
                    warn!(error = %e, "could not flag the account");
                    break;
                }
            }
        }
        warn!(platform = %key.platform, account = %key.account_id, reason, "reauthorization required");
        reauth(&key, reason)
    }
}
