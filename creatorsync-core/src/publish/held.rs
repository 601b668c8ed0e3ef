//! A target held under its publish-log lease: the claim, the heartbeat,
//! the durable create marks, and every transition of the record.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use async_trait::async_trait;
use tracing::{info, warn};

use super::context::{Call, Inner};
use crate::auth::TokenManager;
use crate::heartbeat::{Renew, heartbeat};
use crate::platforms::FreshToken;
use crate::platforms::commit::{Subject, resolve};
use crate::platforms::{
    Commit, CommitHook, CommitStatus, PlatformClient, PublishRequest, Published,
};
use crate::publish_log::{BeginOutcome, Lease, PublishLog};
use crate::upload::UploadSessions;
use crate::{AccountKey, Error, Result, StoredToken};

/// What claiming a target gave.
pub(super) enum Claim {
    /// Nothing to do: already published, or another call holds it.
    Done(Result<(Published, bool)>),
    /// This call holds the target.
    Held(Held),
}

/// The publish-log record of one target, leased to this call. Dropping it
/// before the outcome was recorded (a cancelled publish) releases the
/// lease, so the next call with the key reconciles at once.
#[derive(Debug)]
pub(super) struct Held {
    log: Arc<dyn PublishLog>,
    sessions: Arc<dyn UploadSessions>,
    ikey: String,
    key: AccountKey,
    lease: Lease,
    begun: BeginOutcome,
    heartbeat: tokio::task::JoinHandle<()>,
    recorded: AtomicBool,
}

/// Why a failure leaves the record pending instead of failed.
fn outcome_open(e: &Error) -> bool {
    matches!(
        e,
        Error::OutcomeUnknown { .. } | Error::CreatedUnfinished { .. }
    )
}

impl Held {
    /// Claims `key` for the request `ikey` under a fresh lease.
    pub(super) async fn begin(inner: &Inner, ikey: &str, key: &AccountKey) -> Result<Claim> {
        let lease = Lease::new(inner.lease_ttl);
        let log = inner.log.clone();
        let begun = log.begin(ikey, key, &lease).await?;
        match begun {
            BeginOutcome::AlreadyPublished { post_id, url } => {
                let url = url.unwrap_or_default();
                return Ok(Claim::Done(Ok((Published { post_id, url }, true))));
            }
            BeginOutcome::InProgress { lease_until } => {
                return Ok(Claim::Done(Err(Error::InProgress {
                    platform: key.platform,
                    retry_after: (lease_until - chrono::Utc::now()).to_std().ok(),
                })));
            }
            _ => {}
        }
        let heartbeat = tokio::spawn(keep_lease(TargetLease {
            log: log.clone(),
            ikey: ikey.to_owned(),
            key: key.clone(),
            lease: lease.clone(),
        }));
        Ok(Claim::Held(Held {
            log,
            sessions: inner.sessions.clone(),
            ikey: ikey.to_owned(),
            key: key.clone(),
            lease,
            begun,
            heartbeat,
            recorded: AtomicBool::new(false),
        }))
    }

    /// The hook that records the create marks under this lease.
    pub(super) fn hook(&self) -> Arc<dyn CommitHook> {
        Arc::new(LogHook {
            log: self.log.clone(),
            ikey: self.ikey.clone(),
            key: self.key.clone(),
            lease: self.lease.clone(),
        })
    }

    /// The platform client's request for this target.
    pub(super) fn request<'r>(
        &self,
        call: &'r Call<'_>,
        token: &'r StoredToken,
        commit: Commit,
        tokens: FreshToken,
    ) -> PublishRequest<'r> {
        PublishRequest {
            account: token,
            post: call.post,
            progress: call
                .progress
                .for_target(self.key.platform, self.key.account_id.clone()),
            sessions: self.sessions.clone(),
            session_key: format!(
                "{}:{}:{}",
                self.ikey, self.key.platform, self.key.account_id
            ),
            commit,
            tokens,
        }
    }

    /// When an earlier attempt left the record pending with its create
    /// possibly sent, looks the post up first: `Some` with the answer when
    /// the target is settled (found, or still open), `None` when nothing
    /// was created and this call may create the post.
    pub(super) async fn reconcile_earlier(
        &self,
        client: &dyn PlatformClient,
        tokens: &TokenManager,
        subject: Subject<'_>,
    ) -> Option<Result<(Published, bool)>> {
        let BeginOutcome::Reconcile {
            since,
            create_sent: true,
            reference,
            ..
        } = &self.begun
        else {
            return None;
        };
        let status = CommitStatus {
            sent_at: Some(*since),
            acknowledged: false,
            reference: reference.clone(),
        };
        let cause = Error::Timeout {
            platform: Some(self.key.platform),
            what: "an earlier attempt with this idempotency key never finished".into(),
        };
        let looked = match tokens.usable(&self.key).await {
            Ok(token) => resolve(client, &token, subject, *since, &status, cause).await,
            Err(e) => Err(Error::OutcomeUnknown {
                platform: self.key.platform,
                cause: Box::new(e),
            }),
        };
        Some(match looked {
            Ok(found) => {
                info!(post_id = %found.post_id, "reconciled: the earlier attempt had published");
                self.published(&found).await;
                Ok((found, true))
            }
            Err(e) if outcome_open(&e) => Err(self.unsettled(e).await),
            Err(_) => {
                info!("reconciled: the earlier attempt created nothing");
                return None;
            }
        })
    }

    /// Records the post.
    ///
    /// The post exists whatever the log says: when the record cannot be
    /// written, the lease is released (best effort) so that the next call
    /// with the key finds the post by looking it up, and the post is still
    /// reported.
    pub(super) async fn published(&self, p: &Published) {
        self.recorded.store(true, Ordering::SeqCst);
        let recorded = self
            .log
            .mark_published(&self.ikey, &self.key, &p.post_id, Some(&p.url))
            .await;
        if let Err(e) = recorded {
            warn!(error = %e, post_id = %p.post_id, "published, but the publish log could not record it; the next call looks it up");
            let _ = self
                .log
                .release(&self.ikey, &self.key, &self.lease, e.code(), &e.to_string())
                .await;
        }
    }

    /// Records a failure that created nothing; returns `e`.
    pub(super) async fn failed(&self, e: Error) -> Error {
        self.recorded.store(true, Ordering::SeqCst);
        let logged = self
            .log
            .mark_failed(
                &self.ikey,
                &self.key,
                &self.lease,
                e.code(),
                &e.to_string(),
                e.is_retryable(),
            )
            .await;
        if let Err(log_err) = logged {
            warn!(error = %log_err, "could not record the failure; the record stays pending");
        }
        e
    }

    /// Records the end of an attempt that failed: failed when nothing was
    /// created, pending for the next call to look up when the outcome is
    /// open (the created post's id kept as the reference). Returns `e`.
    pub(super) async fn unsettled(&self, e: Error) -> Error {
        if !outcome_open(&e) {
            return self.failed(e).await;
        }
        self.recorded.store(true, Ordering::SeqCst);
        let reference = match &e {
            Error::CreatedUnfinished { post_id, .. } => Some(post_id.as_str()),
            _ => None,
        };
        let kept = self
            .log
            .mark_sent(&self.ikey, &self.key, &self.lease, reference)
            .await;
        let released = match kept {
            Ok(()) => {
                self.log
                    .release(&self.ikey, &self.key, &self.lease, e.code(), &e.to_string())
                    .await
            }
            Err(k) => Err(k),
        };
        if let Err(log_err) = released {
            warn!(error = %log_err, "could not release the record; it reconciles once its lease expires");
        } else {
            warn!(error = %e, "outcome open; left pending for the next call to look up");
        }
        e
    }
}

impl Drop for Held {
    fn drop(&mut self) {
        self.heartbeat.abort();
        if self.recorded.load(Ordering::SeqCst) {
            return;
        }
        // Cancelled before the outcome was recorded: give the lease up so
        // the next call reconciles at once instead of waiting for expiry.
        let (log, ikey, key, lease) = (
            self.log.clone(),
            self.ikey.clone(),
            self.key.clone(),
            self.lease.clone(),
        );
        if let Ok(rt) = tokio::runtime::Handle::try_current() {
            rt.spawn(async move {
                if let Err(e) = log
                    .release(&ikey, &key, &lease, "CANCELLED", "the publish was cancelled")
                    .await
                {
                    warn!(error = %e, "could not release a cancelled target; it reconciles once its lease expires");
                }
            });
        }
    }
}

/// A target's lease in the publish log, renewed by the heartbeat.
struct TargetLease {
    log: Arc<dyn PublishLog>,
    ikey: String,
    key: AccountKey,
    lease: Lease,
}

#[async_trait]
impl Renew for TargetLease {
    async fn renew(&mut self) -> bool {
        match self.log.renew(&self.ikey, &self.key, &self.lease).await {
            Ok(()) => true,
            Err(e) => {
                warn!(error = %e, "lost the target's lease; its create will not be sent");
                false
            }
        }
    }
}

/// Renews the lease until aborted (or lost).
async fn keep_lease(mut lease: TargetLease) {
    heartbeat(lease.lease.ttl, &mut lease).await;
}

/// Writes the create marks to the publish log under the lease: a mark that
/// cannot be written (the lease was lost to another call) stops the create.
#[derive(Debug)]
struct LogHook {
    log: Arc<dyn PublishLog>,
    ikey: String,
    key: AccountKey,
    lease: Lease,
}

#[async_trait]
impl CommitHook for LogHook {
    async fn sending(&self, reference: Option<&str>) -> Result<()> {
        self.log
            .mark_sent(&self.ikey, &self.key, &self.lease, reference)
            .await
    }
}
