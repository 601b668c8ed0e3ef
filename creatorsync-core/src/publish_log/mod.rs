//! The publish log: what was posted where, so a post is never published
//! twice for the same request.
//!
//! Each record is keyed by `(idempotency_key, platform, account_id)`: one
//! publish request (the caller's idempotency key) to one target account.
//! Before creating a post the publisher calls [`PublishLog::begin`] with a
//! [`Lease`]: a random owner id and a time to live. `begin` atomically
//! claims the target and leases it to the caller:
//!
//! * [`BeginOutcome::Fresh`]: no record existed; one is now `Pending` and
//!   leased to the caller. Post.
//! * [`BeginOutcome::Retry`]: the previous attempt failed (and created
//!   nothing); the record is `Pending` again, leased to the caller. Post.
//! * [`BeginOutcome::AlreadyPublished`]: done before; return the stored
//!   post id and URL instead of posting again.
//! * [`BeginOutcome::InProgress`]: another caller holds a live lease.
//!   Touch nothing; try again after the lease runs out.
//! * [`BeginOutcome::Reconcile`]: an earlier attempt never finished (it
//!   crashed, its answer was lost, or it released the target with an
//!   unknown outcome). The record is now leased to the caller. Look the
//!   post up on the platform before creating anything: if it exists call
//!   [`PublishLog::mark_published`]; if it surely does not, go on as the
//!   holder (or [`PublishLog::mark_failed`] and `begin` again).
//!
//! While it holds the lease the caller renews it ([`PublishLog::renew`],
//! the heartbeat) more often than its ttl, records with
//! [`PublishLog::mark_sent`] that the create may reach the platform, and
//! finishes with `mark_published`, `mark_failed` (nothing was created) or
//! [`PublishLog::release`] (the outcome is unknown). A caller whose lease
//! was taken over after it expired gets [`Error::InProgress`] from every
//! holder-only call, and must stop.
//!
//! ```
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! use std::time::Duration;
//! use creatorsync_core::publish_log::{BeginOutcome, Lease, MemoryPublishLog, PublishLog};
//! use creatorsync_core::{AccountKey, Platform};
//!
//! let log = MemoryPublishLog::new();
//! let target = AccountKey::new("user-1", Platform::X, "12345")?;
//! let lease = Lease::new(Duration::from_secs(60));
//! assert_eq!(log.begin("req-1", &target, &lease).await?, BeginOutcome::Fresh);
//! // Someone else trying the same request now is told to wait.
//! let other = Lease::new(Duration::from_secs(60));
//! assert!(matches!(log.begin("req-1", &target, &other).await?, BeginOutcome::InProgress { .. }));
//! log.mark_sent("req-1", &target, &lease, None).await?;
//! // ... create the post ...
//! log.mark_published("req-1", &target, "1799", Some("https://x.com/me/status/1799")).await?;
//! match log.begin("req-1", &target, &other).await? {
//!     BeginOutcome::AlreadyPublished { post_id, .. } => assert_eq!(post_id, "1799"),
//!     other => panic!("unexpected {other:?}"),
//! }
//! # Ok::<(), creatorsync_core::Error>(())
//! # }).unwrap();
//! ```

use std::fmt::Debug;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::{AccountKey, Error, Platform, Result};

mod memory;
pub use memory::MemoryPublishLog;

pub(crate) mod transitions;

#[cfg(any(feature = "sqlite", feature = "postgres"))]
mod sql_common;

#[cfg(feature = "sqlite")]
mod sqlite;
#[cfg(feature = "sqlite")]
pub use sqlite::SqlitePublishLog;

#[cfg(feature = "postgres")]
mod postgres;
#[cfg(feature = "postgres")]
pub use postgres::PostgresPublishLog;

/// The longest lease a log accepts. A holder that needs longer renews.
pub const MAX_LEASE_TTL: Duration = Duration::from_secs(24 * 60 * 60);

/// Who holds a target while it is published, and for how long.
///
/// The owner id is what the log compares: keep one `Lease` for the whole
/// attempt and pass it to every call. `ttl` is how long the lease lasts
/// after `begin`, `renew` or `mark_sent`; it must be more than zero and at
/// most [`MAX_LEASE_TTL`] ([`Error::InvalidInput`], field `lease`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lease {
    /// The holder's id, unique per attempt.
    pub owner: String,
    /// How long the lease lasts unless renewed.
    pub ttl: Duration,
}

impl Lease {
    /// A lease with a fresh random owner id (uuid v4).
    pub fn new(ttl: Duration) -> Self {
        Self {
            owner: uuid::Uuid::new_v4().to_string(),
            ttl,
        }
    }

    /// Checks the lease and returns its ttl for timestamp arithmetic.
    pub(crate) fn checked_ttl(&self) -> Result<chrono::Duration> {
        crate::account::check_id("lease", &self.owner)?;
        if self.ttl.is_zero() || self.ttl > MAX_LEASE_TTL {
            return Err(Error::invalid_input(
                "lease",
                "ttl must be more than zero and at most 24 hours",
            ));
        }
        chrono::Duration::from_std(self.ttl)
            .map_err(|_| Error::invalid_input("lease", "ttl out of range"))
    }
}

fn epoch() -> DateTime<Utc> {
    DateTime::UNIX_EPOCH
}

/// Where one publish attempt stands.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum PublishState {
    /// An attempt is in flight, or was lost or released with its outcome
    /// unknown.
    Pending {
        /// When the unfinished attempt began (kept across takeovers, so a
        /// reconciliation looks far enough back).
        started_at: DateTime<Utc>,
        /// Holder of the lease; `None` once released.
        #[serde(default)]
        lease_owner: Option<String>,
        /// When the lease runs out (`<=` now: expired or released).
        #[serde(default = "epoch")]
        lease_until: DateTime<Utc>,
        /// The create request may have reached the platform.
        #[serde(default)]
        create_sent: bool,
        /// What the platform client knows of the created post (a post id,
        /// a TikTok publish id, a YouTube video id), for reconciliation.
        #[serde(default)]
        reference: Option<String>,
        /// `code: message` of the attempt that released the record with an
        /// unknown outcome.
        #[serde(default)]
        last_error: Option<String>,
    },
    /// The post exists on the platform.
    Published {
        /// The platform's post id.
        post_id: String,
        /// The post's public URL, when known.
        url: Option<String>,
        /// When it was recorded as published.
        published_at: DateTime<Utc>,
    },
    /// The last attempt failed and created nothing.
    Failed {
        /// A stable error code (e.g. [`Error::code`]).
        error_code: String,
        /// What went wrong (no secrets).
        message: String,
        /// Whether trying again may succeed.
        retryable: bool,
    },
}

/// One publish request to one target account.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublishRecord {
    /// Your user id.
    pub user_id: String,
    /// The caller's idempotency key for the publish request.
    pub idempotency_key: String,
    /// The target platform.
    pub platform: Platform,
    /// The target account on the platform.
    pub account_id: String,
    /// Where it stands.
    pub state: PublishState,
    /// How many attempts have begun (1 after the first `begin`; each
    /// `Retry` and `Reconcile` adds one).
    pub attempts: u32,
    /// Last change.
    pub updated_at: DateTime<Utc>,
}

impl PublishRecord {
    /// The target as an [`AccountKey`].
    pub fn target(&self) -> AccountKey {
        AccountKey {
            user_id: self.user_id.clone(),
            platform: self.platform,
            account_id: self.account_id.clone(),
        }
    }
}

/// What [`PublishLog::begin`] found, and what the caller should do.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum BeginOutcome {
    /// New record, `Pending`, leased to the caller. Publish.
    Fresh,
    /// The previous attempt failed; `Pending` again, leased to the caller.
    Retry {
        /// The number of this attempt (2 for the first retry).
        attempt: u32,
    },
    /// Done before: report this, never post again.
    AlreadyPublished {
        /// The platform's post id.
        post_id: String,
        /// The post's URL, when known.
        url: Option<String>,
    },
    /// Another caller holds a live lease: touch nothing.
    InProgress {
        /// When that lease runs out unless its holder renews it.
        lease_until: DateTime<Utc>,
    },
    /// A `Pending` record whose lease expired or was released (a crash, a
    /// lost answer, an unknown outcome): now leased to the caller, one more
    /// attempt, `create_sent`, `reference` and `last_error` kept. Look the
    /// post up on the platform before creating anything.
    Reconcile {
        /// When the unfinished attempt began.
        since: DateTime<Utc>,
        /// The number of this attempt.
        attempt: u32,
        /// Whether the create may have reached the platform (false: the
        /// earlier attempt stopped before sending it).
        create_sent: bool,
        /// What the earlier attempt learnt of the created post, if anything.
        reference: Option<String>,
    },
}

/// Durable record of publish attempts; guards against double posts.
///
/// Contract (checked by the `publish_log_*` cases of `crate::testing`, with
/// the `testing` feature):
///
/// * `begin` is atomic: of any number of concurrent callers (in any number
///   of processes) on a new target exactly one gets
///   [`BeginOutcome::Fresh`], on a failed one exactly one gets
///   [`BeginOutcome::Retry`], on an expired or released one exactly one
///   gets [`BeginOutcome::Reconcile`]; the others get
///   [`BeginOutcome::InProgress`]. A live lease is never taken over, not
///   even by a caller passing the same owner id.
/// * The holder is the record's lease owner; a lease that ran out still
///   belongs to its holder until another `begin` takes it over. `renew`,
///   `mark_sent`, `mark_failed` and `release` are for the holder of a
///   `Pending` record only; anyone else gets [`Error::InProgress`].
/// * `mark_published` is for anyone (a post that exists is always
///   recorded): it moves a `Pending` or `Failed` record to `Published`,
///   repeating it with the same post id is a no-op success, another id is
///   refused ([`Error::InvalidInput`], field `state`).
/// * `mark_failed` never downgrades a `Published` record
///   ([`Error::InvalidInput`], field `state`).
/// * Calls other than `begin` on a missing record fail with
///   [`Error::InvalidInput`] (field `idempotency_key`): call `begin` first.
/// * An idempotency key reused for another user's account is refused with
///   [`Error::InvalidInput`] (field `idempotency_key`).
/// * `list(key)` returns every target of one request, ordered by
///   (platform, account id).
///
/// Lease times are compared on one clock: the process's for the memory
/// log, the host's for SQLite (one file, one machine), the database
/// server's for PostgreSQL (so workers with skewed clocks agree).
///
/// How a publisher uses it for one target:
///
/// ```
/// use creatorsync_core::publish_log::{BeginOutcome, Lease, PublishLog};
/// use creatorsync_core::{AccountKey, Error, Result};
///
/// async fn publish_once(log: &dyn PublishLog, request: &str, target: &AccountKey) -> Result<String> {
///     let lease = Lease::new(std::time::Duration::from_secs(120));
///     match log.begin(request, target, &lease).await? {
///         BeginOutcome::AlreadyPublished { post_id, .. } => return Ok(post_id),
///         BeginOutcome::InProgress { lease_until } => {
///             let retry_after = (lease_until - chrono::Utc::now()).to_std().ok();
///             return Err(Error::InProgress { platform: target.platform, retry_after });
///         }
///         BeginOutcome::Reconcile { since, create_sent: true, reference, .. } => {
///             // An earlier attempt may have created the post: look it up
///             // (by `reference` when known, else since `since`) and record
///             // what the platform says before creating anything.
///             if let Some(post_id) = look_up(since, reference).await? {
///                 log.mark_published(request, target, &post_id, None).await?;
///                 return Ok(post_id);
///             }
///         }
///         _ => {} // Fresh, Retry, or Reconcile of an attempt that sent nothing
///     }
///     log.mark_sent(request, target, &lease, None).await?;
///     let post_id = "1799".to_string(); // ... create the post, renewing the lease ...
///     log.mark_published(request, target, &post_id, None).await?;
///     Ok(post_id)
/// }
/// # async fn look_up(_: chrono::DateTime<chrono::Utc>, _: Option<String>) -> Result<Option<String>> { Ok(None) }
/// ```
#[async_trait]
pub trait PublishLog: Send + Sync + Debug {
    /// Claims `target` for the request `idempotency_key` and leases it to
    /// the caller; see [`BeginOutcome`].
    async fn begin(
        &self,
        idempotency_key: &str,
        target: &AccountKey,
        lease: &Lease,
    ) -> Result<BeginOutcome>;

    /// Heartbeat: extends the lease to now + `lease.ttl`, if the caller
    /// still holds the lease of a `Pending` record; otherwise
    /// [`Error::InProgress`] (the lease was lost: stop).
    async fn renew(&self, idempotency_key: &str, target: &AccountKey, lease: &Lease) -> Result<()>;

    /// Records that the create may now reach the platform and, when
    /// `Some`, what is known of the post (`None` keeps an earlier
    /// reference). Also renews the lease. Holder only (else
    /// [`Error::InProgress`]).
    async fn mark_sent(
        &self,
        idempotency_key: &str,
        target: &AccountKey,
        lease: &Lease,
        reference: Option<&str>,
    ) -> Result<()>;

    /// Records the created post, from `Pending` or `Failed`, and clears the
    /// lease. Anyone may call it: a post that exists is always recorded.
    async fn mark_published(
        &self,
        idempotency_key: &str,
        target: &AccountKey,
        post_id: &str,
        url: Option<&str>,
    ) -> Result<()>;

    /// Records a failed attempt that created nothing. Holder only (else
    /// [`Error::InProgress`]); a `Published` record is never downgraded.
    async fn mark_failed(
        &self,
        idempotency_key: &str,
        target: &AccountKey,
        lease: &Lease,
        error_code: &str,
        message: &str,
        retryable: bool,
    ) -> Result<()>;

    /// Gives the target up with its outcome unknown: it stays `Pending`
    /// with no lease and `last_error` = `"code: message"`, so the next
    /// `begin` gets [`BeginOutcome::Reconcile`] at once. Holder only (else
    /// [`Error::InProgress`]).
    async fn release(
        &self,
        idempotency_key: &str,
        target: &AccountKey,
        lease: &Lease,
        error_code: &str,
        message: &str,
    ) -> Result<()>;

    /// Reads one record.
    async fn get(
        &self,
        idempotency_key: &str,
        target: &AccountKey,
    ) -> Result<Option<PublishRecord>>;

    /// All records of one request.
    async fn list(&self, idempotency_key: &str) -> Result<Vec<PublishRecord>>;
}

macro_rules! forward_publish_log {
    ($ty:ty) => {
        #[async_trait]
        impl<T: PublishLog + ?Sized> PublishLog for $ty {
            async fn begin(
                &self,
                idempotency_key: &str,
                target: &AccountKey,
                lease: &Lease,
            ) -> Result<BeginOutcome> {
                (**self).begin(idempotency_key, target, lease).await
            }
            async fn renew(
                &self,
                idempotency_key: &str,
                target: &AccountKey,
                lease: &Lease,
            ) -> Result<()> {
                (**self).renew(idempotency_key, target, lease).await
            }
            async fn mark_sent(
                &self,
                idempotency_key: &str,
                target: &AccountKey,
                lease: &Lease,
                reference: Option<&str>,
            ) -> Result<()> {
                (**self)
                    .mark_sent(idempotency_key, target, lease, reference)
                    .await
            }
            async fn mark_published(
                &self,
                idempotency_key: &str,
                target: &AccountKey,
                post_id: &str,
                url: Option<&str>,
            ) -> Result<()> {
                (**self)
                    .mark_published(idempotency_key, target, post_id, url)
                    .await
            }
            async fn mark_failed(
                &self,
                idempotency_key: &str,
                target: &AccountKey,
                lease: &Lease,
                error_code: &str,
                message: &str,
                retryable: bool,
            ) -> Result<()> {
                (**self)
                    .mark_failed(
                        idempotency_key,
                        target,
                        lease,
                        error_code,
                        message,
                        retryable,
                    )
                    .await
            }
            async fn release(
                &self,
                idempotency_key: &str,
                target: &AccountKey,
                lease: &Lease,
                error_code: &str,
                message: &str,
            ) -> Result<()> {
                (**self)
                    .release(idempotency_key, target, lease, error_code, message)
                    .await
            }
            async fn get(
                &self,
                idempotency_key: &str,
                target: &AccountKey,
            ) -> Result<Option<PublishRecord>> {
                (**self).get(idempotency_key, target).await
            }
            async fn list(&self, idempotency_key: &str) -> Result<Vec<PublishRecord>> {
                (**self).list(idempotency_key).await
            }
        }
    };
}

forward_publish_log!(Arc<T>);
forward_publish_log!(Box<T>);

/// Validates an idempotency key supplied by the caller.
pub(crate) fn check_idempotency_key(key: &str) -> Result<()> {
    crate::account::check_id("idempotency_key", key)
}

/// The `last_error` that `release` stores.
pub(crate) fn release_note(error_code: &str, message: &str) -> String {
    format!("{error_code}: {message}")
}

pub(crate) fn other_user(target: &AccountKey) -> Error {
    Error::invalid_input(
        "idempotency_key",
        format!(
            "already used for another user's {} account {}; use a new key per publish request",
            target.platform, target.account_id
        ),
    )
}

pub(crate) fn not_begun(target: &AccountKey) -> Error {
    Error::invalid_input(
        "idempotency_key",
        format!(
            "no publish record for {}/{}; call begin first",
            target.platform, target.account_id
        ),
    )
}

pub(crate) fn already_published() -> Error {
    Error::invalid_input(
        "state",
        "the record is already published; a published post is never marked failed or re-published with another id",
    )
}

/// The caller does not hold the lease of `record` (another caller took it
/// over, or the record is no longer `Pending`).
pub(crate) fn not_holder(target: &AccountKey, record: &PublishRecord) -> Error {
    let retry_after = match &record.state {
        PublishState::Pending {
            lease_owner: Some(_),
            lease_until,
            ..
        } => (*lease_until - Utc::now()).to_std().ok(),
        _ => None,
    };
    Error::InProgress {
        platform: target.platform,
        retry_after,
    }
}

/// Why a holder-only call (`renew`, `mark_sent`, `mark_failed`, `release`)
/// changed nothing, from the record read after it (or under its lock).
pub(crate) fn holder_refused(
    record: Option<&PublishRecord>,
    target: &AccountKey,
    downgrade: bool,
) -> Error {
    match record {
        None => not_begun(target),
        Some(r) if r.user_id != target.user_id => other_user(target),
        Some(PublishRecord {
            state: PublishState::Published { .. },
            ..
        }) if downgrade => already_published(),
        Some(r) => not_holder(target, r),
    }
}
