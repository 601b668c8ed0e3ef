//! Building a [`CreatorSync`] client.

use std::collections::BTreeMap;
#[cfg(feature = "sqlite")]
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Semaphore;
use tracing::warn;

use super::CreatorSync;
use super::context::{ClientKey, Inner};
use crate::auth::{Apps, Connector, PendingStore, TokenManagerConfig};
use crate::clock::{Clock, SystemClock};
use crate::platforms::{ClientConfig, ClientExtras, PlatformClient, Registry};
use crate::publish_log::{MemoryPublishLog, PublishLog};
use crate::quota::Ledger;
#[cfg(feature = "sqlite")]
use crate::store::{KeyRing, SqliteTokenStore};
use crate::upload::{MemoryUploadSessions, PollConfig, UploadConfig, UploadSessions};
use crate::{
    EndpointSet, Error, HttpClient, HttpConfig, KeyValueStore, KvStore, MemoryKeyValueStore,
    Platform, Result, Secret, TimeoutStore, TokenStore,
};

/// Default bound on targets in flight within one publish.
pub const DEFAULT_PER_PUBLISH: usize = 8;
/// Default bound on targets in flight across all publishes of a client.
pub const DEFAULT_GLOBAL: usize = 256;
/// Largest accepted value for either concurrency bound: far more targets
/// than one process can have in flight, far below what a semaphore holds.
pub const MAX_CONCURRENCY: usize = 1 << 20;

/// The error of `build` without a store when SQLite is not compiled in.
#[cfg(not(feature = "sqlite"))]
const NO_DEFAULT_STORE: &str = "CreatorSync: no token store given, and the embedded SQLite default \
     is not compiled in (feature `sqlite` of creatorsync-core is off): call .store(...) and \
     .publish_log(...), e.g. with PostgresTokenStore and its publish_log()";

/// Builds a [`CreatorSync`]. Every setting has a default except the app
/// credentials (per platform you publish to) and the state secret.
///
/// Storage: give a store with [`CreatorSyncBuilder::store`] (and a publish
/// log with [`CreatorSyncBuilder::publish_log`]), or let the builder open the
/// embedded default, an encrypted SQLite file (`CreatorSyncBuilder::sqlite`,
/// default path `creatorsync.db`, key from `CREATORSYNC_KEY`), which holds the
/// tokens and the publish log. The default needs the `sqlite` feature (on by
/// default); without it, `build` fails with [`Error::Config`] unless a store
/// is given.
#[derive(Debug, Default)]
pub struct CreatorSyncBuilder {
    apps: Apps,
    endpoints: Option<EndpointSet>,
    http: Option<HttpConfig>,
    state_secret: Option<Secret<Vec<u8>>>,
    store: Option<Arc<dyn TokenStore>>,
    log: Option<Arc<dyn PublishLog>>,
    pending: Option<Arc<dyn PendingStore>>,
    sessions: Option<Arc<dyn UploadSessions>>,
    kv: Option<(Arc<dyn KeyValueStore>, Option<crate::store::KeyRing>)>,
    #[cfg(feature = "sqlite")]
    sqlite: Option<(PathBuf, Option<KeyRing>)>,
    upload: UploadConfig,
    poll: PollConfig,
    api_versions: BTreeMap<Platform, String>,
    token_config: TokenManagerConfig,
    per_publish: Option<usize>,
    global: Option<usize>,
    lease_ttl: Option<Duration>,
    media_host: Option<Arc<dyn crate::media_host::MediaHost>>,
    registry: Registry,
    quota_store: Option<Arc<dyn KeyValueStore>>,
    rotation: Option<Arc<dyn crate::store::KeyRotation>>,
    store_timeout: Option<Duration>,
    quota_limits: BTreeMap<(Platform, String), u32>,
    quota_wait: Duration,
    clock: Option<Arc<dyn Clock>>,
    scheduler: crate::schedule::SchedulerConfig,
    /// The job store the chosen database implies (used unless the
    /// scheduler settings name one).
    default_jobs: Option<crate::schedule::JobStore>,
}

/// How long a target's lease in the publish log lasts without renewal
/// (renewed every third of it while the target runs). A worker that dies
/// holds its targets this long before another call may look them up.
pub const DEFAULT_LEASE_TTL: Duration = Duration::from_secs(30);

impl CreatorSyncBuilder {
    /// App credentials of every platform you use.
    pub fn apps(mut self, apps: Apps) -> Self {
        self.apps = apps;
        self
    }

    /// Endpoints (default: the real platforms; the emulator's in tests).
    pub fn endpoints(mut self, endpoints: EndpointSet) -> Self {
        self.endpoints = Some(endpoints);
        self
    }

    /// HTTP settings (timeouts, retry policy).
    pub fn http(mut self, http: HttpConfig) -> Self {
        self.http = Some(http);
        self
    }

    /// The secret (≥ 32 bytes) that signs OAuth `state` values. Use the
    /// same secret on every worker that may receive a callback.
    pub fn state_secret(mut self, secret: impl Into<Vec<u8>>) -> Self {
        self.state_secret = Some(Secret::new(secret.into()));
        self
    }

    /// The token store.
    pub fn store(mut self, store: Arc<dyn TokenStore>) -> Self {
        self.store = Some(store);
        self
    }

    /// The publish log (idempotency across retries and restarts).
    pub fn publish_log(mut self, log: Arc<dyn PublishLog>) -> Self {
        self.log = Some(log);
        self
    }

    /// An opened SQLite store for tokens, the publish log (unless one was
    /// given), pending connects (unless a pending store was given) and
    /// upload sessions (unless given): what [`CreatorSyncBuilder::sqlite`]
    /// opens itself.
    #[cfg(feature = "sqlite")]
    pub fn sqlite_store(mut self, store: Arc<SqliteTokenStore>) -> Self {
        self.log
            .get_or_insert_with(|| Arc::new(store.publish_log()));
        self.pending.get_or_insert_with(|| store.clone());
        self.quota_store.get_or_insert_with(|| store.clone());
        self.sessions.get_or_insert_with(|| store.clone());
        self.rotation.get_or_insert_with(|| store.clone());
        if let Some(path) = store.path() {
            self.default_jobs = Some(crate::schedule::JobStore::sqlite(path));
        }
        self.store = Some(store);
        self
    }

    /// A connected PostgreSQL store for tokens, the publish log (unless
    /// one was given), pending connects (unless a pending store was
    /// given) and upload sessions (unless given), so every worker sharing
    /// the database shares all four.
    #[cfg(feature = "postgres")]
    pub fn postgres_store(mut self, store: Arc<crate::store::PostgresTokenStore>) -> Self {
        self.log
            .get_or_insert_with(|| Arc::new(store.publish_log()));
        self.pending.get_or_insert_with(|| store.clone());
        self.quota_store.get_or_insert_with(|| store.clone());
        self.sessions.get_or_insert_with(|| store.clone());
        self.rotation.get_or_insert_with(|| store.clone());
        self.default_jobs = Some(crate::schedule::JobStore::postgres_options(
            (*store.pool().connect_options()).clone(),
        ));
        self.store = Some(store);
        self
    }

    /// Scheduler settings: where jobs live, the event sink, poll and
    /// heartbeat intervals, retries (see [`crate::schedule`]).
    pub fn scheduler(mut self, config: crate::schedule::SchedulerConfig) -> Self {
        self.scheduler = config;
        self
    }

    /// Keep everything (tokens, pending connects, the publish log, upload
    /// sessions) in one host key-value store (a MongoDB collection,
    /// Redis…): see [`KvStore`] and `docs/storage.md`. Values are sealed
    /// with `keys` (None reads `CREATORSYNC_KEY`, as the SQLite default
    /// does). Every call of `kv` is bounded by
    /// [`crate::DEFAULT_STORE_TIMEOUT`]. A store, publish log, pending store
    /// or upload sessions given explicitly still win.
    pub fn key_value_store(
        mut self,
        kv: Arc<dyn KeyValueStore>,
        keys: Option<crate::store::KeyRing>,
    ) -> Self {
        self.kv = Some((kv, keys));
        self
    }

    /// The limit on each call of a key-value store given with
    /// [`CreatorSyncBuilder::key_value_store`] (default
    /// [`crate::DEFAULT_STORE_TIMEOUT`]).
    pub fn store_timeout(mut self, limit: Duration) -> Self {
        self.store_timeout = Some(limit);
        self
    }

    /// Fills what was not given explicitly from the key-value store, if
    /// one was given.
    fn take_key_value_store(&mut self) -> Result<()> {
        let Some((kv, keys)) = self.kv.take() else {
            return Ok(());
        };
        let keys = match keys {
            Some(k) => k,
            None => crate::store::KeyRing::from_env()?,
        };
        let limit = self.store_timeout.unwrap_or(crate::DEFAULT_STORE_TIMEOUT);
        let bounded: Arc<dyn KeyValueStore> = Arc::new(TimeoutStore::new(kv, limit)?);
        let store = Arc::new(KvStore::new(bounded.clone(), keys));
        self.quota_store.get_or_insert(bounded);
        self.rotation.get_or_insert_with(|| store.clone());
        self.log
            .get_or_insert_with(|| Arc::new(store.publish_log()));
        self.pending.get_or_insert_with(|| store.clone());
        self.sessions.get_or_insert_with(|| store.clone());
        self.store.get_or_insert(store);
        Ok(())
    }

    /// Where connects wait between `begin` and the callback (default: the
    /// embedded SQLite file when it is the store, so a callback may reach
    /// any worker sharing the file; otherwise in memory, so give a shared
    /// one when callbacks may reach another process).
    pub fn pending_store(mut self, pending: Arc<dyn PendingStore>) -> Self {
        self.pending = Some(pending);
        self
    }

    /// Where the quota ledger and the post templates are kept (default:
    /// the SQLite or PostgreSQL store when one is used, so every worker
    /// sharing it shares them; otherwise in memory).
    pub fn quota_store(mut self, kv: Arc<dyn KeyValueStore>) -> Self {
        self.quota_store = Some(kv);
        self
    }

    /// Changes the cap the SDK counts for one of a platform's quotas (a
    /// YouTube project granted more uploads, an app with a negotiated
    /// limit). Names are the platform's quota names (`posts`, `uploads`,
    /// `reels`, `video_init`: see `docs/quotas.md`); an unknown name fails
    /// `build` with [`Error::InvalidInput`].
    pub fn quota_limit(mut self, platform: Platform, bucket: &str, limit: u32) -> Self {
        self.quota_limits
            .insert((platform, bucket.to_owned()), limit);
        self
    }

    /// How long a publish may wait for a short quota window (a minute, 15
    /// minutes) to free a slot instead of failing with
    /// [`Error::QuotaExhausted`] (default: zero, fail at once).
    pub fn quota_wait(mut self, max: Duration) -> Self {
        self.quota_wait = max;
        self
    }

    /// The clock quota windows are read on (default: the system clock; a
    /// test shares the emulator's to cross a reset).
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = Some(clock);
        self
    }

    /// Where resumable upload sessions are kept (default: the SQLite,
    /// PostgreSQL or key-value store that keeps the tokens, so a restarted
    /// process resumes; in memory with a store given by
    /// [`CreatorSyncBuilder::store`]).
    pub fn upload_sessions(mut self, sessions: Arc<dyn UploadSessions>) -> Self {
        self.sessions = Some(sessions);
        self
    }

    /// Use the embedded encrypted SQLite store (tokens + publish log) at
    /// `path`; `keys` None reads `CREATORSYNC_KEY`. Ignored when a store is
    /// given with [`CreatorSyncBuilder::store`].
    #[cfg(feature = "sqlite")]
    pub fn sqlite(mut self, path: impl Into<PathBuf>, keys: Option<KeyRing>) -> Self {
        self.sqlite = Some((path.into(), keys));
        self
    }

    /// Upload tuning.
    pub fn upload(mut self, upload: UploadConfig) -> Self {
        self.upload = upload;
        self
    }

    /// Processing-status polling.
    pub fn poll(mut self, poll: PollConfig) -> Self {
        self.poll = poll;
        self
    }

    /// Pins the API version of a platform (`LinkedIn-Version` such as
    /// `202607`, Graph such as `v25.0`).
    pub fn api_version(mut self, platform: Platform, version: impl Into<String>) -> Self {
        self.api_versions.insert(platform, version.into());
        self
    }

    /// Token refresh settings.
    pub fn token_config(mut self, config: TokenManagerConfig) -> Self {
        self.token_config = config;
        self
    }

    /// Targets in flight within one publish (default 8) and across all
    /// publishes of this client (default 256). Each must be between 1 and
    /// [`MAX_CONCURRENCY`]; [`CreatorSyncBuilder::build`] fails with
    /// [`Error::InvalidInput`] otherwise.
    pub fn concurrency(mut self, per_publish: usize, global: usize) -> Self {
        self.per_publish = Some(per_publish);
        self.global = Some(global);
        self
    }

    /// How long a target's publish-log lease lasts without renewal
    /// (default [`DEFAULT_LEASE_TTL`]; 100 ms to
    /// [`crate::publish_log::MAX_LEASE_TTL`], else `build` fails with
    /// [`Error::InvalidInput`]). While one call
    /// holds a target, another with the same idempotency key gets
    /// [`Error::InProgress`]; a lease left by a crashed worker expires
    /// after this long and the next call looks the post up.
    pub fn lease_ttl(mut self, ttl: Duration) -> Self {
        self.lease_ttl = Some(ttl);
        self
    }

    /// The concurrency bounds, defaults filled in, checked.
    fn checked_concurrency(&self) -> Result<(usize, usize)> {
        let check = |field: &str, n: Option<usize>, default: usize| match n.unwrap_or(default) {
            n @ 1..=MAX_CONCURRENCY => Ok(n),
            n => Err(Error::invalid_input(
                field,
                format!("{n} is not between 1 and {MAX_CONCURRENCY}"),
            )),
        };
        Ok((
            check(
                "concurrency.per_publish",
                self.per_publish,
                DEFAULT_PER_PUBLISH,
            )?,
            check("concurrency.global", self.global, DEFAULT_GLOBAL)?,
        ))
    }

    /// Re-hosts media that has no public URL for platforms that pull media
    /// from a URL (Instagram images, TikTok photos).
    pub fn media_host(mut self, host: Arc<dyn crate::media_host::MediaHost>) -> Self {
        self.media_host = Some(host);
        self
    }

    /// Validates posts to `platform` against `caps` instead of the SDK's
    /// limits (an account allowed longer or larger uploads, say). Start
    /// from [`crate::capabilities`] and change what differs:
    ///
    /// ```
    /// use creatorsync_core::{CreatorSync, Platform, capabilities};
    /// let mut x = capabilities(Platform::X).clone();
    /// x.max_video_bytes = 8 * 1024 * 1024 * 1024;
    /// let builder = CreatorSync::builder().capabilities(Platform::X, x);
    /// # let _ = builder;
    /// ```
    pub fn capabilities(mut self, platform: Platform, caps: crate::Capabilities) -> Self {
        self.registry = self.registry.with_limits(platform, caps);
        self
    }

    /// The platform modules (default: the six; tests register their own).
    #[cfg(test)]
    pub(crate) fn registry(mut self, registry: Registry) -> Self {
        self.registry = registry;
        self
    }

    /// The given store and publish log (an in-memory log, with a warning,
    /// when only the store is given), or the embedded default.
    async fn take_stores(&mut self) -> Result<(Arc<dyn TokenStore>, Arc<dyn PublishLog>)> {
        let Some(store) = self.store.take() else {
            return self.open_default_store().await;
        };
        let log = self.log.take().unwrap_or_else(|| {
            warn!("no publish log configured: idempotency holds only within this process");
            Arc::new(MemoryPublishLog::new())
        });
        Ok((store, log))
    }

    /// The embedded SQLite file (tokens and, unless one was given, the
    /// publish log).
    #[cfg(feature = "sqlite")]
    async fn open_default_store(&mut self) -> Result<(Arc<dyn TokenStore>, Arc<dyn PublishLog>)> {
        let (path, keys) = self
            .sqlite
            .take()
            .unwrap_or_else(|| (PathBuf::from("creatorsync.db"), None));
        let keys = match keys {
            Some(k) => k,
            None => KeyRing::from_env()?,
        };
        let store = Arc::new(SqliteTokenStore::open(&path, keys).await?);
        self.default_jobs = Some(crate::schedule::JobStore::sqlite(&path));
        let log: Arc<dyn PublishLog> = match self.log.take() {
            Some(l) => l,
            None => Arc::new(store.publish_log()),
        };
        self.pending.get_or_insert_with(|| store.clone());
        self.quota_store.get_or_insert_with(|| store.clone());
        self.sessions.get_or_insert_with(|| store.clone());
        self.rotation.get_or_insert_with(|| store.clone());
        Ok((store, log))
    }

    /// Without the `sqlite` feature there is no embedded default.
    #[cfg(not(feature = "sqlite"))]
    #[allow(clippy::unused_async)] // same signature as the `sqlite` version
    async fn open_default_store(&mut self) -> Result<(Arc<dyn TokenStore>, Arc<dyn PublishLog>)> {
        Err(Error::Config(NO_DEFAULT_STORE.into()))
    }

    /// Every changed cap names a quota its platform has.
    fn check_quota_limits(&self) -> Result<()> {
        for (platform, name) in self.quota_limits.keys() {
            let known = self.registry.get(*platform)?.quotas();
            if !known.iter().any(|b| b.name == name) {
                let names: Vec<&str> = known.iter().map(|b| b.name).collect();
                return Err(Error::invalid_input(
                    format!("quota_limits.{platform}.{name}"),
                    format!("{platform} has no such quota; it has: {}", names.join(", ")),
                ));
            }
        }
        Ok(())
    }

    /// Opens the stores and builds the client.
    ///
    /// Fails with [`Error::Config`] without a state secret, or without a
    /// store when the `sqlite` feature (the embedded default) is off, and
    /// with [`Error::InvalidInput`] for a concurrency bound out of range.
    pub async fn build(mut self) -> Result<CreatorSync> {
        let lease_ttl = self.lease_ttl.unwrap_or(DEFAULT_LEASE_TTL);
        if !(Duration::from_millis(100)..=crate::publish_log::MAX_LEASE_TTL).contains(&lease_ttl) {
            return Err(Error::invalid_input(
                "lease_ttl",
                "the publish-log lease must last from 100 ms to 24 h",
            ));
        }
        let (per_publish, global) = self.checked_concurrency()?;
        self.check_quota_limits()?;
        let endpoints = self.endpoints.take().unwrap_or_default();
        let http = HttpClient::new(self.http.take().unwrap_or_default())?;
        let secret = self.state_secret.take().ok_or_else(|| {
            Error::Config("CreatorSync: a state secret (≥ 32 bytes) is required".into())
        })?;
        self.take_key_value_store()?;
        let (store, log) = self.take_stores().await?;
        let mut connector = Connector::builder();
        if let Some(pending) = self.pending.take() {
            connector = connector.pending_store(pending);
        }
        let mut connector = connector
            .apps(self.apps.clone())
            .store(store.clone())
            .endpoints(endpoints.clone())
            .http(http.clone())
            .state_secret(secret.expose().clone())
            .token_config(self.token_config)
            .registry(self.registry.clone());
        for (platform, version) in &self.api_versions {
            connector = connector.api_version(*platform, version.clone());
        }
        let connector = connector.build()?;
        for stale in self
            .registry
            .stale_versions(chrono::Utc::now().date_naive())
        {
            warn!("{stale}");
        }
        let extras = ClientExtras {
            media_host: self.media_host.clone(),
        };
        let mut clients: BTreeMap<ClientKey, Arc<dyn PlatformClient>> = BTreeMap::new();
        for module in self.registry.iter() {
            let (platform, login) = (module.platform(), module.login());
            let Ok(app) = self.apps.app_of(platform, login) else {
                continue;
            };
            let cfg = ClientConfig {
                http: http.clone(),
                endpoints: endpoints.get_login(platform, login).clone(),
                client_id: app.client_id.clone(),
                client_secret: app.client_secret.clone().unwrap_or_default(),
                consumer: self
                    .apps
                    .x_consumer()
                    .ok()
                    .filter(|_| module.oauth1().is_some())
                    .map(|c| (c.key.clone(), c.secret.clone())),
                api_version: self.api_versions.get(&platform).cloned(),
                upload: self.upload.clone(),
                poll: self.poll.clone(),
            };
            clients.insert((platform, login), module.client(cfg, &extras));
        }
        let clock = self.clock.take().unwrap_or_else(|| Arc::new(SystemClock));
        let shared_kv: Arc<dyn KeyValueStore> = self
            .quota_store
            .take()
            .unwrap_or_else(|| Arc::new(MemoryKeyValueStore::new()));
        let templates = crate::templates::TemplateStore::new(shared_kv.clone());
        let ledger = Ledger::new(
            shared_kv,
            clock.clone(),
            std::mem::take(&mut self.quota_limits),
        );
        Ok(CreatorSync {
            inner: Arc::new(Inner {
                connector,
                store,
                log,
                sessions: self
                    .sessions
                    .unwrap_or_else(|| Arc::new(MemoryUploadSessions::new())),
                clients,
                registry: self.registry.clone(),
                lease_ttl,
                global: Arc::new(Semaphore::new(global)),
                per_publish,
                ledger,
                templates,
                clock,
                rotation: self.rotation.take(),
                quota_wait: self.quota_wait,
                jobs: {
                    let mut jobs = crate::schedule::Jobs::new(std::mem::take(&mut self.scheduler));
                    if let Some(d) = self.default_jobs.take() {
                        jobs.default_store(d);
                    }
                    jobs
                },
            }),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(not(feature = "sqlite"))]
    #[tokio::test]
    async fn without_sqlite_a_missing_store_is_a_config_error() {
        let err = CreatorSync::builder()
            .state_secret([7u8; 32])
            .build()
            .await
            .expect_err("no store and no SQLite default");
        assert!(matches!(err, Error::Config(_)), "{err:?}");
        assert!(err.to_string().contains("sqlite"), "{err}");
    }

    #[tokio::test]
    async fn concurrency_out_of_range_is_invalid_input() {
        let build = |per_publish, global| {
            CreatorSync::builder()
                .state_secret([7u8; 32])
                .store(Arc::new(crate::MemoryTokenStore::new()))
                .publish_log(Arc::new(MemoryPublishLog::new()))
                .concurrency(per_publish, global)
                .build()
        };
        for (per_publish, global, field) in [
            (0, 1, "per_publish"),
            (1, 0, "global"),
            (1, 1 << 62, "global"),
            (usize::MAX, 1, "per_publish"),
            (MAX_CONCURRENCY + 1, 1, "per_publish"),
        ] {
            match build(per_publish, global).await {
                Err(Error::InvalidInput { field: f, .. }) => {
                    assert!(f.ends_with(field), "({per_publish}, {global}): {f}")
                }
                other => panic!("({per_publish}, {global}): {:?}", other.map(|_| ())),
            }
        }
        for (per_publish, global) in [(1, 1), (MAX_CONCURRENCY, MAX_CONCURRENCY)] {
            assert!(build(per_publish, global).await.is_ok());
        }
    }

    #[tokio::test]
    async fn a_given_store_needs_no_default() {
        let sync = CreatorSync::builder()
            .state_secret([7u8; 32])
            .store(Arc::new(crate::MemoryTokenStore::new()))
            .publish_log(Arc::new(MemoryPublishLog::new()))
            .build()
            .await;
        assert!(sync.is_ok(), "{:?}", sync.err());
    }

    #[tokio::test]
    async fn a_key_value_store_fills_only_what_was_not_given() {
        let kv = Arc::new(crate::MemoryKeyValueStore::new());
        let keys = crate::store::KeyRing::new("k1", &[7u8; 32]).unwrap();
        let log: Arc<dyn PublishLog> = Arc::new(MemoryPublishLog::new());
        let sessions: Arc<dyn UploadSessions> = Arc::new(MemoryUploadSessions::new());
        let sync = CreatorSync::builder()
            .state_secret([7u8; 32])
            .publish_log(log.clone())
            .key_value_store(kv.clone(), Some(keys.clone()))
            .upload_sessions(sessions.clone())
            .build()
            .await
            .unwrap();
        assert!(Arc::ptr_eq(&sync.inner.log, &log), "the given log wins");
        assert!(
            Arc::ptr_eq(&sync.inner.sessions, &sessions),
            "given sessions win"
        );
        assert!(format!("{:?}", sync.inner.store).contains("KvStore"));

        // Alone, it keeps all four: a session saved through the client's
        // sessions is in the key-value store.
        let sync = CreatorSync::builder()
            .state_secret([7u8; 32])
            .key_value_store(kv.clone(), Some(keys))
            .build()
            .await
            .unwrap();
        sync.inner
            .sessions
            .save("job:x:0", &serde_json::json!({"segment": 1}))
            .await
            .unwrap();
        assert!(
            kv.get("creatorsync/upload/job:x:0")
                .await
                .unwrap()
                .is_some()
        );
        assert!(format!("{:?}", sync.inner.log).contains("KvPublishLog"));
    }
}
