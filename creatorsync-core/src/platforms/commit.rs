//! The create's point of no return, and the one place that resolves a
//! publish which failed after it.
//!
//! A platform client marks, through [`Commit`], the moment its create request
//! may reach the platform ([`Commit::create`] around the request, or
//! [`Commit::sending`] just before a request that completes an upload) and
//! what it learns of the created post ([`Commit::acknowledged`]). From that
//! moment on the target only moves forward: [`publish_once`] resolves any
//! later failure (401, 429, timeout, processing, permalink) by looking the
//! post up through [`PlatformClient::reconcile`], and answers with the post,
//! with [`Error::CreatedUnfinished`] (it exists, a later step failed) or
//! with [`Error::OutcomeUnknown`] (it may exist; look again before creating).
//! A failure before that moment created nothing and is returned as it is.
//!
//! The publisher gives the commit a [`CommitHook`] that writes each mark to
//! the publish log before the request leaves, so a crash at any point is
//! recovered by looking up rather than creating again.

use std::fmt::Debug;
use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError};

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::{PlatformClient, PublishRequest, Published};
use crate::{Error, Post, Result, StoredToken};

/// How far before the create a reconciliation looks for the post (clock
/// skew between us and the platform). The one allowance: the lookups
/// ([`super::common::Listed::made_by`]) take the `since` given, already
/// moved back by this.
pub(crate) const RECONCILE_SKEW: chrono::TimeDelta = chrono::TimeDelta::seconds(300);

/// What the platform says about an attempt whose create may have reached
/// it ([`PlatformClient::reconcile`]).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Lookup {
    /// The post exists and is live.
    Found(Published),
    /// Something was created but is not live: still processing, or
    /// processing failed. Never create again.
    Unfinished {
        /// The platform's id of what exists (post, video or publish id).
        post_id: String,
        /// What the platform says about it.
        reason: String,
    },
    /// Nothing was created: creating now makes the only post.
    Absent,
}

impl Lookup {
    /// What a search of the platform's recent posts (or comments) means:
    /// found; not found although the platform acknowledged the create
    /// (`reference`): unfinished, never absent; else absent.
    pub(crate) fn of_search(found: Option<Published>, reference: Option<&str>) -> Self {
        match (found, reference) {
            (Some(p), _) => Lookup::Found(p),
            (None, Some(id)) => Lookup::Unfinished {
                post_id: id.to_owned(),
                reason: "acknowledged by the platform but not found by the lookup".into(),
            },
            (None, None) => Lookup::Absent,
        }
    }
}

/// Durable record of the marks, written before the request they announce
/// (the publisher's publish-log writer). An error aborts the request.
#[async_trait]
pub trait CommitHook: Send + Sync + Debug {
    /// The create may now reach the platform; `reference` is what the
    /// client knows of it so far (None keeps an earlier one).
    async fn sending(&self, reference: Option<&str>) -> Result<()>;
}

#[derive(Debug, Default)]
struct State {
    /// When the create was (about to be) sent.
    sent_at: Option<DateTime<Utc>>,
    /// The platform refused the create for certain: nothing was created.
    refused: bool,
    /// The platform answered the create with success.
    acknowledged: bool,
    /// What identifies the created post or attempt at the platform.
    reference: Option<String>,
}

/// The create marks of one publish attempt. Cheap to clone (shared state).
#[derive(Clone, Debug, Default)]
pub struct Commit {
    state: Arc<Mutex<State>>,
    hook: Option<Arc<dyn CommitHook>>,
}

/// Where a [`Commit`] stands, read after the client returned.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CommitStatus {
    /// When the create may have reached the platform (None: it cannot have).
    pub sent_at: Option<DateTime<Utc>>,
    /// The platform answered the create with success.
    pub acknowledged: bool,
    /// What identifies the created post or attempt at the platform.
    pub reference: Option<String>,
}

impl Commit {
    /// Marks kept in memory only (a client used on its own).
    pub fn new() -> Self {
        Self::default()
    }

    /// Marks that `hook` records durably before each request leaves.
    pub fn with_hook(hook: Arc<dyn CommitHook>) -> Self {
        Self {
            state: Arc::default(),
            hook: Some(hook),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Call just before sending a request that may create the post (or
    /// complete the upload that creates it). Errors when the mark cannot be
    /// recorded (e.g. another call took the target over): then do not send.
    pub async fn sending(&self, reference: Option<&str>) -> Result<()> {
        self.mark(reference, false).await
    }

    /// The platform accepted the create; `reference` identifies the post
    /// (or, where the post id comes later, the attempt). Recorded durably
    /// so a crash after this point finishes by looking the post up.
    pub async fn acknowledged(&self, reference: &str) -> Result<()> {
        self.mark(Some(reference), true).await
    }

    /// Records the mark durably (through the hook) and then here.
    async fn mark(&self, reference: Option<&str>, acknowledged: bool) -> Result<()> {
        if let Some(hook) = &self.hook {
            hook.sending(reference).await?;
        }
        let mut s = self.lock();
        s.sent_at.get_or_insert_with(Utc::now);
        s.refused = false;
        s.acknowledged |= acknowledged;
        if let Some(r) = reference {
            s.reference = Some(r.to_owned());
        }
        Ok(())
    }

    /// Runs the create request `create`: marks [`Commit::sending`] first;
    /// a failure that certainly did not reach the platform's state (a 4xx
    /// or 429 answer, a connection refused) un-marks it, anything else
    /// leaves the create possibly committed.
    pub async fn create<T, Fut>(&self, reference: Option<&str>, create: Fut) -> Result<T>
    where
        Fut: Future<Output = Result<T>>,
    {
        self.sending(reference).await?;
        let result = create.await;
        if let Err(e) = &result
            && !e.maybe_committed()
        {
            self.refused();
        }
        result
    }

    /// The request announced by [`Commit::sending`] was refused for certain
    /// (the platform answered with a definite error): nothing was created.
    pub fn refused(&self) {
        let mut s = self.lock();
        if !s.acknowledged {
            s.refused = true;
        }
    }

    /// Where the marks stand.
    pub fn status(&self) -> CommitStatus {
        let s = self.lock();
        CommitStatus {
            sent_at: s.sent_at.filter(|_| !s.refused),
            acknowledged: s.acknowledged,
            reference: s.reference.clone(),
        }
    }
}

/// Publishes exactly once through `client` (what
/// [`PlatformClient::publish`] does): runs the platform's flow and, when it
/// fails after its create may have reached the platform, resolves the
/// outcome with [`resolve`]. Never sends a second create.
///
/// With `comment_on`, the post is a comment on that post instead
/// ([`PlatformClient::comment_flow`], looked up with
/// [`PlatformClient::find_comment`]).
pub(crate) async fn publish_once<C>(
    client: &C,
    req: PublishRequest<'_>,
    comment_on: Option<&str>,
) -> Result<Published>
where
    C: PlatformClient + ?Sized,
{
    let flow = match comment_on {
        None => client.publish_flow(&req).await,
        Some(parent) => client.comment_flow(&req, parent).await,
    };
    let error = match flow {
        Ok(p) => return Ok(p),
        Err(e) => e,
    };
    let status = req.commit.status();
    let Some(sent_at) = status.sent_at else {
        return Err(error);
    };
    tracing::warn!(platform = %client.platform(), error = %error, "failed after the create was sent; looking the post up");
    let subject = Subject {
        post: req.post,
        comment_on,
    };
    resolve(client, req.account, subject, sent_at, &status, error).await
}

/// What a reconciliation looks for: a post, or a comment on `comment_on`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Subject<'a> {
    /// The post (a comment's text is the post's text).
    pub(crate) post: &'a Post,
    /// The post commented on, for a comment.
    pub(crate) comment_on: Option<&'a str>,
}

impl<'a> From<&'a Post> for Subject<'a> {
    fn from(post: &'a Post) -> Self {
        Self {
            post,
            comment_on: None,
        }
    }
}

/// Resolves an attempt whose create may have reached the platform: the post
/// when it is found, [`Error::CreatedUnfinished`] when it exists but is not
/// live, [`Error::OutcomeUnknown`] when the lookup itself failed (or
/// [`Error::CreatedUnfinished`] when the platform had acknowledged the
/// create), and `cause` unchanged when the platform says nothing was
/// created.
pub(crate) async fn resolve<C>(
    client: &C,
    account: &StoredToken,
    subject: Subject<'_>,
    sent_at: DateTime<Utc>,
    status: &CommitStatus,
    cause: Error,
) -> Result<Published>
where
    C: PlatformClient + ?Sized,
{
    let platform = client.platform();
    let since = sent_at - RECONCILE_SKEW;
    let reference = status.reference.as_deref();
    let created = |post_id: String, cause: Error| Error::CreatedUnfinished {
        platform,
        post_id,
        url: None,
        cause: Box::new(cause),
    };
    let lookup = match subject.comment_on {
        None => {
            client
                .reconcile(account, subject.post, since, reference)
                .await
        }
        Some(parent) => client
            .find_comment(account, parent, subject.post, since)
            .await
            .map(|found| Lookup::of_search(found, reference)),
    };
    match lookup {
        // The platform's verdict on the media (processing failed) stands:
        // a lookup that shows the post makes it unfinished, not published.
        Ok(Lookup::Found(p)) if matches!(cause, Error::MediaRejected { .. }) => {
            Err(created(p.post_id, cause))
        }
        Ok(Lookup::Found(p)) => {
            tracing::info!(%platform, post_id = %p.post_id, "reconciled: the post exists");
            Ok(p)
        }
        Ok(Lookup::Unfinished { post_id, reason }) => {
            tracing::warn!(%platform, %post_id, %reason, "the post exists but is not finished");
            Err(created(post_id, cause))
        }
        Ok(Lookup::Absent) => Err(cause),
        Err(lookup) => {
            tracing::warn!(%platform, error = %lookup, "the reconciliation lookup failed");
            match reference {
                Some(r) if status.acknowledged => Err(created(r.to_owned(), cause)),
                _ => Err(Error::OutcomeUnknown {
                    platform,
                    cause: Box::new(cause),
                }),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn transport(maybe_sent: bool) -> Error {
        Error::Transport {
            platform: None,
            message: "reset".into(),
            maybe_sent,
            timeout: false,
            source: None,
        }
    }

    #[tokio::test]
    async fn a_definite_refusal_unmarks_the_create_and_an_ambiguous_one_does_not() {
        let c = Commit::new();
        assert_eq!(c.status().sent_at, None);
        let r: Result<()> = c.create(None, async { Err(transport(false)) }).await;
        assert!(r.is_err());
        assert_eq!(c.status().sent_at, None, "refused: nothing was created");
        let r: Result<()> = c
            .create(Some("ref-1"), async { Err(transport(true)) })
            .await;
        assert!(r.is_err());
        let s = c.status();
        assert!(s.sent_at.is_some(), "may have landed");
        assert_eq!(s.reference.as_deref(), Some("ref-1"));
        assert!(!s.acknowledged);
    }

    #[tokio::test]
    async fn an_acknowledged_create_stays_committed() {
        let c = Commit::new();
        c.acknowledged("post-9").await.unwrap();
        c.refused();
        let s = c.status();
        assert!(s.sent_at.is_some() && s.acknowledged);
        assert_eq!(s.reference.as_deref(), Some("post-9"));
    }

    #[derive(Debug)]
    struct Refusing;
    #[async_trait]
    impl CommitHook for Refusing {
        async fn sending(&self, _: Option<&str>) -> Result<()> {
            Err(Error::store("lease lost"))
        }
    }

    #[tokio::test]
    async fn a_mark_that_cannot_be_recorded_stops_the_request() {
        let c = Commit::with_hook(Arc::new(Refusing));
        let mut ran = false;
        let r: Result<()> = c
            .create(None, async {
                ran = true;
                Ok(())
            })
            .await;
        assert!(r.is_err());
        assert!(!ran, "the create must not be sent");
        assert_eq!(c.status().sent_at, None);
    }
}
