//! What the SQLite and PostgreSQL token stores do alike once a row's
//! columns are in hand: the swappable key ring, building a [`StoredToken`]
//! from column values, preparing the values `put` writes, and re-sealing one
//! row for a key rotation. The SQL, transactions and column types stay in
//! each backend; this module never touches a connection.

use std::str::FromStr;
use std::sync::{Arc, RwLock};

use chrono::{DateTime, Utc};
use zeroize::Zeroizing;

use super::codec::{open_credential, seal_credential};
#[cfg(any(feature = "sqlite", feature = "postgres"))]
use super::codec::{reseal, u64_from_sql};
use super::crypto::{KeyRing, Sealed};
use crate::{AccountKey, Error, Platform, Result, StoredToken};

/// The store's key ring, shared by clones of a store handle and replaced
/// whole by a key rotation.
#[derive(Clone)]
pub(crate) struct KeyHolder(Arc<RwLock<Arc<KeyRing>>>);

impl KeyHolder {
    pub(crate) fn new(keys: KeyRing) -> Self {
        Self(Arc::new(RwLock::new(Arc::new(keys))))
    }

    /// The current ring.
    pub(crate) fn current(&self) -> Arc<KeyRing> {
        // A poisoned lock still holds a valid ring (it is only ever swapped).
        match self.0.read() {
            Ok(g) => Arc::clone(&g),
            Err(p) => Arc::clone(&p.into_inner()),
        }
    }

    /// Makes `ring` the current ring (after its rotation has committed).
    pub(crate) fn replace(&self, ring: Arc<KeyRing>) {
        match self.0.write() {
            Ok(mut g) => *g = ring,
            Err(p) => *p.into_inner() = ring,
        }
    }
}

#[cfg(any(feature = "sqlite", feature = "postgres"))]
/// Logs key ids used by stored rows that the ring lacks: those rows fail
/// with [`Error::Key`] until the key is configured.
pub(crate) fn warn_unknown_keys(ring: &KeyRing, in_use: &[String]) {
    for key_id in in_use {
        if !ring.has_key(key_id) {
            tracing::warn!(
                key_id = %key_id,
                "token store rows are encrypted with a key that is not configured; they cannot be read"
            );
        }
    }
}

/// A row's identity and sealed credential, as read from the database.
pub(crate) struct SealedRow {
    pub(crate) user_id: String,
    pub(crate) platform: String,
    pub(crate) account_id: String,
    /// The row version, bound into the ciphertext's associated data.
    pub(crate) version: u64,
    pub(crate) key_id: String,
    pub(crate) nonce: Vec<u8>,
    pub(crate) ciphertext: Vec<u8>,
}

#[cfg(any(feature = "sqlite", feature = "postgres"))]
impl SealedRow {
    /// Reads the seven columns with the backend's readers of a text, an
    /// integer and a bytes column.
    pub(crate) fn read(
        text: impl Fn(&str) -> Result<String>,
        int: impl Fn(&str) -> Result<i64>,
        bytes: impl Fn(&str) -> Result<Vec<u8>>,
    ) -> Result<Self> {
        Ok(Self {
            user_id: text("user_id")?,
            platform: text("platform")?,
            account_id: text("account_id")?,
            version: u64_from_sql(int("version")?)?,
            key_id: text("key_id")?,
            nonce: bytes("nonce")?,
            ciphertext: bytes("ciphertext")?,
        })
    }

    #[cfg(any(feature = "sqlite", feature = "postgres"))]
    /// Re-encrypts this row's credential under the ring's active key (key
    /// rotation), for the same row version: the new key id and nonce, and
    /// the new ciphertext.
    pub(crate) fn reseal(&self, ring: &KeyRing) -> Result<(Sealed, Zeroizing<Vec<u8>>)> {
        let id = [
            self.user_id.as_str(),
            self.platform.as_str(),
            self.account_id.as_str(),
        ];
        reseal(
            ring,
            &id,
            self.version,
            &self.key_id,
            &self.nonce,
            &self.ciphertext,
        )
    }
}

/// The plain columns of a token row, as read from the database
/// (`profile` and `metadata` as JSON text).
pub(crate) struct PlainColumns {
    pub(crate) profile: String,
    pub(crate) metadata: String,
    pub(crate) updated_at: DateTime<Utc>,
    pub(crate) needs_reauth: bool,
}

/// Builds a [`StoredToken`] from a row's columns, decrypting its
/// credential. `backend` ("sqlite", "postgres") prefixes error messages.
pub(crate) fn decode_token(
    backend: &str,
    ring: &KeyRing,
    sealed: SealedRow,
    plain: PlainColumns,
) -> Result<StoredToken> {
    let key = AccountKey {
        user_id: sealed.user_id,
        platform: Platform::from_str(&sealed.platform)
            .map_err(|_| Error::store(format!("{backend}: unknown platform in tokens row")))?,
        account_id: sealed.account_id,
    };
    let credential = open_credential(
        ring,
        &key,
        sealed.version,
        &sealed.key_id,
        &sealed.nonce,
        &sealed.ciphertext,
    )?;
    Ok(StoredToken {
        key,
        credential,
        profile: serde_json::from_str(&plain.profile)
            .map_err(|e| Error::store(format!("{backend}: bad profile column: {e}")))?,
        version: sealed.version,
        updated_at: plain.updated_at,
        needs_reauth: plain.needs_reauth,
        metadata: serde_json::from_str(&plain.metadata)
            .map_err(|e| Error::store(format!("{backend}: bad metadata column: {e}")))?,
    })
}

/// The values `put` writes for a token: its credential sealed under the
/// ring's active key for the row version the write gives it, and its
/// profile and metadata as JSON text.
pub(crate) struct EncodedToken {
    pub(crate) sealed: Sealed,
    pub(crate) ciphertext: Zeroizing<Vec<u8>>,
    pub(crate) profile: String,
    pub(crate) metadata: String,
}

pub(crate) fn encode_token(
    ring: &KeyRing,
    token: &StoredToken,
    version: u64,
) -> Result<EncodedToken> {
    let (sealed, ciphertext) = seal_credential(ring, &token.key, version, &token.credential)?;
    let profile = serde_json::to_string(&token.profile)
        .map_err(|e| Error::store(format!("cannot serialize profile: {e}")))?;
    let metadata = serde_json::to_string(&token.metadata)
        .map_err(|e| Error::store(format!("cannot serialize metadata: {e}")))?;
    Ok(EncodedToken {
        sealed,
        ciphertext,
        profile,
        metadata,
    })
}

/// Puts tokens in key order (platform enum order), as every store lists
/// them.
pub(crate) fn sort_by_key(tokens: &mut [StoredToken]) {
    tokens.sort_by(|a, b| a.key.cmp(&b.key));
}

/// A `kv` row's value and version column as a [`crate::Versioned`].
#[cfg(any(feature = "sqlite", feature = "postgres"))]
pub(crate) fn kv_row(value: String, version: i64) -> Result<crate::Versioned> {
    Ok(crate::Versioned {
        value,
        version: u64_from_sql(version)?,
    })
}

/// What a compare-and-swap `put` on a `kv` table answers: `version` when
/// its statement wrote the row, else [`Error::Conflict`] with the version
/// stored now (`None` when the key is gone).
#[cfg(any(feature = "sqlite", feature = "postgres"))]
pub(crate) async fn kv_put_outcome(
    store: &dyn crate::KeyValueStore,
    key: &str,
    wrote: bool,
    version: u64,
) -> Result<u64> {
    if wrote {
        return Ok(version);
    }
    let current = store.get(key).await?.map(|v| v.version);
    Err(Error::Conflict {
        current_version: current,
    })
}
