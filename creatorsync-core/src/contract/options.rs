//! The client options: everything a binding's constructor takes, with
//! the one set of defaults and checks, and [`ClientOptions::builder`]
//! turning them into a [`CreatorSyncBuilder`] (stores opened here, not in
//! the bindings).

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::Value;

use super::{
    AppsOption, EndpointsOption, MediaHostOption, PostgresOption, SecretString, SqliteOption,
    StoreKeysOption, StoreName,
};
use crate::{
    CreatorSyncBuilder, DEFAULT_STORE_TIMEOUT, Error, KeyValueStore, MAX_CONCURRENCY,
    MemoryTokenStore, Platform, Result, TimeoutStore,
};

/// Shortest accepted state secret, in bytes.
pub const MIN_STATE_SECRET: usize = 32;

/// The options of a client, as both bindings take them (camelCase or
/// snake_case keys). An unknown option is an error.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ClientOptions {
    /// The OAuth apps (`"emulator"` for the emulator's test apps).
    #[serde(default)]
    pub apps: Option<AppsOption>,
    /// The platforms' base URLs (default: production). The emulator's
    /// JSON line can be given as it is.
    #[serde(default)]
    pub endpoints: Option<EndpointsOption>,
    /// Signs OAuth `state` (at least 32 bytes; the same on every worker
    /// that may receive a callback). Required.
    pub state_secret: SecretString,
    /// `"memory"`, or `"sqlite"` (the default: the embedded encrypted
    /// file `creatorsync.db`, key from `CREATORSYNC_KEY`). A host store
    /// object is given beside the options by the binding.
    #[serde(default)]
    pub store: Option<StoreName>,
    /// The embedded encrypted SQLite file at a path of your choice.
    #[serde(default)]
    pub sqlite: Option<SqliteOption>,
    /// PostgreSQL, shared by every worker.
    #[serde(default)]
    pub postgres: Option<PostgresOption>,
    /// The key ring sealing the secrets a host store object keeps
    /// (default: `CREATORSYNC_KEY`); only with a store object.
    #[serde(default)]
    pub store_keys: Option<StoreKeysOption>,
    /// Limit on each call of a host store, in milliseconds (default
    /// 30000).
    #[serde(default)]
    pub store_timeout_ms: Option<f64>,
    /// Targets in flight per publish and across all publishes.
    #[serde(default)]
    pub concurrency: Option<ConcurrencyOption>,
    /// How long a target's publish-log lease lasts without renewal, in
    /// milliseconds (default 30000; 100 ms to 24 h).
    #[serde(default)]
    pub lease_ttl_ms: Option<u64>,
    /// Where media without a public URL is put for platforms that pull
    /// media from a URL (Instagram images, TikTok photos).
    #[serde(default)]
    pub media_host: Option<MediaHostOption>,
    /// Pinned API versions per platform (`{"linkedin": "202607"}`).
    #[serde(default)]
    pub api_versions: Option<BTreeMap<String, String>>,
    /// Caps counted for the platforms' quotas, per platform and quota
    /// name (`{"youtube": {"uploads": 500}}` for a project granted more;
    /// names in docs/quotas.md).
    #[serde(default)]
    pub quota_limits: Option<BTreeMap<String, BTreeMap<String, u32>>>,
    /// Where scheduled posts' jobs live and how workers poll (default:
    /// beside the store; required with `store: "memory"` or a store
    /// object).
    #[serde(default)]
    pub scheduler: Option<super::schedule::SchedulerOption>,
}

/// Concurrency bounds (each 1 to 2^20).
#[derive(Clone, Copy, Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ConcurrencyOption {
    /// Targets in flight within one publish (default 8).
    #[serde(default)]
    pub per_publish: Option<u64>,
    /// Targets in flight across all publishes of the client (default 256).
    #[serde(default)]
    pub global: Option<u64>,
}

/// A host store the binding converted, given beside the options: the
/// key-value contract from which the core builds tokens, pending
/// connects, the publish log, upload sessions and the quota ledger.
pub type GivenStore = Arc<dyn KeyValueStore>;

impl ClientOptions {
    /// Reads and checks the options (camelCase or snake_case keys): every
    /// mistake is an [`Error::InvalidInput`] naming the option, before any
    /// store is opened or request sent.
    pub fn from_json(v: Value) -> Result<Self> {
        let options: Self = super::parse("options", v)?;
        options.check()?;
        Ok(options)
    }

    /// Whether the options choose a store (`store`, `sqlite` or
    /// `postgres`), so a binding given a store object too can refuse both.
    pub fn names_a_store(&self) -> bool {
        self.store.is_some() || self.sqlite.is_some() || self.postgres.is_some()
    }

    /// The limit on each call of a host store.
    pub fn store_timeout(&self) -> Result<Duration> {
        match self.store_timeout_ms {
            None => Ok(DEFAULT_STORE_TIMEOUT),
            Some(ms) => {
                TimeoutStore::<MemoryTokenStore>::limit_from_secs("store_timeout_ms", ms / 1000.0)
            }
        }
    }

    fn check(&self) -> Result<()> {
        if self.state_secret.expose().len() < MIN_STATE_SECRET {
            return Err(Error::invalid_input(
                "state_secret",
                format!("must be at least {MIN_STATE_SECRET} bytes"),
            ));
        }
        let stores = [
            self.store.is_some(),
            self.sqlite.is_some(),
            self.postgres.is_some(),
        ];
        if stores.iter().filter(|x| **x).count() > 1 {
            return Err(Error::invalid_input(
                "store",
                "give one of `store`, `sqlite` or `postgres`",
            ));
        }
        if let Some(apps) = &self.apps {
            apps.to_apps()?;
        }
        if let Some(e) = &self.endpoints {
            e.to_set()?;
        }
        if let Some(pg) = &self.postgres {
            pg.check()?;
        }
        if let Some(h) = &self.media_host {
            h.to_host()?;
        }
        self.store_timeout()?;
        if let Some(s) = &self.scheduler {
            s.to_config()?;
        }
        if let Some(c) = self.concurrency {
            for (field, n) in [
                ("concurrency.per_publish", c.per_publish),
                ("concurrency.global", c.global),
            ] {
                if let Some(n) = n
                    && !(1..=MAX_CONCURRENCY as u64).contains(&n)
                {
                    return Err(Error::invalid_input(
                        field,
                        format!("{n} is not between 1 and {MAX_CONCURRENCY}"),
                    ));
                }
            }
        }
        if let Some(ms) = self.lease_ttl_ms
            && !(100..=crate::publish_log::MAX_LEASE_TTL.as_millis()).contains(&u128::from(ms))
        {
            return Err(Error::invalid_input(
                "lease_ttl_ms",
                "the publish-log lease must last from 100 ms to 24 h",
            ));
        }
        for name in self.api_versions.iter().flat_map(BTreeMap::keys) {
            name.parse::<Platform>().map_err(|_| {
                Error::invalid_input(format!("api_versions.{name}"), "unknown platform")
            })?;
        }
        Ok(())
    }

    /// A builder with everything set: apps, endpoints, state secret, the
    /// store (`given`, a host store the binding converted, else the one
    /// the options name, else the embedded SQLite default, opened by
    /// `build`), concurrency, lease, media host, API versions.
    ///
    /// Errors: [`Error::InvalidInput`] for a bad option (also when both
    /// `given` and a store option are present), [`Error::Config`] for a
    /// store this build lacks, a store error when PostgreSQL cannot be
    /// reached.
    pub async fn builder(&self, given: Option<GivenStore>) -> Result<CreatorSyncBuilder> {
        self.check()?;
        let mut b = crate::CreatorSync::builder()
            .state_secret(self.state_secret.expose().as_bytes().to_vec());
        if let Some(apps) = &self.apps {
            b = b.apps(apps.to_apps()?);
        }
        if let Some(e) = &self.endpoints {
            b = b.endpoints(e.to_set()?);
        }
        if let Some(c) = self.concurrency {
            let n = |v: Option<u64>, d: usize| {
                v.map_or(d, |v| usize::try_from(v).unwrap_or(usize::MAX))
            };
            b = b.concurrency(
                n(c.per_publish, crate::DEFAULT_PER_PUBLISH),
                n(c.global, crate::DEFAULT_GLOBAL),
            );
        }
        if let Some(ms) = self.lease_ttl_ms {
            b = b.lease_ttl(Duration::from_millis(ms));
        }
        if let Some(h) = &self.media_host {
            b = b.media_host(h.to_host()?);
        }
        for (name, version) in self.api_versions.iter().flatten() {
            b = b.api_version(name.parse()?, version.clone());
        }
        for (name, caps) in self.quota_limits.iter().flatten() {
            let platform: Platform = name.parse().map_err(|_| {
                Error::invalid_input(format!("quota_limits.{name}"), "unknown platform")
            })?;
            for (bucket, cap) in caps {
                b = b.quota_limit(platform, bucket, *cap);
            }
        }
        if let Some(s) = &self.scheduler {
            b = b.scheduler(s.to_config()?);
        }
        if given.is_some() && self.names_a_store() {
            return Err(Error::invalid_input(
                "store",
                "give a store object or a store option, not both",
            ));
        }
        if let Some(store) = given {
            let keys = self
                .store_keys
                .as_ref()
                .map(StoreKeysOption::key_ring)
                .transpose()?;
            return Ok(b
                .store_timeout(self.store_timeout()?)
                .key_value_store(store, keys));
        }
        if self.store_keys.is_some() {
            return Err(Error::invalid_input(
                "store_keys",
                "seals a store object's secrets: give it with a store object only",
            ));
        }
        self.apply_store(b).await
    }

    /// Builds the client ([`ClientOptions::builder`], then `build`).
    pub async fn build(&self, given: Option<GivenStore>) -> Result<crate::CreatorSync> {
        self.builder(given).await?.build().await
    }

    async fn apply_store(&self, b: CreatorSyncBuilder) -> Result<CreatorSyncBuilder> {
        if self.store == Some(StoreName::Memory) {
            return Ok(b.store(Arc::new(MemoryTokenStore::new())));
        }
        if let Some(pg) = &self.postgres {
            return postgres(b, pg).await;
        }
        sqlite(b, self.sqlite.as_ref())
    }
}

#[cfg(feature = "sqlite")]
fn sqlite(b: CreatorSyncBuilder, o: Option<&SqliteOption>) -> Result<CreatorSyncBuilder> {
    Ok(match o {
        Some(o) => b.sqlite(o.path.clone(), Some(o.key_ring()?)),
        // The builder's own default: `creatorsync.db`, CREATORSYNC_KEY.
        None => b,
    })
}

#[cfg(not(feature = "sqlite"))]
fn sqlite(b: CreatorSyncBuilder, o: Option<&SqliteOption>) -> Result<CreatorSyncBuilder> {
    match o {
        Some(_) => Err(Error::Config(
            "sqlite: this build of creatorsync-core lacks the `sqlite` feature".into(),
        )),
        None => Ok(b),
    }
}

#[cfg(feature = "postgres")]
async fn postgres(b: CreatorSyncBuilder, o: &PostgresOption) -> Result<CreatorSyncBuilder> {
    let mut options = crate::PostgresOptions::default();
    if let Some(n) = o.max_connections {
        options = options.max_connections(n);
    }
    if let Some(ms) = o.acquire_timeout_ms {
        options = options.acquire_timeout(Duration::from_secs_f64(ms / 1000.0));
    }
    let store =
        crate::PostgresTokenStore::connect_with(o.url.expose(), o.key_ring()?, options).await?;
    Ok(b.postgres_store(Arc::new(store)))
}

#[cfg(not(feature = "postgres"))]
#[allow(clippy::unused_async)] // same signature as the `postgres` version
async fn postgres(_: CreatorSyncBuilder, _: &PostgresOption) -> Result<CreatorSyncBuilder> {
    Err(Error::Config(
        "postgres: this build of creatorsync-core lacks the `postgres` feature".into(),
    ))
}
