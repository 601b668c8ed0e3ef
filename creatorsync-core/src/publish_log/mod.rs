//! The publish log: what was posted where, so a post is never published
//! twice for the same request.
//!
//! Each record is keyed by `(idempotency_key, platform, account_id)`: one
//! publish request (the caller's idempotency key) to one target account.
//! Before creating a post the publisher calls [`PublishLog::begin`] with a
//! [`Lease`], which atomically claims the target:
//!
//! * [`BeginOutcome::Fresh`]: no record existed; one is now `Pending` and
//!   leased to the caller. Post.
//! * [`BeginOutcome::AlreadyPublished`]: done before; return the stored
//!   post id and URL instead of posting again.
//! * [`BeginOutcome::InProgress`]: another caller holds a live lease: it is
//!   publishing this target right now. Touch nothing.
//! * [`BeginOutcome::Reconcile`]: an earlier attempt never finished (it
//!   crashed, its answer was lost, or it ended with an open outcome) and
//!   its lease ran out or was released; the record is now leased to the
//!   caller. If its create may have been sent, look the post up first.
//! * [`BeginOutcome::Retry`]: the previous attempt failed and created
//!   nothing; the record is `Pending` again and leased to the caller.
//!
//! The holder renews the lease while it works ([`PublishLog::renew`]),
//! marks the record just before the request that may create the post
//! ([`PublishLog::mark_sent`]), and ends with
//! [`PublishLog::mark_published`], [`PublishLog::mark_failed`] (nothing
//! was created) or [`PublishLog::release`] (the outcome is open).
//!
//! ```
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! use std::time::Duration;
//! use creatorsync_core::publish_log::{BeginOutcome, Lease, MemoryPublishLog, PublishLog};
//! use creatorsync_core::{AccountKey, Platform};
//!
//! let log = MemoryPublishLog::new();
//! let target = AccountKey::new("user-1", Platform::X, "12345")?;
//! let lease = Lease::new(Duration::from_secs(30));
//! assert!(matches!(log.begin("req-1", &target, &lease).await?, BeginOutcome::Fresh));
//! // A second caller meanwhile is told the target is in progress.
//! let other = Lease::new(Duration::from_secs(30));
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

/// Where one publish attempt stands.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum PublishState {
    /// An attempt is in flight (or was lost, or ended with its outcome
    /// open).
    Pending {
        /// When the current attempt began.
        started_at: DateTime<Utc>,
        /// Holder of the lease; None once released.
        #[serde(default)]
        lease_owner: Option<String>,
        /// When the lease runs out (at or before now: expired or released).
        lease_until: DateTime<Utc>,
        /// The create request may have reached the platform.
        #[serde(default)]
        create_sent: bool,
        /// What the platform client knows of the created post (a post id,
        /// a TikTok publish id, a YouTube video id), for the lookup.
        #[serde(default)]
        reference: Option<String>,
        /// `code: message` of the attempt that released the record with an
        /// open outcome.
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
    /// The last attempt failed.
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
    /// How many attempts have begun (1 after the first `begin`).
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

/// Who holds a target while it is published, and for how long.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lease {
    /// Unique per attempt.
    pub owner: String,
    /// How long the lease lasts without a renewal.
    pub ttl: Duration,
}

impl Lease {
    /// A lease with a fresh random owner id.
    pub fn new(ttl: Duration) -> Self {
        Self {
            owner: uuid::Uuid::new_v4().to_string(),
            ttl,
        }
    }

    /// When the lease runs out if taken or renewed at `now`.
    pub(crate) fn until(&self, now: DateTime<Utc>) -> DateTime<Utc> {
        now + chrono::Duration::from_std(self.ttl).unwrap_or(chrono::Duration::MAX)
    }
}

/// What [`PublishLog::begin`] found, and what the caller should do.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum BeginOutcome {
    /// First attempt: a `Pending` record leased to the caller. Publish.
    Fresh,
    /// Already published: do not post again; report this result.
    AlreadyPublished {
        /// The platform's post id.
        post_id: String,
        /// The post's URL, when known.
        url: Option<String>,
    },
    /// Another caller holds a live lease on the record: touch nothing.
    InProgress {
        /// When that lease runs out unless renewed.
        lease_until: DateTime<Utc>,
    },
    /// An earlier attempt left the record pending and its lease expired or
    /// was released (a crash, a lost answer, an open outcome). The record is
    /// now leased to the caller, who must look the post up before creating
    /// anything when `create_sent` is true.
    Reconcile {
        /// When that attempt began.
        since: DateTime<Utc>,
        /// The number of this attempt.
        attempt: u32,
        /// Whether the earlier create may have reached the platform.
        create_sent: bool,
        /// What the earlier attempt knew of the created post.
        reference: Option<String>,
    },
    /// The previous attempt failed (creating nothing); the record is
    /// `Pending` again and leased to the caller.
    Retry {
        /// The number of this attempt (2 for the first retry).
        attempt: u32,
    },
}

/// Durable record of publish attempts; guards against double posts.
///
/// Contract (checked by the `publish_log_*` cases of `crate::testing`, with
/// the `testing` feature):
///
/// * `begin` is atomic and leases the record: of any number of concurrent
///   callers on a new target exactly one gets [`BeginOutcome::Fresh`] and
///   the others [`BeginOutcome::InProgress`]; of callers on a failed one,
///   exactly one gets [`BeginOutcome::Retry`]; of callers on a pending
///   record whose lease expired or was released, exactly one gets
///   [`BeginOutcome::Reconcile`]. A live lease is never taken over.
/// * `renew`, `mark_sent`, `mark_failed` and `release` act only for the
///   lease's holder; anyone else gets [`Error::InProgress`] (the lease was
///   lost: stop before sending anything).
/// * `mark_published` moves a `Pending` or `Failed` record to `Published`
///   (repeating it with the same post id is a no-op success); anyone may
///   record a post that exists.
/// * `mark_failed` never downgrades a `Published` record
///   ([`Error::InvalidInput`], field `state`).
/// * `mark_*` on a missing record fails with [`Error::InvalidInput`]
///   (field `idempotency_key`): call `begin` first.
/// * An idempotency key reused for another user's account is refused with
///   [`Error::InvalidInput`] (field `idempotency_key`).
/// * `list(key)` returns every target of one request, ordered by
///   (platform, account id).
///
/// How a publisher uses it for one target (the SDK's publisher also renews
/// the lease while the target runs and marks the create before sending it;
/// see `docs/publish-guarantees.md`):
///
/// ```
/// use std::time::Duration;
/// use creatorsync_core::publish_log::{BeginOutcome, Lease, PublishLog};
/// use creatorsync_core::{AccountKey, Error, Result};
///
/// async fn publish_once(log: &dyn PublishLog, request: &str, target: &AccountKey) -> Result<String> {
///     let lease = Lease::new(Duration::from_secs(30));
///     match log.begin(request, target, &lease).await? {
///         BeginOutcome::AlreadyPublished { post_id, .. } => return Ok(post_id),
///         BeginOutcome::InProgress { .. } => {
///             return Err(Error::InProgress { platform: target.platform, retry_after: None });
///         }
///         BeginOutcome::Reconcile { create_sent: true, .. } => {
///             // An earlier attempt may have created the post: look it up
///             // on the platform first and record what it says.
///             return reconcile(log, request, target, &lease).await;
///         }
///         _ => {}
///     }
///     log.mark_sent(request, target, &lease, None).await?; // then send the create
///     let post_id = "1799".to_string();
///     log.mark_published(request, target, &post_id, None).await?;
///     Ok(post_id)
/// }
/// # async fn reconcile(_: &dyn PublishLog, _: &str, _: &AccountKey, _: &Lease) -> Result<String> { Ok(String::new()) }
/// ```
#[async_trait]
pub trait PublishLog: Send + Sync + Debug {
    /// Claims `target` for the request `idempotency_key` under `lease`; see
    /// [`BeginOutcome`].
    async fn begin(
        &self,
        idempotency_key: &str,
        target: &AccountKey,
        lease: &Lease,
    ) -> Result<BeginOutcome>;
    /// Extends the holder's lease to now + `lease.ttl`.
    async fn renew(&self, idempotency_key: &str, target: &AccountKey, lease: &Lease) -> Result<()>;
    /// Records that the create may now reach the platform and, when given,
    /// what identifies it (`None` keeps an earlier reference). Renews the
    /// lease. Holder only.
    async fn mark_sent(
        &self,
        idempotency_key: &str,
        target: &AccountKey,
        lease: &Lease,
        reference: Option<&str>,
    ) -> Result<()>;
    /// Records the created post and clears the lease.
    async fn mark_published(
        &self,
        idempotency_key: &str,
        target: &AccountKey,
        post_id: &str,
        url: Option<&str>,
    ) -> Result<()>;
    /// Records an attempt that failed and created nothing. Holder only.
    async fn mark_failed(
        &self,
        idempotency_key: &str,
        target: &AccountKey,
        lease: &Lease,
        error_code: &str,
        message: &str,
        retryable: bool,
    ) -> Result<()>;
    /// Gives the target up with its outcome open: it stays `Pending`, the
    /// lease ends now, and the next `begin` gets
    /// [`BeginOutcome::Reconcile`]. Holder only.
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

/// The error for a caller that does not hold the record's lease.
pub(crate) fn lease_lost(target: &AccountKey, lease_until: Option<DateTime<Utc>>) -> Error {
    Error::InProgress {
        platform: target.platform,
        retry_after: lease_until.and_then(|t| (t - Utc::now()).to_std().ok()),
    }
}

pub(crate) fn already_published() -> Error {
    Error::invalid_input(
        "state",
        "the record is already published; a published post is never marked failed or re-published with another id",
    )
}
