//! The publish log: what was posted where, so a post is never published
//! twice for the same request.
//!
//! Each record is keyed by `(idempotency_key, platform, account_id)`: one
//! publish request (the caller's idempotency key) to one target account.
//! Before creating a post the publisher calls [`PublishLog::begin`], which
//! atomically claims the target:
//!
//! * [`BeginOutcome::Fresh`]: no record existed; one is now `Pending`. Post.
//! * [`BeginOutcome::AlreadyPublished`]: done before; return the stored
//!   post id and URL instead of posting again.
//! * [`BeginOutcome::Pending`]: another attempt started and never finished
//!   (it may be running now, or it crashed, or its response was lost).
//!   Reconcile: look the post up on the platform; if it exists call
//!   [`PublishLog::mark_published`], otherwise [`PublishLog::mark_failed`]
//!   (retryable) and `begin` again.
//! * [`BeginOutcome::Retry`]: the previous attempt failed; the record is
//!   `Pending` again and this caller owns the new attempt.
//!
//! ```
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! use creatorsync_core::publish_log::{BeginOutcome, MemoryPublishLog, PublishLog};
//! use creatorsync_core::{AccountKey, Platform};
//!
//! let log = MemoryPublishLog::new();
//! let target = AccountKey::new("user-1", Platform::X, "12345")?;
//! assert!(matches!(log.begin("req-1", &target).await?, BeginOutcome::Fresh));
//! // ... create the post ...
//! log.mark_published("req-1", &target, "1799", Some("https://x.com/me/status/1799")).await?;
//! match log.begin("req-1", &target).await? {
//!     BeginOutcome::AlreadyPublished { post_id, .. } => assert_eq!(post_id, "1799"),
//!     other => panic!("unexpected {other:?}"),
//! }
//! # Ok::<(), creatorsync_core::Error>(())
//! # }).unwrap();
//! ```

use std::fmt::Debug;
use std::sync::Arc;

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
    /// An attempt is in flight (or was lost).
    Pending {
        /// When the current attempt began.
        started_at: DateTime<Utc>,
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

/// What [`PublishLog::begin`] found, and what the caller should do.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum BeginOutcome {
    /// First attempt: a `Pending` record was created. Publish.
    Fresh,
    /// Already published: do not post again; report this result.
    AlreadyPublished {
        /// The platform's post id.
        post_id: String,
        /// The post's URL, when known.
        url: Option<String>,
    },
    /// An earlier attempt is pending (running elsewhere, crashed, or its
    /// answer was lost). Reconcile with the platform before anything else.
    Pending {
        /// When that attempt began.
        since: DateTime<Utc>,
    },
    /// The previous attempt failed; the record is `Pending` again and this
    /// caller owns the new attempt.
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
/// * `begin` is atomic: of any number of concurrent callers on a new
///   target, exactly one gets [`BeginOutcome::Fresh`]; of callers on a
///   failed one, exactly one gets [`BeginOutcome::Retry`].
/// * `mark_published` moves a `Pending` or `Failed` record to `Published`
///   (repeating it with the same post id is a no-op success).
/// * `mark_failed` moves a `Pending` or `Failed` record to `Failed`; a
///   `Published` record is never downgraded ([`Error::InvalidInput`],
///   field `state`).
/// * `mark_*` on a missing record fails with [`Error::InvalidInput`]
///   (field `idempotency_key`): call `begin` first.
/// * An idempotency key reused for another user's account is refused with
///   [`Error::InvalidInput`] (field `idempotency_key`).
/// * `list(key)` returns every target of one request, ordered by
///   (platform, account id).
///
/// How a publisher uses it for one target:
///
/// ```
/// use creatorsync_core::publish_log::{BeginOutcome, PublishLog};
/// use creatorsync_core::{AccountKey, Result};
///
/// async fn publish_once(log: &dyn PublishLog, request: &str, target: &AccountKey) -> Result<String> {
///     match log.begin(request, target).await? {
///         BeginOutcome::AlreadyPublished { post_id, .. } => return Ok(post_id),
///         BeginOutcome::Pending { since } => {
///             // Another attempt began at `since` and never finished: look
///             // the post up on the platform and record what it says
///             // (mark_published, or mark_failed and begin again).
///             return reconcile(log, request, target, since).await;
///         }
///         BeginOutcome::Fresh | BeginOutcome::Retry { .. } => {}
///         _ => {}
///     }
///     let post_id = "1799".to_string(); // ... create the post ...
///     log.mark_published(request, target, &post_id, None).await?;
///     Ok(post_id)
/// }
/// # async fn reconcile(_: &dyn PublishLog, _: &str, _: &AccountKey, _: chrono::DateTime<chrono::Utc>) -> Result<String> { Ok(String::new()) }
/// ```
#[async_trait]
pub trait PublishLog: Send + Sync + Debug {
    /// Claims `target` for the request `idempotency_key`; see [`BeginOutcome`].
    async fn begin(&self, idempotency_key: &str, target: &AccountKey) -> Result<BeginOutcome>;
    /// Records the created post.
    async fn mark_published(
        &self,
        idempotency_key: &str,
        target: &AccountKey,
        post_id: &str,
        url: Option<&str>,
    ) -> Result<()>;
    /// Records a failed attempt.
    async fn mark_failed(
        &self,
        idempotency_key: &str,
        target: &AccountKey,
        error_code: &str,
        message: &str,
        retryable: bool,
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
            ) -> Result<BeginOutcome> {
                (**self).begin(idempotency_key, target).await
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
                error_code: &str,
                message: &str,
                retryable: bool,
            ) -> Result<()> {
                (**self)
                    .mark_failed(idempotency_key, target, error_code, message, retryable)
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

pub(crate) fn already_published() -> Error {
    Error::invalid_input(
        "state",
        "the record is already published; a published post is never marked failed or re-published with another id",
    )
}
