//! The publisher: one call publishes a post to every connected target at
//! once and reports, per target, exactly what happened.
//!
//! * Every target is validated first; all violations of all targets are
//!   returned together before any network call (unless
//!   [`PublishCall::valid_targets_only`]).
//! * Targets run concurrently, bounded per publish and globally; one
//!   failing never cancels or delays the others.
//! * Each publish carries an idempotency key. The [`PublishLog`] records a
//!   target as pending before the create call and published after it;
//!   publishing again with the same key returns earlier results and retries
//!   only the rest, and a target left pending (crash, lost response,
//!   cancellation) is reconciled by looking the post up at the platform
//!   before anything is re-created.

mod analytics;
mod builder;
mod context;
mod engine;
mod held;
mod manage;
mod preflight;
mod quota;
mod report;
mod sequence;
mod targets;

use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::sync::Arc;

pub use builder::{
    CreatorSyncBuilder, DEFAULT_GLOBAL, DEFAULT_LEASE_TTL, DEFAULT_PER_PUBLISH, MAX_CONCURRENCY,
};
pub(crate) use preflight::invalid_post;
pub use report::{LegacyResult, PublishReport, TargetResult};
pub use targets::Target;

use crate::auth::{Connector, TokenManager};
use crate::progress::{Progress, ProgressEvent, ProgressFn};
use crate::{Post, Result};

/// The CreatorSync client: connect accounts, keep tokens fresh, publish.
/// Cheap to clone (an `Arc` inside); build it once per process.
///
/// ```no_run
/// # async fn demo(sync: creatorsync_core::CreatorSync) -> creatorsync_core::Result<()> {
/// use creatorsync_core::{Platform, Post};
/// let report = sync
///     .publish("user-1", &Post::text("Hello from CreatorSync"))
///     .targets([Platform::X, Platform::LinkedIn])
///     .idempotency_key("launch-post-1")
///     .on_progress(|event| eprintln!("{event:?}"))
///     .await?;
/// for (account, post) in report.published() {
///     println!("{}: {}", account.platform, post.url);
/// }
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct CreatorSync {
    inner: Arc<context::Inner>,
}

impl CreatorSync {
    /// Starts building a client.
    pub fn builder() -> CreatorSyncBuilder {
        CreatorSyncBuilder::default()
    }

    /// The connect flow (begin / complete / disconnect).
    pub fn connector(&self) -> &Connector {
        &self.inner.connector
    }

    /// Token lifecycle, status and health.
    pub fn tokens(&self) -> &TokenManager {
        self.inner.connector.tokens()
    }

    /// Post templates, kept per user in the same store as the quota
    /// ledger (the SQLite or PostgreSQL store, or the host key-value
    /// store; in memory otherwise).
    pub fn templates(&self) -> &crate::templates::TemplateStore {
        &self.inner.templates
    }

    /// Every quota of every account `user_id` connected (and each app-wide
    /// quota of their platforms once): used, limit, remaining and when the
    /// next slot frees, as the ledger every worker shares holds them.
    pub async fn quota(&self, user_id: &str) -> Result<Vec<crate::quota::QuotaUsage>> {
        let inner = &self.inner;
        let mut out: Vec<crate::quota::QuotaUsage> = Vec::new();
        for row in inner.store.list(user_id).await? {
            for bucket in inner.registry.for_row(&row)?.quotas() {
                let usage = inner
                    .ledger
                    .usage(row.key.platform, &bucket, &row.key)
                    .await?;
                if !out.contains(&usage) {
                    out.push(usage);
                }
            }
        }
        Ok(out)
    }

    /// Re-seals every secret of the store under a new active key `new_id`
    /// (32 bytes); the old keys stay readable meanwhile. Fails with
    /// [`crate::Error::Config`] for a store that seals nothing (memory, a
    /// custom [`crate::TokenStore`]).
    pub async fn rotate_key(&self, new_id: &str, new_key: &[u8]) -> Result<u64> {
        match &self.inner.rotation {
            Some(r) => r.rotate_key(new_id, new_key).await,
            None => Err(crate::Error::Config(
                "rotate_key: this client's store does not seal secrets with a key ring".into(),
            )),
        }
    }

    /// What the account `key` may choose when composing a post (TikTok's
    /// creator info: privacy levels, the longest video, the interactions
    /// the creator turned off), for the host app's posting screen.
    /// [`crate::Error::Unsupported`] on platforms without such rules.
    pub async fn compose_constraints(
        &self,
        key: &crate::AccountKey,
    ) -> Result<crate::platforms::tiktok::ComposeConstraints> {
        let tokens = self.tokens();
        let row = tokens.usable(key).await?;
        let login = self.inner.registry.for_row(&row)?.login();
        let client = self
            .inner
            .clients
            .get(&(key.platform, login))
            .ok_or_else(|| {
                crate::Error::Config(format!("{}: no app credentials configured", key.platform))
            })?;
        client
            .compose_constraints(&row)
            .await?
            .ok_or_else(|| crate::Error::Unsupported {
                platform: key.platform,
                message: "no compose constraints on this platform".into(),
            })
    }

    /// Prepares a publish of `post` for `user_id`; configure it, then
    /// `.await` it (or call [`PublishCall::send`]).
    pub fn publish<'a>(&'a self, user_id: &'a str, post: &'a Post) -> PublishCall<'a> {
        PublishCall {
            sync: self,
            user_id,
            post,
            targets: Vec::new(),
            idempotency_key: None,
            progress: Progress::none(),
            valid_only: false,
            fit: crate::media::FitMode::Off,
        }
    }
}

/// A configured publish; `.await` it.
#[derive(Debug)]
#[must_use = "a publish does nothing until awaited"]
pub struct PublishCall<'a> {
    sync: &'a CreatorSync,
    user_id: &'a str,
    post: &'a Post,
    targets: Vec<Target>,
    idempotency_key: Option<String>,
    progress: Progress,
    valid_only: bool,
    fit: crate::media::FitMode,
}

impl<'a> PublishCall<'a> {
    /// Publish to these targets only (default: every connected account).
    pub fn targets<T: Into<Target>>(mut self, targets: impl IntoIterator<Item = T>) -> Self {
        self.targets = targets.into_iter().map(Into::into).collect();
        self
    }

    /// The idempotency key (default: a new random one, returned in the
    /// report). Reuse it to retry without double posting.
    pub fn idempotency_key(mut self, key: impl Into<String>) -> Self {
        self.idempotency_key = Some(key.into());
        self
    }

    /// Receives progress events (validated, uploading, processing,
    /// published, failed). Called from async tasks: keep it quick.
    pub fn on_progress(mut self, f: impl Fn(&ProgressEvent) + Send + Sync + 'static) -> Self {
        self.progress = Progress::new(Arc::new(f));
        self
    }

    /// Like [`PublishCall::on_progress`] with a shared callback.
    pub fn progress(mut self, f: ProgressFn) -> Self {
        self.progress = Progress::new(f);
        self
    }

    /// Publish to the targets the post is valid for, and report the others
    /// as `InvalidPost` results, instead of refusing the whole publish.
    pub fn valid_targets_only(mut self) -> Self {
        self.valid_only = true;
        self
    }

    /// Lets the SDK fix media a target would refuse, instead of refusing
    /// the publish: images padded or cropped into the platform's aspect
    /// ratio and re-encoded under its byte limit, MP4s rewritten with
    /// `moov` first. Each target gets its own variant; targets needing the
    /// same one share it. Default [`crate::media::FitMode::Off`].
    pub fn fit(mut self, mode: crate::media::FitMode) -> Self {
        self.fit = mode;
        self
    }

    /// Runs the publish.
    pub async fn send(self) -> Result<PublishReport> {
        let key = self
            .idempotency_key
            .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
        engine::run(
            &self.sync.inner,
            context::Call {
                user_id: self.user_id,
                post: self.post,
                targets: &self.targets,
                idempotency_key: key,
                progress: self.progress,
                valid_only: self.valid_only,
                fit: self.fit,
            },
        )
        .await
    }
}

impl<'a> IntoFuture for PublishCall<'a> {
    type Output = Result<PublishReport>;
    type IntoFuture = Pin<Box<dyn Future<Output = Result<PublishReport>> + Send + 'a>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}
