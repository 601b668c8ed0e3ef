//! The fan-out: resolve targets, validate, then run every target
//! concurrently through the publish log, token manager and platform client.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;

use futures::StreamExt;
use futures::stream::FuturesOrdered;
use tokio::sync::Semaphore;
use tracing::{Instrument, debug, info, info_span, warn};

use super::context::{Call, Inner};
use super::held::{Claim, Held};
use super::report::{PublishReport, TargetResult};
use super::sequence::Sequence;
use super::targets::{Target, resolve};
use crate::platforms::commit::{Subject, publish_once, resolve as resolve_created};
use crate::platforms::{Commit, Published};
use crate::platforms::{FreshToken, TokenSource};
use crate::progress::{Progress, ProgressEvent};
use crate::validate::validate_with;
use crate::{AccountKey, Error, Platform, Result, StoredToken, TokenStore, Violation};

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
        // Each platform's variant of the post (the post itself unless fit
        // is on), variants shared between platforms needing the same one.
        let mut variants = crate::media::fit::Variants::default();
        let mut posts: BTreeMap<Platform, crate::Post> = BTreeMap::new();
        // A link given as a bare URL gets its card from the page, once.
        let modules = platforms
            .iter()
            .map(|p| inner.registry.get(*p))
            .collect::<Result<Vec<_>>>()?;
        let (completed, warnings) = crate::post::preview::complete(call.post, &modules).await;
        let asked = completed.as_ref().unwrap_or(call.post);
        for p in platforms {
            let module = inner.registry.get(p)?;
            let caps = inner.registry.limits(p)?;
            let post = variants.fit(module, caps, asked, call.fit).await?;
            let v = validate_with(module, caps, &post, inner.clock.now());
            if !v.is_empty() {
                invalid.insert(p, v);
            }
            posts.insert(p, post);
        }
        let posts = &posts;
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
                let (outcome, sequence) = match violations {
                    Some(violations) => {
                        (Err(Error::InvalidPost { violations }), Sequence::default())
                    }
                    None => {
                        let _a = per_publish.acquire().await;
                        let _b = inner.global.acquire().await;
                        let post = posts.get(&key.platform).unwrap_or(call.post);
                        let call = call.with_post(post);
                        let outcome = run_target(inner, &call, account.clone(), None).await;
                        let sequence = match &outcome {
                            Ok((p, _)) => super::sequence::run(inner, &call, &account, p).await,
                            Err(_) => Sequence::default(),
                        };
                        (outcome, sequence)
                    }
                };
                let (outcome, reused) = match outcome {
                    Ok((p, reused)) => (Ok(p), reused),
                    Err(e) => (Err(e), false),
                };
                report_outcome(&call.progress, &key, &outcome);
                let scheduled_for = outcome
                    .as_ref()
                    .ok()
                    .and_then(|_| inner.registry.get(key.platform).ok())
                    .and_then(|m| m.native_schedule(call.post));
                let draft = outcome
                    .as_ref()
                    .ok()
                    .filter(|_| call.post.draft)
                    .and_then(|_| inner.registry.get(key.platform).ok())
                    .and_then(|m| m.draft());
                TargetResult {
                    account: key,
                    outcome,
                    elapsed: t0.elapsed(),
                    reused,
                    scheduled_for,
                    parts: sequence.parts,
                    comment: sequence.comment,
                    draft,
                }
            });
        }
        let mut results: Vec<TargetResult> = running.collect().await;
        for missing in resolved.missing {
            let account_id = match &missing {
                Target::Account { account_id, .. } => account_id.clone(),
                Target::Platform(_) => String::new(),
            };
            let result = TargetResult {
                outcome: Err(missing.not_connected(call.user_id)),
                account: AccountKey {
                    user_id: call.user_id.to_owned(),
                    platform: missing.platform(),
                    account_id,
                },
                elapsed: Duration::ZERO,
                reused: false,
                scheduled_for: None,
                parts: Vec::new(),
                comment: None,
                draft: None,
            };
            report_outcome(&call.progress, &result.account, &result.outcome);
            results.push(result);
        }
        let report = PublishReport {
            idempotency_key: call.idempotency_key.clone(),
            results,
            elapsed: started.elapsed(),
            warnings,
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

/// One target, forward only. Claims it in the log under a lease (renewed
/// while it runs); a record left pending by an earlier attempt is looked up
/// at the platform before anything is created; a failure before the create
/// could reach the platform is recorded as failed (and a refused token is
/// refreshed once and the target run again: nothing was created); a failure
/// after it is resolved by looking the post up, never by creating again.
/// Returns the post and whether it was reused rather than created now.
///
/// With `comment_on`, the post is a comment on that post (a follow-up of
/// a sequence): created with the client's comment flow, looked up among
/// the post's comments, and under the platform's comment quotas instead of
/// the post quotas.
pub(super) async fn run_target(
    inner: &Inner,
    call: &Call<'_>,
    account: StoredToken,
    comment_on: Option<&str>,
) -> Result<(Published, bool)> {
    let key = account.key.clone();
    let span = info_span!("target", platform = %key.platform, account = %key.account_id);
    async {
        // The client of the connection mode that made the row.
        let login = inner.registry.for_row(&account)?.login();
        let client = inner
            .clients
            .get(&(key.platform, login))
            .ok_or_else(|| match login {
                None => Error::Config(format!("{}: no app credentials configured", key.platform)),
                Some(l) => Error::Config(format!(
                    "{}: no app credentials configured for the {l:?} connection mode",
                    key.platform
                )),
            })?
            .clone();
        let tokens = inner.connector.tokens();
        let held = match Held::begin(inner, &call.idempotency_key, &key).await? {
            Claim::Done(result) => return result,
            Claim::Held(held) => held,
        };
        let subject = Subject {
            post: call.post,
            comment_on,
        };
        if let Some(done) = held.reconcile_earlier(&*client, tokens, subject).await {
            return done;
        }

        // Refresh before any upload, so a rotating refresh token never
        // rotates half-way through.
        let mut token = match tokens.usable(&key).await {
            Ok(t) => t,
            Err(e) => return Err(held.failed(e).await),
        };
        // Every quota the post uses, before any byte is uploaded.
        let reserved = match comment_on {
            Some(_) => super::quota::reserve_comment(inner, &account, &call.idempotency_key).await,
            None => super::quota::reserve(inner, &account, call.post, &call.idempotency_key).await,
        };
        let reserved = match reserved {
            Ok(r) => r,
            Err(e) => return Err(held.failed(e).await),
        };
        let source: Arc<dyn TokenSource> = Arc::new(tokens.clone());
        let mut commit = Commit::with_hook(held.hook());
        let mut outcome = publish_once(
            &*client,
            held.request(
                call,
                &token,
                commit.clone(),
                FreshToken::new(source.clone()),
            ),
            comment_on,
        )
        .await;
        // A 401 on a token that looked valid (clock skew, an access token
        // revoked early), and nothing was created (the failure came before
        // the create, or the lookup showed nothing there): refresh the
        // token once and run the target again.
        if matches!(outcome, Err(Error::ReauthRequired { .. })) {
            match tokens.refresh_rejected(&token).await {
                Ok(fresh) => {
                    info!("token refused although valid here; refreshed once, retrying");
                    token = fresh;
                    commit = Commit::with_hook(held.hook());
                    outcome = publish_once(
                        &*client,
                        held.request(
                            call,
                            &token,
                            commit.clone(),
                            FreshToken::new(source.clone()),
                        ),
                        comment_on,
                    )
                    .await;
                }
                Err(e @ Error::ReauthRequired { .. }) => {
                    debug!(error = %e, "the refused token cannot be refreshed");
                }
                Err(e) => outcome = Err(e),
            }
        }
        // After the create, a refused token also failed the lookup: refresh
        // it once and look again (never create again).
        let refused_after_create = matches!(
            &outcome,
            Err(Error::OutcomeUnknown { cause, .. } | Error::CreatedUnfinished { cause, .. })
                if matches!(**cause, Error::ReauthRequired { .. })
        );
        if refused_after_create && let Err(cause) = outcome {
            outcome = match tokens.refresh_rejected(&token).await {
                Ok(fresh) => {
                    info!("token refused after the create; refreshed once, looking the post up");
                    let status = commit.status();
                    let sent_at = status.sent_at.unwrap_or_else(Utc::now);
                    let cause = match cause {
                        Error::OutcomeUnknown { cause, .. }
                        | Error::CreatedUnfinished { cause, .. } => *cause,
                        other => other,
                    };
                    resolve_created(&*client, &fresh, subject, sent_at, &status, cause).await
                }
                Err(_) => Err(cause),
            };
        }
        let create_sent = commit.status().sent_at.is_some();
        super::quota::settle(inner, &account, &reserved, &outcome, create_sent).await;
        match outcome {
            Ok(p) => {
                held.published(&p).await;
                Ok((p, false))
            }
            Err(e) => {
                if let Error::ReauthRequired { reason, .. } = &e
                    && let Err(store_err) = tokens.mark_reauth(&key, reason).await
                {
                    warn!(error = %store_err, "could not flag the account for reconnection");
                }
                Err(held.unsettled(e).await)
            }
        }
    }
    .instrument(span)
    .await
}
