//! The fan-out: resolve targets, validate, then run every target
//! concurrently through the publish log, token manager and platform client.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::StreamExt;
use futures::stream::FuturesOrdered;
use tokio::sync::Semaphore;
use tracing::{Instrument, debug, info, info_span, warn};

use super::report::{PublishReport, TargetResult};
use super::targets::{Target, resolve};
use crate::auth::Connector;
use crate::platforms::{PlatformClient, PublishRequest, Published};
use crate::progress::{Progress, ProgressEvent};
use crate::publish_log::{BeginOutcome, Lease, PublishLog};
use crate::upload::UploadSessions;
use crate::validate::validate;
use crate::{AccountKey, Error, Platform, Post, Result, StoredToken, TokenStore, Violation};

/// How far before a pending attempt's start a reconciliation looks for the
/// post (clock skew between us and the platform).
const RECONCILE_SKEW: Duration = Duration::from_secs(120);

#[derive(Debug)]
pub(super) struct Inner {
    pub(super) connector: Connector,
    pub(super) store: Arc<dyn TokenStore>,
    pub(super) log: Arc<dyn PublishLog>,
    pub(super) sessions: Arc<dyn UploadSessions>,
    pub(super) clients: BTreeMap<Platform, Arc<dyn PlatformClient>>,
    /// Bound on targets in flight across every publish of this client.
    pub(super) global: Arc<Semaphore>,
    /// Bound on targets in flight within one publish.
    pub(super) per_publish: usize,
}

pub(super) struct Call<'a> {
    pub(super) user_id: &'a str,
    pub(super) post: &'a Post,
    pub(super) targets: &'a [Target],
    pub(super) idempotency_key: String,
    pub(super) progress: Progress,
    pub(super) valid_only: bool,
}

pub(super) async fn run(inner: &Inner, call: Call<'_>) -> Result<PublishReport> {
    let started = Instant::now();
    crate::account::check_id("user_id", call.user_id)?;
    crate::account::check_id("idempotency_key", &call.idempotency_key)?;
    let span = info_span!("publish", user_id = call.user_id, key = %call.idempotency_key);
    async {
        let connected = inner.store.list(call.user_id).await?;
        let resolved = resolve(call.targets, connected);

        // Validate every target before any network call.
        let mut invalid: BTreeMap<Platform, Vec<Violation>> = BTreeMap::new();
        let mut platforms: Vec<Platform> =
            resolved.accounts.iter().map(|a| a.key.platform).collect();
        platforms.dedup();
        for p in platforms {
            let v = validate(call.post, p);
            if !v.is_empty() {
                invalid.insert(p, v);
            }
        }
        if !invalid.is_empty() && !call.valid_only {
            return Err(Error::InvalidPost {
                violations: invalid.into_values().flatten().collect(),
            });
        }
        call.progress.emit(&ProgressEvent::Validated {
            targets: resolved.accounts.len(),
        });

        let per_publish = Arc::new(Semaphore::new(inner.per_publish.max(1)));
        let mut running = FuturesOrdered::new();
        for account in resolved.accounts {
            let violations = invalid.get(&account.key.platform).cloned();
            let per_publish = per_publish.clone();
            let call = &call;
            running.push_back(async move {
                let t0 = Instant::now();
                let key = account.key.clone();
                let outcome = match violations {
                    Some(violations) => Err(Error::InvalidPost { violations }),
                    None => {
                        let _a = per_publish.acquire().await;
                        let _b = inner.global.acquire().await;
                        run_target(inner, call, account).await
                    }
                };
                let (outcome, reused) = match outcome {
                    Ok((p, reused)) => (Ok(p), reused),
                    Err(e) => (Err(e), false),
                };
                report_outcome(&call.progress, &key, &outcome);
                TargetResult {
                    account: key,
                    outcome,
                    elapsed: t0.elapsed(),
                    reused,
                }
            });
        }
        let mut results: Vec<TargetResult> = running.collect().await;
        for missing in resolved.missing {
            let platform = missing.platform();
            let account = match &missing {
                Target::Account { account_id, .. } => Some(account_id.clone()),
                Target::Platform(_) => None,
            };
            let result = TargetResult {
                outcome: Err(Error::NotConnected {
                    user_id: call.user_id.to_owned(),
                    platform,
                    account: account.clone(),
                }),
                account: AccountKey {
                    user_id: call.user_id.to_owned(),
                    platform,
                    account_id: account.unwrap_or_default(),
                },
                elapsed: Duration::ZERO,
                reused: false,
            };
            report_outcome(&call.progress, &result.account, &result.outcome);
            results.push(result);
        }
        let report = PublishReport {
            idempotency_key: call.idempotency_key.clone(),
            results,
            elapsed: started.elapsed(),
        };
        info!(
            ok = report.published().count(),
            failed = report.failed().count(),
            ms = report.elapsed.as_millis() as u64,
            "publish finished"
        );
        Ok(report)
    }
    .instrument(span)
    .await
}

fn report_outcome(progress: &Progress, key: &AccountKey, outcome: &Result<Published>) {
    let event = match outcome {
        Ok(p) => ProgressEvent::Published {
            platform: key.platform,
            account: key.account_id.clone(),
            post_id: p.post_id.clone(),
            url: p.url.clone(),
        },
        Err(e) => ProgressEvent::Failed {
            platform: key.platform,
            account: key.account_id.clone(),
            code: e.code().to_owned(),
            message: e.to_string(),
        },
    };
    progress.emit(&event);
}

/// One target: claim it in the log, reconcile a pending earlier attempt,
/// get a fresh token, publish, record the result. Returns the post and
/// whether it was reused rather than created now.
async fn run_target(
    inner: &Inner,
    call: &Call<'_>,
    account: StoredToken,
) -> Result<(Published, bool)> {
    let key = account.key.clone();
    let span = info_span!("target", platform = %key.platform, account = %key.account_id);
    async {
        let client = inner
            .clients
            .get(&key.platform)
            .ok_or_else(|| {
                Error::Config(format!("{}: no app credentials configured", key.platform))
            })?
            .clone();
        let ikey = call.idempotency_key.as_str();
        let log = &inner.log;
        // Interim until the engine heartbeats: a lease long enough for a
        // whole publish.
        let lease = Lease::new(Duration::from_secs(15 * 60));
        let mut begin = log.begin(ikey, &key, &lease).await?;
        if let BeginOutcome::Reconcile { since, .. } = begin {
            // An earlier attempt never finished: it may have created the post.
            let token = inner.connector.tokens().usable(&key).await?;
            let since = since - chrono::Duration::from_std(RECONCILE_SKEW).unwrap_or_default();
            if let Some(found) = client.find_recent(&token, call.post, since).await? {
                info!(post_id = %found.post_id, "reconciled: the earlier attempt had published");
                log.mark_published(ikey, &key, &found.post_id, Some(&found.url))
                    .await?;
                return Ok((found, true));
            }
            log.mark_failed(
                ikey,
                &key,
                &lease,
                "RECONCILED_ABSENT",
                "earlier attempt did not publish",
                true,
            )
            .await?;
            begin = log.begin(ikey, &key, &lease).await?;
        }
        match begin {
            BeginOutcome::AlreadyPublished { post_id, url } => {
                let url = url.unwrap_or_default();
                return Ok((Published { post_id, url }, true));
            }
            BeginOutcome::InProgress { lease_until } => {
                return Err(Error::InProgress {
                    platform: key.platform,
                    retry_after: (lease_until - chrono::Utc::now()).to_std().ok(),
                });
            }
            _ => {}
        }

        // Interim until the engine heartbeats: a publish dropped half-way
        // (cancelled) gives its lease up, so the next call reconciles.
        let mut guard = ReleaseOnDrop {
            log: Arc::clone(log),
            ikey: ikey.to_owned(),
            key: key.clone(),
            lease: Some(lease.clone()),
        };
        let finished = async {
            // Refresh before any upload, so a rotating refresh token never
            // rotates half-way through.
            let tokens = inner.connector.tokens();
            let token = match tokens.usable(&key).await {
                Ok(t) => t,
                Err(e) => {
                    log.mark_failed(
                        ikey,
                        &key,
                        &lease,
                        e.code(),
                        &e.to_string(),
                        e.is_retryable(),
                    )
                    .await?;
                    return Err(e);
                }
            };
            let request = |token| PublishRequest {
                account: token,
                post: call.post,
                progress: call
                    .progress
                    .for_target(key.platform, key.account_id.clone()),
                sessions: inner.sessions.clone(),
                session_key: format!("{ikey}:{}:{}", key.platform, key.account_id),
            };
            let mut outcome = client.publish(request(&token)).await;
            let refreshed;
            // A 401 on a token that looked valid (clock skew, an access token
            // revoked early): refresh it once and try again. Nothing was
            // created (a refused token creates nothing).
            if matches!(outcome, Err(Error::ReauthRequired { .. })) {
                match tokens.refresh_rejected(&token).await {
                    Ok(fresh) => {
                        info!("token refused although valid here; refreshed once, retrying");
                        refreshed = fresh;
                        outcome = client.publish(request(&refreshed)).await;
                    }
                    Err(e @ Error::ReauthRequired { .. }) => {
                        debug!(error = %e, "the refused token cannot be refreshed");
                    }
                    Err(e) => outcome = Err(e),
                }
            }
            match outcome {
                Ok(p) => {
                    log.mark_published(ikey, &key, &p.post_id, Some(&p.url))
                        .await?;
                    Ok((p, false))
                }
                Err(e) => {
                    if let Error::ReauthRequired { reason, .. } = &e
                        && let Err(store_err) =
                            inner.connector.tokens().mark_reauth(&key, reason).await
                    {
                        warn!(error = %store_err, "could not flag the account for reconnection");
                    }
                    if e.maybe_committed() {
                        // Ambiguous: release the record, still pending; the next
                        // publish with this key reconciles with the platform first.
                        warn!(error = %e, "create outcome unknown; released for reconciliation");
                        log.release(ikey, &key, &lease, e.code(), &e.to_string())
                            .await?;
                    } else {
                        log.mark_failed(
                            ikey,
                            &key,
                            &lease,
                            e.code(),
                            &e.to_string(),
                            e.is_retryable(),
                        )
                        .await?;
                    }
                    Err(e)
                }
            }
        }
        .await;
        guard.lease = None;
        finished
    }
    .instrument(span)
    .await
}

/// Releases a lease whose publish was dropped before it finished.
struct ReleaseOnDrop {
    log: Arc<dyn PublishLog>,
    ikey: String,
    key: AccountKey,
    lease: Option<Lease>,
}

impl Drop for ReleaseOnDrop {
    fn drop(&mut self) {
        let (Some(lease), Ok(rt)) = (self.lease.take(), tokio::runtime::Handle::try_current())
        else {
            return;
        };
        let (log, ikey, key) = (Arc::clone(&self.log), self.ikey.clone(), self.key.clone());
        rt.spawn(async move {
            let note = "the publish was cancelled before it finished";
            if let Err(e) = log.release(&ikey, &key, &lease, "CANCELLED", note).await {
                warn!(error = %e, "could not release the lease of a cancelled publish");
            }
        });
    }
}
