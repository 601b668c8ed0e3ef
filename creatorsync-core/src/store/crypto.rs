//! Encryption of stored credentials: [`KeyRing`] and AES-256-GCM sealing.
//!
//! Every write uses the ring's *active* key and a fresh random 96-bit nonce;
//! older keys stay in the ring only to read rows written before a rotation.
//! The associated data binds a ciphertext to its row identity (user id,
//! platform, account id), its key id and the row version it was written
//! for, so a ciphertext copied into another row, relabelled with another
//! key id, or put back into its own row after a later write (a rollback to
//! an older token), fails to decrypt.
//!
//! The stored nonce carries the sealing format: 13 bytes, a format byte
//! ([`FORMAT_V2`]) then the 12-byte nonce. A 12-byte nonce is a row written
//! before the version was bound ([`FORMAT_V1`]: associated data without the
//! version); it is still read, and re-sealed in the current format by the
//! next write or key rotation.

use std::fmt;

use aes_gcm::aead::rand_core::RngCore as _;
use aes_gcm::aead::{AeadCore, AeadInPlace, KeyInit, OsRng};
use aes_gcm::{Aes256Gcm, Key as AesKey, Nonce};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use zeroize::Zeroizing;

use crate::{Error, Result, Secret};

/// Environment variable holding the active key: base64 of 32 bytes.
pub const KEY_ENV: &str = "CREATORSYNC_KEY";
/// Environment variable naming the active key (default [`DEFAULT_KEY_ID`]).
pub const KEY_ID_ENV: &str = "CREATORSYNC_KEY_ID";
/// Key id used by [`KeyRing::from_env`] when `CREATORSYNC_KEY_ID` is unset.
pub const DEFAULT_KEY_ID: &str = "k1";
/// Length of an AES-256 key in bytes.
pub const KEY_LEN: usize = 32;
/// Length of an AES-GCM nonce in bytes.
pub(crate) const NONCE_LEN: usize = 12;
/// Length of the GCM authentication tag appended to each ciphertext.
const TAG_LEN: usize = 16;
/// Rows sealed before the row version was bound: the stored nonce is the
/// bare 12-byte nonce and the associated data has no version.
const FORMAT_V1: &[u8] = b"creatorsync/token/v1";
/// The current format: the stored nonce is `[2] + nonce`, and the
/// associated data ends with the row version.
const FORMAT_V2: u8 = 2;
const FORMAT_V2_TAG: &[u8] = b"creatorsync/token/v2";

/// One named 32-byte key. The bytes are zeroized on drop.
#[derive(Clone)]
struct NamedKey {
    id: String,
    bytes: Secret<[u8; KEY_LEN]>,
}

impl NamedKey {
    fn new(id: impl Into<String>, bytes: &[u8]) -> Result<Self> {
        let id = id.into();
        check_key_id(&id)?;
        let array: [u8; KEY_LEN] = bytes.try_into().map_err(|_| {
            Error::invalid_input(
                "key",
                format!(
                    "key {id:?} must be exactly {KEY_LEN} bytes, got {}",
                    bytes.len()
                ),
            )
        })?;
        Ok(Self {
            id,
            bytes: Secret::new(array),
        })
    }

    fn cipher(&self) -> Aes256Gcm {
        Aes256Gcm::new(AesKey::<Aes256Gcm>::from_slice(self.bytes.expose()))
    }
}

fn check_key_id(id: &str) -> Result<()> {
    if id.is_empty() || id.len() > 64 {
        return Err(Error::invalid_input("key_id", "must be 1 to 64 bytes long"));
    }
    if !id
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    {
        return Err(Error::invalid_input(
            "key_id",
            "may only contain ASCII letters, digits, '-', '_' and '.'",
        ));
    }
    Ok(())
}

/// The keys that encrypt stored credentials: one active key for writing, and
/// older keys kept only to read rows written before a rotation.
///
/// Key bytes live in [`Secret`] (zeroized on drop); `Debug` shows key ids
/// only.
///
/// ```
/// use creatorsync_core::store::KeyRing;
/// let ring = KeyRing::new("k2", &[7u8; 32])?.with_old_key("k1", &[1u8; 32])?;
/// assert_eq!(ring.active_key_id(), "k2");
/// assert!(ring.has_key("k1"));
/// assert!(!format!("{ring:?}").contains("7, 7"));
///
/// // Wrong length: an InvalidInput error that names the field.
/// let err = KeyRing::new("k1", &[0u8; 16]).unwrap_err();
/// assert!(matches!(err, creatorsync_core::Error::InvalidInput { ref field, .. } if field == "key"));
/// # Ok::<(), creatorsync_core::Error>(())
/// ```
#[derive(Clone)]
pub struct KeyRing {
    active: NamedKey,
    old: Vec<NamedKey>,
}

impl fmt::Debug for KeyRing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyRing")
            .field("active", &self.active.id)
            .field(
                "old",
                &self.old.iter().map(|k| k.id.as_str()).collect::<Vec<_>>(),
            )
            .finish()
    }
}

impl KeyRing {
    /// A ring with one active key. `bytes` must be exactly 32 bytes; `id`
    /// is 1–64 ASCII letters, digits, `-`, `_` or `.`.
    pub fn new(id: impl Into<String>, bytes: &[u8]) -> Result<Self> {
        Ok(Self {
            active: NamedKey::new(id, bytes)?,
            old: Vec::new(),
        })
    }

    /// A ring whose active key is given as base64 (standard alphabet, padded)
    /// of 32 bytes.
    pub fn from_base64(id: impl Into<String>, key_base64: &str) -> Result<Self> {
        let bytes = decode_key("key", key_base64)?;
        Self::new(id, &bytes)
    }

    /// Reads the active key from `CREATORSYNC_KEY` (base64 of 32 bytes) and
    /// its id from `CREATORSYNC_KEY_ID` (default `k1`).
    ///
    /// A missing variable, bad base64 or wrong length is an
    /// [`Error::InvalidInput`] naming the variable; the value is never
    /// echoed.
    ///
    /// ```standalone_crate
    /// use creatorsync_core::store::KeyRing;
    /// // SAFETY: this example runs in its own process, with no other threads.
    /// unsafe {
    ///     std::env::set_var("CREATORSYNC_KEY", "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=");
    ///     std::env::remove_var("CREATORSYNC_KEY_ID");
    /// }
    /// let ring = KeyRing::from_env()?;
    /// assert_eq!(ring.active_key_id(), "k1");
    ///
    /// unsafe { std::env::set_var("CREATORSYNC_KEY", "c2hvcnQ=") } // 5 bytes
    /// let err = KeyRing::from_env().unwrap_err();
    /// assert!(err.to_string().contains("CREATORSYNC_KEY"));
    /// # Ok::<(), creatorsync_core::Error>(())
    /// ```
    pub fn from_env() -> Result<Self> {
        let value = Zeroizing::new(std::env::var(KEY_ENV).map_err(|_| {
            Error::invalid_input(
                KEY_ENV,
                "is not set (or not UTF-8); set it to the base64 of 32 random bytes, e.g. `openssl rand -base64 32`",
            )
        })?);
        let id = match std::env::var(KEY_ID_ENV) {
            Ok(id) => id,
            Err(std::env::VarError::NotPresent) => DEFAULT_KEY_ID.to_owned(),
            Err(std::env::VarError::NotUnicode(_)) => {
                return Err(Error::invalid_input(KEY_ID_ENV, "is not valid UTF-8"));
            }
        };
        check_key_id(&id).map_err(|_| {
            Error::invalid_input(
                KEY_ID_ENV,
                "must be 1 to 64 ASCII letters, digits, '-', '_' or '.'",
            )
        })?;
        let bytes = decode_key(KEY_ENV, value.trim())?;
        Self::new(id, &bytes)
    }

    /// A ring with a fresh random active key (for tests and tools; a key
    /// you do not keep cannot read the store after the process ends).
    pub fn generate(id: impl Into<String>) -> Result<Self> {
        let mut key = Zeroizing::new([0u8; KEY_LEN]);
        OsRng.fill_bytes(&mut key[..]);
        Self::new(id, &key[..])
    }

    /// Adds an older key, used only to decrypt rows written with it.
    /// Fails if the id is already in the ring.
    pub fn with_old_key(mut self, id: impl Into<String>, bytes: &[u8]) -> Result<Self> {
        let key = NamedKey::new(id, bytes)?;
        if self.has_key(&key.id) {
            return Err(Error::invalid_input(
                "key_id",
                format!("key id {:?} is already in the key ring", key.id),
            ));
        }
        self.old.push(key);
        Ok(self)
    }

    /// The id of the key new writes use.
    pub fn active_key_id(&self) -> &str {
        &self.active.id
    }

    /// Whether the ring holds a key with this id.
    pub fn has_key(&self, id: &str) -> bool {
        self.find(id).is_some()
    }

    /// All key ids, active first.
    pub fn key_ids(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.active.id.as_str()).chain(self.old.iter().map(|k| k.id.as_str()))
    }

    /// This ring with `id`/`bytes` as the active key and the previous
    /// active key kept as an old key.
    #[cfg_attr(not(any(feature = "sqlite", feature = "postgres")), allow(dead_code))]
    pub(crate) fn rotated(&self, id: impl Into<String>, bytes: &[u8]) -> Result<Self> {
        let new = NamedKey::new(id, bytes)?;
        let old: Vec<NamedKey> = self
            .key_list()
            .filter(|k| k.id != new.id)
            .cloned()
            .collect();
        Ok(Self { active: new, old })
    }

    fn key_list(&self) -> impl Iterator<Item = &NamedKey> {
        std::iter::once(&self.active).chain(self.old.iter())
    }

    fn find(&self, id: &str) -> Option<&NamedKey> {
        self.key_list().find(|k| k.id == id)
    }

    /// Encrypts `plaintext` in place with the active key, for the row
    /// `row_id` at row version `version`: on return the buffer holds
    /// ciphertext + tag (the plaintext is overwritten).
    #[cfg_attr(not(any(feature = "sqlite", feature = "postgres")), allow(dead_code))]
    pub(crate) fn seal(
        &self,
        row_id: &[&str],
        version: u64,
        buffer: &mut Vec<u8>,
    ) -> Result<Sealed> {
        let key = &self.active;
        let nonce = Aes256Gcm::generate_nonce(&mut OsRng);
        let aad = associated_data(row_id, &key.id, Some(version));
        buffer.reserve_exact(TAG_LEN);
        key.cipher()
            .encrypt_in_place(&nonce, &aad, buffer)
            .map_err(|_| Error::Key {
                key_id: key.id.clone(),
                message: "encryption failed".into(),
            })?;
        let mut stored = Vec::with_capacity(1 + NONCE_LEN);
        stored.push(FORMAT_V2);
        stored.extend_from_slice(&nonce);
        Ok(Sealed {
            key_id: key.id.clone(),
            nonce: stored,
        })
    }

    /// Decrypts a row's ciphertext; `version` is the row's version column,
    /// `stored_nonce` its nonce column (which also names the format). A
    /// missing key or failed authentication (wrong key, another row's
    /// ciphertext, an older ciphertext of this row) is an [`Error::Key`]
    /// naming the key id.
    #[cfg_attr(not(any(feature = "sqlite", feature = "postgres")), allow(dead_code))]
    pub(crate) fn open(
        &self,
        row_id: &[&str],
        version: u64,
        key_id: &str,
        stored_nonce: &[u8],
        ciphertext: &[u8],
    ) -> Result<Zeroizing<Vec<u8>>> {
        let key = self.find(key_id).ok_or_else(|| Error::Key {
            key_id: key_id.to_owned(),
            message: "this key is not in the key ring".into(),
        })?;
        let (nonce, bound_version) = match stored_nonce {
            [FORMAT_V2, nonce @ ..] if nonce.len() == NONCE_LEN => (nonce, Some(version)),
            nonce if nonce.len() == NONCE_LEN => (nonce, None),
            _ => {
                return Err(Error::Key {
                    key_id: key_id.to_owned(),
                    message: format!(
                        "stored nonce has {} bytes, expected {NONCE_LEN} (or {} with a format byte)",
                        stored_nonce.len(),
                        NONCE_LEN + 1
                    ),
                });
            }
        };
        let aad = associated_data(row_id, key_id, bound_version);
        let mut buffer = Zeroizing::new(ciphertext.to_vec());
        key.cipher()
            .decrypt_in_place(Nonce::from_slice(nonce), &aad, &mut *buffer)
            .map_err(|_| Error::Key {
                key_id: key_id.to_owned(),
                message: "authentication failed (wrong key, or the row was tampered with, copied from another account or rolled back to an older version)".into(),
            })?;
        Ok(buffer)
    }
}

/// Where a sealed value's key id and nonce go (the ciphertext stays in the
/// caller's buffer).
#[derive(Debug)]
#[cfg_attr(not(any(feature = "sqlite", feature = "postgres")), allow(dead_code))]
pub(crate) struct Sealed {
    pub(crate) key_id: String,
    pub(crate) nonce: Vec<u8>,
}

fn decode_key(field: &str, text: &str) -> Result<Zeroizing<Vec<u8>>> {
    let bytes = Zeroizing::new(
        BASE64
            .decode(text.as_bytes())
            .map_err(|_| Error::invalid_input(field, "is not valid base64 (standard alphabet)"))?,
    );
    if bytes.len() != KEY_LEN {
        return Err(Error::invalid_input(
            field,
            format!(
                "must decode to exactly {KEY_LEN} bytes, got {}",
                bytes.len()
            ),
        ));
    }
    Ok(bytes)
}

/// Unambiguous encoding of the row identity, key id and (current format)
/// row version: a domain tag naming the format, then every field as a
/// big-endian u32 length followed by its bytes, then the version as a
/// big-endian u64. `version: None` is the format-1 encoding (no version).
#[cfg_attr(not(any(feature = "sqlite", feature = "postgres")), allow(dead_code))]
fn associated_data(row_id: &[&str], key_id: &str, version: Option<u64>) -> Vec<u8> {
    let mut aad = Vec::with_capacity(80);
    aad.extend_from_slice(if version.is_some() {
        FORMAT_V2_TAG
    } else {
        FORMAT_V1
    });
    for field in row_id.iter().copied().chain(std::iter::once(key_id)) {
        let len = u32::try_from(field.len()).unwrap_or(u32::MAX);
        aad.extend_from_slice(&len.to_be_bytes());
        aad.extend_from_slice(field.as_bytes());
    }
    if let Some(v) = version {
        aad.extend_from_slice(&v.to_be_bytes());
    }
    aad
}

/// Seals like a store written before the row version was bound (format
/// 1), to test that such rows stay readable.
#[cfg(test)]
pub(crate) fn seal_v1(ring: &KeyRing, row_id: &[&str], buffer: &mut Vec<u8>) -> Sealed {
    let nonce = Aes256Gcm::generate_nonce(&mut OsRng);
    let aad = associated_data(row_id, &ring.active.id, None);
    ring.active
        .cipher()
        .encrypt_in_place(&nonce, &aad, buffer)
        .expect("encrypt");
    Sealed {
        key_id: ring.active.id.clone(),
        nonce: nonce.to_vec(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seal_then_open_and_aad_binding() {
        let ring = KeyRing::new("k1", &[3u8; 32]).unwrap();
        let mut buf = b"hello".to_vec();
        let sealed = ring.seal(&["u", "x", "a"], 7, &mut buf).unwrap();
        assert_ne!(&buf[..5], b"hello");
        assert_eq!(sealed.nonce.len(), 1 + NONCE_LEN);
        let plain = ring
            .open(&["u", "x", "a"], 7, "k1", &sealed.nonce, &buf)
            .unwrap();
        assert_eq!(&plain[..], b"hello");
        let err = ring
            .open(&["u", "x", "b"], 7, "k1", &sealed.nonce, &buf)
            .unwrap_err();
        assert!(matches!(err, Error::Key { ref key_id, .. } if key_id == "k1"));
        let err = ring
            .open(&["u", "x", "a"], 7, "k9", &sealed.nonce, &buf)
            .unwrap_err();
        assert!(matches!(err, Error::Key { ref key_id, .. } if key_id == "k9"));
        // Another row version: an older ciphertext put back is refused.
        let err = ring
            .open(&["u", "x", "a"], 8, "k1", &sealed.nonce, &buf)
            .unwrap_err();
        assert!(matches!(err, Error::Key { ref key_id, .. } if key_id == "k1"));
        // Stripping the format byte does not downgrade to format 1.
        assert!(
            ring.open(&["u", "x", "a"], 7, "k1", &sealed.nonce[1..], &buf)
                .is_err()
        );
        // Field boundaries matter: ("ux", "") != ("u", "x").
        assert_ne!(
            associated_data(&["ux", ""], "k", Some(1)),
            associated_data(&["u", "x"], "k", Some(1))
        );
    }

    #[test]
    fn format_1_rows_stay_readable() {
        let ring = KeyRing::new("k1", &[3u8; 32]).unwrap();
        let mut buf = b"legacy".to_vec();
        let sealed = seal_v1(&ring, &["u", "x", "a"], &mut buf);
        assert_eq!(sealed.nonce.len(), NONCE_LEN);
        for version in [1, 5] {
            let plain = ring
                .open(&["u", "x", "a"], version, "k1", &sealed.nonce, &buf)
                .unwrap();
            assert_eq!(&plain[..], b"legacy");
        }
        let err = ring
            .open(&["u", "x", "a"], 1, "k1", &[0; 5], &buf)
            .unwrap_err();
        assert!(matches!(err, Error::Key { .. }), "{err:?}");
    }

    #[test]
    fn bad_keys_are_invalid_input_and_debug_hides_bytes() {
        assert!(
            matches!(KeyRing::from_base64("k1", "not base64!"), Err(Error::InvalidInput { ref field, .. }) if field == "key")
        );
        let short = BASE64.encode([1u8; 31]);
        assert!(
            matches!(KeyRing::from_base64("k1", &short), Err(Error::InvalidInput { ref field, .. }) if field == "key")
        );
        assert!(
            matches!(KeyRing::new("", &[0u8; 32]), Err(Error::InvalidInput { ref field, .. }) if field == "key_id")
        );
        let ring = KeyRing::from_base64("k1", &BASE64.encode([0xABu8; 32])).unwrap();
        let shown = format!("{ring:?}");
        assert!(shown.contains("k1"));
        assert!(!shown.contains("171") && !shown.to_lowercase().contains("ab, "));
        assert!(
            KeyRing::generate("g")
                .unwrap()
                .with_old_key("g", &[0; 32])
                .is_err()
        );
    }

    #[test]
    fn rotated_keeps_previous_keys() {
        let ring = KeyRing::new("k1", &[1u8; 32])
            .unwrap()
            .with_old_key("k0", &[0u8; 32])
            .unwrap();
        let next = ring.rotated("k2", &[2u8; 32]).unwrap();
        assert_eq!(next.active_key_id(), "k2");
        assert_eq!(next.key_ids().collect::<Vec<_>>(), ["k2", "k1", "k0"]);
    }
}
