//! The client's analytics calls; the work is in [`crate::analytics`].

use std::ops::RangeBounds;

use chrono::{DateTime, Utc};
use tracing::warn;

use super::CreatorSync;
use crate::analytics::{
    History, MetricsResult, PostMetrics, PostRef, RefreshPolicy, RefreshReport, Source, fetch,
};
use crate::{AccountKey, Result};

impl CreatorSync {
    fn source(&self) -> Source<'_> {
        let inner = &self.inner;
        Source {
            store: inner.store.as_ref(),
            tokens: inner.connector.tokens(),
            registry: &inner.registry,
            clients: &inner.clients,
            ledger: &inner.ledger,
            clock: inner.clock.as_ref(),
        }
    }

    fn history(&self) -> History {
        History::new(self.inner.ledger.kv().clone())
    }

    /// Keeps every successful read in its post's history. A failure to
    /// store one is logged: the caller still gets the metrics it asked for.
    async fn keep(&self, user_id: &str, results: &[MetricsResult]) {
        let history = self.history();
        for m in results.iter().filter_map(|r| r.outcome.as_ref().ok()) {
            if let Err(e) = history.record(user_id, m).await {
                warn!(error = %e, platform = %m.platform, "could not store a metrics snapshot");
            }
        }
    }

    /// The metrics of `posts` published by `user_id`'s accounts, one result
    /// per post in order (a post that cannot be read fails alone). Posts of
    /// one account are read in batches of the most ids one call of its
    /// platform allows; every read is kept in the post's history
    /// ([`CreatorSync::metrics_history`]).
    ///
    /// ```no_run
    /// # async fn demo(sync: creatorsync_core::CreatorSync, report: creatorsync_core::PublishReport) -> creatorsync_core::Result<()> {
    /// use creatorsync_core::analytics::PostRef;
    /// for r in sync.metrics("user-1", &PostRef::from_report(&report)).await? {
    ///     match r.outcome {
    ///         Ok(m) => println!("{} {}: views {:?}, reach {:?}", m.platform, m.post_id, m.views, m.reach),
    ///         Err(e) => eprintln!("{}: {e}", r.post.post_id),
    ///     }
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn metrics(&self, user_id: &str, posts: &[PostRef]) -> Result<Vec<MetricsResult>> {
        let results = fetch(&self.source(), user_id, posts).await?;
        self.keep(user_id, &results).await;
        Ok(results)
    }

    /// The posts of `user_id` whose metrics history is kept (each read at
    /// least once), in key order.
    pub async fn tracked_posts(&self, user_id: &str) -> Result<Vec<PostRef>> {
        Ok(self
            .history()
            .tracked(Some(user_id))
            .await?
            .into_iter()
            .map(|t| t.post)
            .collect())
    }

    /// Every stored snapshot of `post` of `user_id` taken within `range`,
    /// oldest first (empty when the post was never read).
    pub async fn metrics_history(
        &self,
        user_id: &str,
        post: &PostRef,
        range: impl RangeBounds<DateTime<Utc>>,
    ) -> Result<Vec<PostMetrics>> {
        let account = match &post.account_id {
            Some(id) => AccountKey::new(user_id, post.platform, id.clone())?,
            None => {
                let rows = self.inner.store.list(user_id).await?;
                crate::analytics::account_of(user_id, &rows, post)?
                    .key
                    .clone()
            }
        };
        let tracked = self.history().get(user_id, &account, &post.post_id).await?;
        Ok(tracked
            .map(|t| t.snapshots)
            .unwrap_or_default()
            .into_iter()
            .filter(|s| range.contains(&s.fetched_at))
            .collect())
    }

    /// Reads again every tracked post (of `user_id`, or of every user when
    /// `None`) whose next snapshot is due at `now` under `policy`, and
    /// stores the snapshots. A post is tracked from its first
    /// [`CreatorSync::metrics`] read. The SDK runs no timer of its own:
    /// set [`crate::schedule::SchedulerConfig::analytics`] to have the
    /// scheduler's workers run it, or call this from your scheduler (it is
    /// cheap when nothing is due) and sleep until
    /// [`RefreshReport::next_due`].
    pub async fn refresh_due_metrics(
        &self,
        user_id: Option<&str>,
        now: DateTime<Utc>,
        policy: &RefreshPolicy,
    ) -> Result<RefreshReport> {
        let history = self.history();
        let tracked = history.tracked(user_id).await?;
        let mut due: std::collections::BTreeMap<String, Vec<PostRef>> = Default::default();
        for t in &tracked {
            if t.next_due(policy).is_some_and(|at| at <= now) {
                due.entry(t.user_id.clone())
                    .or_default()
                    .push(t.post.clone());
            }
        }
        let mut results = Vec::new();
        for (user, posts) in &due {
            results.extend(self.metrics(user, posts).await?);
        }
        let next_due = history
            .tracked(user_id)
            .await?
            .iter()
            .filter_map(|t| t.next_due(policy))
            .filter(|at| *at > now)
            .min();
        Ok(RefreshReport { results, next_due })
    }
}
