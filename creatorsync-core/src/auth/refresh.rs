//! [`TokenManager`]: one call gives a usable credential, refreshing it
//! first when it is about to expire.
//!
//! * In one process, concurrent callers for one account share a single
//!   refresh (an async mutex per account; the waiters re-read the store).
//! * Across processes, refreshes are serialized through the store's
//!   compare-and-swap: the refresher first writes a lease into the row
//!   (`put(.., Some(version))`) and renews it while its token request is
//!   in flight; everyone else waits for the row to change and uses the
//!   winner's token. The rotated refresh token is persisted before the
//!   new access token is handed out.
//! * Once started, a refresh and the save of its result run to the end on
//!   the Tokio runtime even when the caller's future is dropped (a
//!   timeout, a cancelled publish): a refresh token the platform rotated
//!   is never lost between its answer and the store.
//! * A dead grant (`invalid_grant`, revoked) flags the row `needs_reauth`
//!   (never deletes it) and yields [`Error::ReauthRequired`] — unless the
//!   store shows another worker rotated the token a moment ago, in which
//!   case the stored token is used. Transient failures are retried by the
//!   HTTP layer and returned as they are, never as `ReauthRequired`.

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::Utc;
use tracing::{Instrument, debug, info, info_span, warn};

use super::apps::Apps;
use super::context::AuthContext;
use super::oauth2::grant_is_dead;
use super::profile_cache::ProfileCache;
use crate::heartbeat::{Renew, heartbeat};
use crate::platforms::Registry;
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
    /// How long a refresh lease protects a refresh in progress without
    /// being renewed (default 30 s). The refresher renews it every third
    /// of this while its token request runs, so only a refresher that
    /// died or stalled for this long loses it.
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
/// # Refresh leases (several workers, one store)
///
/// A rotating refresh token (X, TikTok) can be spent once, so two workers
/// must never send the same one. Before refreshing, a worker writes a
/// lease (`refresh_lease` = `owner:until_ms`) into the row with
/// compare-and-swap; a worker that finds a lease of another owner in
/// force does not refresh: it polls the row (every
/// [`TokenManagerConfig::lease_poll`]) until the row carries a token it
/// can use, and uses it. While its token request is in flight the lease
/// holder renews the lease every third of [`TokenManagerConfig::lease`]
/// (a heartbeat), so a slow answer (retries, a slow platform) never lets
/// the lease run out under a live request. A lease is taken over only
/// when its holder stopped renewing it for a whole lease period (the
/// process died or stalled); if the stalled holder's refresh did go
/// through, its save still wins over the row (its compare-and-swap
/// retries while the stored refresh token is the one it spent), so the
/// rotated token is kept. A waiter gives up after the lease period plus
/// five seconds with [`Error::Conflict`] (retryable), never by refreshing
/// on its own.
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
    flights: Flights,
    pub(crate) cache: ProfileCache,
    /// Lease owner id of this manager.
    id: String,
}

fn now_ms() -> i64 {
    Utc::now().timestamp_millis()
}

/// The owner of a `refresh_lease` value and its expiry (ms since epoch).
fn lease_of(row: &StoredToken) -> Option<(&str, i64)> {
    let (owner, until) = row.metadata.get(LEASE_KEY)?.split_once(':')?;
    Some((owner, until.parse().ok()?))
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
                registry: Registry::default(),
                versions: std::collections::BTreeMap::new(),
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
                flights: Flights::default(),
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
        let now = Utc::now();
        if !row.credential.expires_within(now, self.window(&row)) {
            return Ok(row);
        }
        // Early (inside the module's window, not yet the skew): a failed
        // renewal keeps the token that still works.
        let early = !row.credential.expires_within(now, self.inner.config.skew);
        let span = info_span!("token_refresh", platform = %key.platform, account = %key.account_id);
        match self.refresh_slow(key, None).instrument(span).await {
            Err(e) if early && !matches!(e, Error::ReauthRequired { .. }) => {
                warn!(error = %e, "early renewal failed; the token still works and is kept");
                Ok(row)
            }
            other => other,
        }
    }

    /// How long before expiry `row`'s token is renewed: the configured skew,
    /// or its module's longer window.
    fn window(&self, row: &StoredToken) -> Duration {
        let module = self
            .inner
            .ctx
            .registry
            .for_row(row)
            .ok()
            .and_then(|m| m.refresh_window());
        module.map_or(self.inner.config.skew, |w| w.max(self.inner.config.skew))
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

    /// Refreshes `key` unless its stored token is valid for longer than the
    /// skew window and is not `stale` (a credential the platform refused).
    ///
    /// The work runs in a task of its own that holds the account's
    /// single-flight lock: dropping the returned future does not stop a
    /// refresh that may already have rotated the token before its result
    /// is saved.
    async fn refresh_slow(
        &self,
        key: &AccountKey,
        stale: Option<&Credential>,
    ) -> Result<StoredToken> {
        let runtime = tokio::runtime::Handle::try_current()
            .map_err(|_| Error::Config("refreshing a token needs a Tokio runtime".into()))?;
        let guard = self.inner.flights.lock(key).await;
        let (this, key, stale) = (self.clone(), key.clone(), stale.cloned());
        let task = runtime.spawn(
            async move {
                let _guard = guard;
                this.refresh_locked(&key, stale.as_ref()).await
            }
            .in_current_span(),
        );
        match task.await {
            Ok(result) => result,
            Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
            // The runtime is shutting down.
            Err(_) => Err(Error::Cancelled),
        }
    }

    /// A `refresh_lease` value of this manager, valid for the lease period.
    fn lease_value(&self) -> String {
        let lease = i64::try_from(self.inner.config.lease.as_millis()).unwrap_or(i64::MAX);
        format!("{}:{}", self.inner.id, now_ms().saturating_add(lease))
    }

    /// [`TokenManager::refresh_slow`]'s work, under the single-flight lock.
    async fn refresh_locked(
        &self,
        key: &AccountKey,
        stale: Option<&Credential>,
    ) -> Result<StoredToken> {
        let cfg = &self.inner.config;
        let store = &self.inner.ctx.store;
        // No deadline when the configured lease is beyond `Instant`'s range.
        let deadline = Instant::now().checked_add(cfg.lease.saturating_add(Duration::from_secs(5)));
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
            if !refused && !row.credential.expires_within(now, self.window(&row)) {
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
            if lease_of(&row)
                .is_some_and(|(owner, until)| owner != self.inner.id && until > now_ms())
            {
                if deadline.is_some_and(|d| Instant::now() > d) {
                    return Err(Error::Conflict {
                        current_version: Some(row.version),
                    });
                }
                tokio::time::sleep(cfg.lease_poll).await;
                continue;
            }
            let mut leased = row.clone();
            leased
                .metadata
                .insert(LEASE_KEY.to_owned(), self.lease_value());
            match store.put(&leased, Some(row.version)).await {
                Ok(v) => leased.version = v,
                Err(Error::Conflict { .. }) => continue,
                Err(e) => return Err(e),
            }
            debug!("refresh lease taken");
            let ctx = &self.inner.ctx;
            let result = match ctx.module_of(&leased) {
                Ok(m) => {
                    let app = ctx.app(m);
                    self.renewing_lease(&mut leased, &rt, m.refresh(&app, &rt))
                        .await
                }
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

    /// Awaits `request` (the token request spending `rt`), renewing our
    /// lease on `leased` every third of the lease period meanwhile, so no
    /// other worker takes it over and spends `rt` a second time. `leased`
    /// follows every renewal (its version is the one to save over).
    async fn renewing_lease<T>(
        &self,
        leased: &mut StoredToken,
        rt: &str,
        request: impl Future<Output = Result<T>>,
    ) -> Result<T> {
        let mut lease = RefreshLease {
            manager: self,
            leased,
            rt,
        };
        let beat = heartbeat(self.inner.config.lease, &mut lease);
        tokio::pin!(request, beat);
        tokio::select! {
            result = &mut request => return result,
            // Renewing stopped (the save sorts out the outcome): wait on.
            () = &mut beat => {}
        }
        request.await
    }

    /// Extends our lease (compare-and-swap). A concurrent edit of the row
    /// (metadata, profile) is re-read and the lease renewed over it; when
    /// the row no longer carries our lease or the refresh token being
    /// spent, renewing stops (the save sorts out the outcome). Returns
    /// whether to keep renewing.
    async fn renew_lease(&self, leased: &mut StoredToken, rt: &str) -> bool {
        let store = &self.inner.ctx.store;
        for _ in 0..4 {
            let mut next = leased.clone();
            next.metadata
                .insert(LEASE_KEY.to_owned(), self.lease_value());
            match store.put(&next, Some(leased.version)).await {
                Ok(v) => {
                    next.version = v;
                    *leased = next;
                    return true;
                }
                Err(Error::Conflict { .. }) => match store.get(&leased.key).await {
                    Ok(Some(cur))
                        if lease_of(&cur).is_some_and(|(o, _)| o == self.inner.id)
                            && refresh_token(&cur.credential) == Some(rt) =>
                    {
                        *leased = cur;
                    }
                    _ => {
                        debug!("the refresh lease was taken over or the grant replaced");
                        return false;
                    }
                },
                Err(e) => {
                    // A store hiccup: try again at the next beat.
                    debug!(error = %e, "refresh lease not renewed");
                    return true;
                }
            }
        }
        true
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
                    // A worker that took over our lease may have flagged
                    // the grant dead after spending the token we spent
                    // first: this grant works.
                    new.metadata.remove("reauth_reason");
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
/// The per-account single-flight locks of refreshes. An entry exists only
/// while someone holds or waits for it: the last holder removes it, so the
/// map stays as small as the refreshes in flight however many accounts a
/// long-running process serves.
#[derive(Debug, Default)]
struct Flights {
    map: Arc<Mutex<HashMap<AccountKey, Arc<tokio::sync::Mutex<()>>>>>,
}

/// The held lock of one account; dropping it releases the lock and removes
/// the entry when nobody else holds or waits for it.
struct FlightGuard {
    map: Arc<Mutex<HashMap<AccountKey, Arc<tokio::sync::Mutex<()>>>>>,
    key: AccountKey,
    guard: Option<tokio::sync::OwnedMutexGuard<()>>,
}

impl Flights {
    /// Waits for and takes the lock of `key`.
    async fn lock(&self, key: &AccountKey) -> FlightGuard {
        let lock = self.entries().entry(key.clone()).or_default().clone();
        FlightGuard {
            map: self.map.clone(),
            key: key.clone(),
            guard: Some(lock.lock_owned().await),
        }
    }

    fn entries(
        &self,
    ) -> std::sync::MutexGuard<'_, HashMap<AccountKey, Arc<tokio::sync::Mutex<()>>>> {
        self.map
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.entries().len()
    }
}

impl Drop for FlightGuard {
    fn drop(&mut self) {
        // Under the map's lock, so no one can clone the entry in between:
        // unlock, then drop the entry if the map holds its only reference
        // (a waiter holds a clone of its own).
        let mut map = self
            .map
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        drop(self.guard.take());
        if map
            .get(&self.key)
            .is_some_and(|lock| Arc::strong_count(lock) == 1)
        {
            map.remove(&self.key);
        }
    }
}

/// Our refresh lease on a row while its refresh token is being spent.
struct RefreshLease<'a> {
    manager: &'a TokenManager,
    leased: &'a mut StoredToken,
    rt: &'a str,
}

#[async_trait::async_trait]
impl Renew for RefreshLease<'_> {
    async fn renew(&mut self) -> bool {
        self.manager.renew_lease(self.leased, self.rt).await
    }
}

#[async_trait::async_trait]
impl crate::platforms::TokenSource for TokenManager {
    async fn usable(&self, key: &AccountKey) -> Result<StoredToken> {
        TokenManager::usable(self, key).await
    }

    async fn refresh_rejected(&self, rejected: &StoredToken) -> Result<StoredToken> {
        TokenManager::refresh_rejected(self, rejected).await
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::Platform;

    fn key(n: usize) -> AccountKey {
        AccountKey::new("user", Platform::X, format!("acct-{n}")).unwrap()
    }

    #[tokio::test]
    async fn the_lock_map_holds_only_accounts_in_flight() {
        let flights = Flights::default();
        for n in 0..1000 {
            let _held = flights.lock(&key(n)).await;
            assert_eq!(flights.len(), 1);
        }
        assert_eq!(flights.len(), 0, "released locks leave no entry behind");
    }

    #[tokio::test]
    async fn a_waiter_keeps_the_entry_and_still_excludes() {
        let flights = Arc::new(Flights::default());
        let first = flights.lock(&key(1)).await;
        let inside = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let waiter = {
            let (flights, inside) = (flights.clone(), inside.clone());
            tokio::spawn(async move {
                let _held = flights.lock(&key(1)).await;
                inside.store(true, std::sync::atomic::Ordering::SeqCst);
            })
        };
        tokio::time::sleep(Duration::from_millis(20)).await;
        assert!(
            !inside.load(std::sync::atomic::Ordering::SeqCst),
            "excluded"
        );
        drop(first);
        // The waiter's entry survived the first holder's release.
        waiter.await.unwrap();
        assert!(inside.load(std::sync::atomic::Ordering::SeqCst));
        assert_eq!(flights.len(), 0);
    }
}
