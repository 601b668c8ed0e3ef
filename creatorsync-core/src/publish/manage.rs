//! The client's edit and delete of published posts; the platforms' calls
//! are in each `platforms/<p>/manage.rs`, see [`crate::lifecycle`].

use std::sync::Arc;

use super::CreatorSync;
use crate::analytics::{PostRef, account_of};
use crate::platforms::PlatformClient;
use crate::{Error, Result, StoredToken};

impl CreatorSync {
    /// Replaces the text of a published post of `user_id` (the report's
    /// reference, [`PostRef`]) where the platform allows it: LinkedIn's
    /// commentary, a Facebook post's message, a YouTube video's
    /// description. Elsewhere: [`Error::Unsupported`], nothing sent. The
    /// request is retried like a read (the same text twice is one edit).
    ///
    /// ```no_run
    /// # async fn demo(sync: creatorsync_core::CreatorSync, report: creatorsync_core::PublishReport) -> creatorsync_core::Result<()> {
    /// use creatorsync_core::analytics::PostRef;
    /// for post in PostRef::from_report(&report) {
    ///     sync.edit("user-1", &post, "Fixed the typo").await?;
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn edit(&self, user_id: &str, post: &PostRef, text: &str) -> Result<()> {
        if text.trim().is_empty() {
            return Err(Error::invalid_input("text", "the new text is empty"));
        }
        let (row, client) = self.manager_of(user_id, post).await?;
        client.edit(&row, &post.post_id, text).await
    }

    /// Deletes a published post of `user_id` where the platform's API can
    /// (X, LinkedIn, Facebook, YouTube; Instagram and TikTok:
    /// [`Error::Unsupported`], nothing sent). A post that is already gone
    /// is deleted: `Ok`, so calling it again, or after a lost answer, is
    /// safe.
    pub async fn delete(&self, user_id: &str, post: &PostRef) -> Result<()> {
        let (row, client) = self.manager_of(user_id, post).await?;
        client.delete(&row, &post.post_id).await
    }

    /// The account that published `post`, with a fresh token, and its
    /// platform's client.
    async fn manager_of(
        &self,
        user_id: &str,
        post: &PostRef,
    ) -> Result<(StoredToken, Arc<dyn PlatformClient>)> {
        if post.post_id.trim().is_empty() {
            return Err(Error::invalid_input("post.post_id", "is empty"));
        }
        let inner = &self.inner;
        let rows = inner.store.list(user_id).await?;
        let key = account_of(user_id, &rows, post)?.key.clone();
        let row = inner.connector.tokens().usable(&key).await?;
        let module = inner.registry.for_row(&row)?;
        let client = inner
            .clients
            .get(&(key.platform, module.login()))
            .cloned()
            .ok_or_else(|| {
                Error::Config(format!("{}: no app credentials configured", key.platform))
            })?;
        Ok((row, client))
    }
}
