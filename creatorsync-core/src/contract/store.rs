//! Where tokens, the publish log and pending connects live: `store`
//! (`"memory"`), `sqlite` or `postgres`, each with its key ring.

use base64::Engine as _;
use schemars::JsonSchema;
use serde::Deserialize;

use super::SecretString;
use crate::{Error, KeyRing, Result};

/// Postgres pool bounds accepted by the contract.
pub const MAX_POOL_CONNECTIONS: u32 = 10_000;

/// `store`: a built-in store by name. A host store object (an object with
/// async get/put/list/delete) is converted by the binding and given
/// beside the options.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum StoreName {
    /// Tokens, publish log and pending connects in this process's memory
    /// (lost on restart; one worker only).
    Memory,
    /// The embedded encrypted SQLite file (`creatorsync.db`, key from
    /// `CREATORSYNC_KEY`): the default, as in the Rust builder.
    Sqlite,
}

/// The encryption keys of a built-in store: one `key` (with `key_id`,
/// default `k1`), or a ring `keys` whose first entry encrypts new writes
/// and whose others only decrypt older rows (key rotation). Neither:
/// `CREATORSYNC_KEY` (and `CREATORSYNC_KEY_ID`).
#[derive(Clone, Copy, Debug)]
struct KeysOption<'a> {
    key: Option<&'a SecretString>,
    key_id: Option<&'a str>,
    keys: Option<&'a [NamedKeyOption]>,
}

/// One key of a ring.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NamedKeyOption {
    /// The key id stored beside each row.
    pub id: String,
    /// Base64 of 32 random bytes.
    pub key: SecretString,
}

impl KeysOption<'_> {
    /// The key ring (errors name `{field}.key…`, never the key).
    fn to_ring(self, field: &str) -> Result<KeyRing> {
        let bad = |f: &str, e: Error| match e {
            Error::InvalidInput { message, .. } => {
                Error::invalid_input(format!("{field}.{f}"), message)
            }
            other => other,
        };
        match (self.key, self.keys) {
            (Some(_), Some(_)) => Err(Error::invalid_input(
                format!("{field}.keys"),
                "give `key` or `keys`, not both",
            )),
            (Some(k), None) => KeyRing::from_base64(self.key_id.unwrap_or("k1"), k.expose())
                .map_err(|e| bad("key", e)),
            (None, Some(keys)) => {
                if self.key_id.is_some() {
                    return Err(Error::invalid_input(
                        format!("{field}.key_id"),
                        "each entry of `keys` has its own id",
                    ));
                }
                let Some((first, older)) = keys.split_first() else {
                    return Err(Error::invalid_input(
                        format!("{field}.keys"),
                        "must not be empty",
                    ));
                };
                let mut ring = KeyRing::from_base64(first.id.clone(), first.key.expose())
                    .map_err(|e| bad("keys[0]", e))?;
                for (i, k) in older.iter().enumerate() {
                    let f = format!("keys[{}]", i + 1);
                    let bytes = base64::engine::general_purpose::STANDARD
                        .decode(k.key.expose().trim())
                        .map_err(|_| {
                            Error::invalid_input(format!("{field}.{f}.key"), "not base64")
                        })?;
                    ring = ring
                        .with_old_key(k.id.clone(), &bytes)
                        .map_err(|e| bad(&f, e))?;
                }
                Ok(ring)
            }
            (None, None) => {
                if self.key_id.is_some() {
                    return Err(Error::invalid_input(
                        format!("{field}.key_id"),
                        "given without `key`",
                    ));
                }
                KeyRing::from_env()
            }
        }
    }
}

/// `sqlite`: the embedded encrypted SQLite file.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SqliteOption {
    /// The database file (created if missing).
    pub path: String,
    /// Base64 of 32 random bytes (default: `CREATORSYNC_KEY`).
    #[serde(default)]
    pub key: Option<SecretString>,
    /// The id of `key` (default `k1`).
    #[serde(default)]
    pub key_id: Option<String>,
    /// Several keys for rotation, the active one first (instead of `key`).
    #[serde(default)]
    pub keys: Option<Vec<NamedKeyOption>>,
}

/// `postgres`: tokens, publish log and pending connects in PostgreSQL,
/// shared by every worker.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PostgresOption {
    /// `postgres://user:password@host/db` (never echoed: errors quote it
    /// with the password redacted).
    pub url: SecretString,
    /// Base64 of 32 random bytes (default: `CREATORSYNC_KEY`).
    #[serde(default)]
    pub key: Option<SecretString>,
    /// The id of `key` (default `k1`).
    #[serde(default)]
    pub key_id: Option<String>,
    /// Several keys for rotation, the active one first (instead of `key`).
    #[serde(default)]
    pub keys: Option<Vec<NamedKeyOption>>,
    /// Pool size of this process, 1 to 10000 (default 10).
    #[serde(default)]
    pub max_connections: Option<u32>,
    /// How long a call waits for a free connection, in milliseconds
    /// (default 30000).
    #[serde(default)]
    pub acquire_timeout_ms: Option<f64>,
}

impl PostgresOption {
    /// Checks the pool bounds (before connecting).
    pub(crate) fn check(&self) -> Result<()> {
        if let Some(n) = self.max_connections
            && !(1..=MAX_POOL_CONNECTIONS).contains(&n)
        {
            return Err(Error::invalid_input(
                "postgres.max_connections",
                format!("an integer from 1 to {MAX_POOL_CONNECTIONS}"),
            ));
        }
        if let Some(ms) = self.acquire_timeout_ms
            && !(ms.is_finite() && ms > 0.0 && ms <= 86_400_000.0)
        {
            return Err(Error::invalid_input(
                "postgres.acquire_timeout_ms",
                "a positive number of milliseconds (at most a day)",
            ));
        }
        Ok(())
    }
}

impl SqliteOption {
    /// The key ring (`CREATORSYNC_KEY` when no key is given).
    pub fn key_ring(&self) -> Result<KeyRing> {
        KeysOption {
            key: self.key.as_ref(),
            key_id: self.key_id.as_deref(),
            keys: self.keys.as_deref(),
        }
        .to_ring("sqlite")
    }
}

impl PostgresOption {
    /// The key ring (`CREATORSYNC_KEY` when no key is given).
    pub fn key_ring(&self) -> Result<KeyRing> {
        KeysOption {
            key: self.key.as_ref(),
            key_id: self.key_id.as_deref(),
            keys: self.keys.as_deref(),
        }
        .to_ring("postgres")
    }
}

/// The key ring sealing the secrets a host store object keeps (default:
/// `CREATORSYNC_KEY`): one `key` (base64 of 32 bytes, id `key_id`,
/// default `k1`) or `keys`, the first active and the rest still readable.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StoreKeysOption {
    /// The key (base64 of 32 bytes).
    #[serde(default)]
    pub key: Option<SecretString>,
    /// Its id (default `k1`).
    #[serde(default)]
    pub key_id: Option<String>,
    /// Several keys, the first active.
    #[serde(default)]
    pub keys: Option<Vec<NamedKeyOption>>,
}

impl StoreKeysOption {
    /// The key ring.
    pub fn key_ring(&self) -> Result<KeyRing> {
        KeysOption {
            key: self.key.as_ref(),
            key_id: self.key_id.as_deref(),
            keys: self.keys.as_deref(),
        }
        .to_ring("store_keys")
    }
}
