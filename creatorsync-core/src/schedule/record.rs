//! A scheduled post as kept in the [`KeyValueStore`]
//! (`creatorsync/schedule/{id}`), and the one compare-and-swap loop every
//! state change goes through: of two workers (or a worker and a `cancel`)
//! changing the same record, exactly one wins and the other re-reads.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{DateTime, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};

use super::view::{ScheduleState, TargetMode, TargetOutcome};
use crate::kv::cas::{self, Decision};
use crate::kv::layout;
use crate::media::{FileSource, UrlSource};
use crate::{
    Error, KeyValueStore, LinkPreview, Media, Mention, Platform, PlatformOptions, Post, Result,
    Target,
};

/// One media item, kept as where to open it again.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct StoredMedia {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) path: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) alt_text: Option<String>,
}

/// The post, kept so it can be built again when due.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct StoredPost {
    pub(crate) text: String,
    #[serde(default)]
    pub(crate) media: Vec<StoredMedia>,
    #[serde(default)]
    pub(crate) options: PlatformOptions,
    /// The thread's parts after the first (`Post::thread`).
    #[serde(default)]
    pub(crate) thread: Vec<StoredPart>,
    #[serde(default)]
    pub(crate) first_comment: Option<String>,
    #[serde(default)]
    pub(crate) thread_mode: crate::ThreadMode,
    /// Per-platform text overrides (`Post::texts`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub(crate) texts: BTreeMap<Platform, String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub(crate) mentions: BTreeMap<String, Mention>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub(crate) mention_fallback: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) link: Option<LinkPreview>,
    /// Publish as a draft (`Post::draft`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub(crate) draft: bool,
}

/// One thread part, kept.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct StoredPart {
    pub(crate) text: String,
    #[serde(default)]
    pub(crate) media: Vec<StoredMedia>,
}

/// What to keep of `media` (named `field[i]` in errors): files or public
/// URLs only.
fn keep_media(field: &str, media: &[Media]) -> Result<Vec<StoredMedia>> {
    let mut out = Vec::with_capacity(media.len());
    for (i, m) in media.iter().enumerate() {
        let src = m.source();
        let (path, url) = if let Some(p) = src.local_path() {
            let p = p.to_str().ok_or_else(|| {
                Error::invalid_input(format!("{field}[{i}]"), "the file path is not UTF-8")
            })?;
            (Some(p.to_owned()), None)
        } else if let Some(u) = src.public_url() {
            (None, Some(u.to_string()))
        } else {
            return Err(Error::invalid_input(
                format!("{field}[{i}]"),
                "a scheduled post's media must be a file or a public URL \
                 (bytes in memory do not last until the post is due)",
            ));
        };
        out.push(StoredMedia {
            path,
            url,
            alt_text: m.alt_text().map(str::to_owned),
        });
    }
    Ok(out)
}

/// The media again (each item described anew).
async fn media_again(stored: &[StoredMedia]) -> Result<Vec<Media>> {
    let mut out = Vec::with_capacity(stored.len());
    for m in stored {
        let media = match (&m.path, &m.url) {
            (Some(p), _) => Media::new(FileSource::new(p)).await?,
            (None, Some(u)) => Media::new(UrlSource::new(u.clone())?).await?,
            (None, None) => {
                return Err(Error::store("a stored scheduled media item has no source"));
            }
        };
        out.push(match &m.alt_text {
            Some(a) => media.with_alt_text(a.clone()),
            None => media,
        });
    }
    Ok(out)
}

impl StoredPost {
    /// What to keep of `post`: media must be files or public URLs (bytes
    /// in memory do not outlive the process). Every field of [`Post`] is
    /// named here and in [`StoredPost::to_post`], so a new field fails to
    /// compile until the scheduler keeps it (a scheduled post once lost
    /// its per-platform text and its draft flag this way).
    pub(crate) fn of(post: &Post) -> Result<Self> {
        let Post {
            text,
            texts,
            media,
            options,
            thread,
            first_comment,
            thread_mode,
            draft,
            mentions,
            mention_fallback,
            link,
        } = post;
        let mut parts = Vec::with_capacity(thread.len());
        for (i, part) in thread.iter().enumerate() {
            parts.push(StoredPart {
                text: part.text.clone(),
                media: keep_media(&format!("post.thread[{i}].media"), &part.media)?,
            });
        }
        Ok(Self {
            text: text.clone(),
            media: keep_media("post.media", media)?,
            options: options.clone(),
            thread: parts,
            first_comment: first_comment.clone(),
            thread_mode: *thread_mode,
            texts: texts.clone(),
            mentions: mentions.clone(),
            mention_fallback: *mention_fallback,
            link: link.clone(),
            draft: *draft,
        })
    }

    /// The post again (each media item described anew).
    pub(crate) async fn to_post(&self) -> Result<Post> {
        let mut thread = Vec::with_capacity(self.thread.len());
        for part in &self.thread {
            thread.push(crate::ThreadPart {
                text: part.text.clone(),
                media: media_again(&part.media).await?,
            });
        }
        Ok(Post {
            text: self.text.clone(),
            texts: self.texts.clone(),
            media: media_again(&self.media).await?,
            options: self.options.clone(),
            thread,
            first_comment: self.first_comment.clone(),
            thread_mode: self.thread_mode,
            draft: self.draft,
            mentions: self.mentions.clone(),
            mention_fallback: self.mention_fallback,
            link: self.link.clone(),
        })
    }
}

/// A target as kept.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct StoredTarget {
    pub(crate) platform: Platform,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) account_id: Option<String>,
}

impl From<&Target> for StoredTarget {
    fn from(t: &Target) -> Self {
        match t {
            Target::Platform(p) => Self {
                platform: *p,
                account_id: None,
            },
            Target::Account {
                platform,
                account_id,
            } => Self {
                platform: *platform,
                account_id: Some(account_id.clone()),
            },
        }
    }
}

impl From<&StoredTarget> for Target {
    fn from(t: &StoredTarget) -> Self {
        match &t.account_id {
            None => Target::Platform(t.platform),
            Some(a) => Target::Account {
                platform: t.platform,
                account_id: a.clone(),
            },
        }
    }
}

/// The whole record.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct Record {
    pub(crate) id: String,
    pub(crate) user_id: String,
    pub(crate) post: StoredPost,
    #[serde(default)]
    pub(crate) targets: Vec<StoredTarget>,
    #[serde(default)]
    pub(crate) valid_only: bool,
    /// Platforms asked to schedule natively (upload early, go live at the
    /// time on the platform's own clock).
    #[serde(default)]
    pub(crate) native: Vec<Platform>,
    pub(crate) due_at: DateTime<Utc>,
    /// The quota ledger keys the post uses (to count it against quotas
    /// when later posts are scheduled into the same window).
    #[serde(default)]
    pub(crate) quota_keys: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) zone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) local_time: Option<NaiveDateTime>,
    pub(crate) state: ScheduleState,
    /// Bumped by every reschedule and retry: a job carrying an older
    /// generation is stale and does nothing.
    pub(crate) generation: u32,
    /// Runs started (a redelivery after a dead worker counts again).
    pub(crate) attempts: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) worker: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) lease_until: Option<DateTime<Utc>>,
    #[serde(default)]
    pub(crate) results: Vec<TargetOutcome>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) error: Option<super::view::ErrorSummary>,
    pub(crate) created_at: DateTime<Utc>,
    pub(crate) updated_at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) started_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) finished_at: Option<DateTime<Utc>>,
}

impl Record {
    /// The mode a target's platform runs in.
    pub(crate) fn mode_of(&self, platform: Platform) -> TargetMode {
        if self.native.contains(&platform) {
            TargetMode::Native
        } else {
            TargetMode::AtTime
        }
    }
}

/// The records over one key-value store.
#[derive(Clone, Debug)]
pub(crate) struct Records {
    kv: Arc<dyn KeyValueStore>,
}

impl Records {
    pub(crate) fn new(kv: Arc<dyn KeyValueStore>) -> Self {
        Self { kv }
    }

    /// Inserts a new record; [`Error::Conflict`] when the id exists.
    pub(crate) async fn insert(&self, rec: &Record) -> Result<()> {
        let text = layout::encode("scheduled post", rec)?;
        self.kv.put(&layout::schedule(&rec.id), &text, None).await?;
        Ok(())
    }

    /// The record and its version.
    pub(crate) async fn get(&self, id: &str) -> Result<Option<(Record, u64)>> {
        let Some(v) = self.kv.get(&layout::schedule(id)).await? else {
            return Ok(None);
        };
        Ok(Some((
            layout::decode("scheduled post", &v.value)?,
            v.version,
        )))
    }

    /// Every record (for `list` and the health view).
    pub(crate) async fn all(&self) -> Result<Vec<Record>> {
        self.kv
            .list(&layout::all_schedules())
            .await?
            .into_iter()
            .map(|(_, v)| layout::decode("scheduled post", &v.value))
            .collect()
    }

    /// Applies `change` by compare-and-swap until it lands, re-reading on
    /// every conflict. `change` sees the current record and returns the
    /// new one, or an error (the transition is not allowed now) which is
    /// returned as is. `NotFound` when the id is unknown.
    pub(crate) async fn update(
        &self,
        id: &str,
        mut change: impl FnMut(&Record) -> Result<Record>,
    ) -> Result<Record> {
        let key = layout::schedule(id);
        cas::update(
            self.kv.as_ref(),
            &key,
            &format!("scheduled post {id}"),
            |text| {
                let Some(text) = text else {
                    return Err(not_found(id));
                };
                let next = change(&layout::decode("scheduled post", text)?)?;
                Ok(Decision::Write(
                    layout::encode("scheduled post", &next)?,
                    next,
                ))
            },
        )
        .await
    }

    /// Removes a record (one whose job could not be enqueued).
    pub(crate) async fn remove(&self, id: &str) -> Result<()> {
        self.kv.delete(&layout::schedule(id), None).await?;
        Ok(())
    }

    /// The id an idempotency key already scheduled, or records `id` for it.
    pub(crate) async fn claim_key(
        &self,
        user_id: &str,
        key: &str,
        id: &str,
    ) -> Result<Option<String>> {
        let k = layout::schedule_key(user_id, key);
        match self.kv.put(&k, id, None).await {
            Ok(_) => Ok(None),
            Err(Error::Conflict { .. }) => Ok(self.kv.get(&k).await?.map(|v| v.value)),
            Err(e) => Err(e),
        }
    }

    /// Forgets an idempotency key (the schedule it named was refused).
    pub(crate) async fn release_key(&self, user_id: &str, key: &str) -> Result<()> {
        self.kv
            .delete(&layout::schedule_key(user_id, key), None)
            .await?;
        Ok(())
    }
}

/// The error for an unknown schedule id.
pub(crate) fn not_found(id: &str) -> Error {
    Error::invalid_input("schedule_id", format!("no scheduled post {id:?}"))
}

#[cfg(test)]
mod thread_tests {
    use super::StoredPost;
    use crate::{Platform, Post, ThreadMode, ThreadPart};

    #[tokio::test]
    async fn a_scheduled_post_keeps_its_thread_and_first_comment() {
        let mut post = Post::text("one");
        post.thread = vec![ThreadPart::text("two")];
        post.first_comment = Some("link".into());
        post.thread_mode = ThreadMode::Comments;
        post.draft = true;
        let json = serde_json::to_string(&StoredPost::of(&post).unwrap()).unwrap();
        let back: StoredPost = serde_json::from_str(&json).unwrap();
        let again = back.to_post().await.unwrap();
        assert_eq!(again.thread.len(), 1);
        assert_eq!(again.thread[0].text, "two");
        assert_eq!(again.first_comment.as_deref(), Some("link"));
        assert_eq!(again.thread_mode, ThreadMode::Comments);
        assert!(again.draft);
        // A record stored before threads existed still loads.
        let old: StoredPost = serde_json::from_str(r#"{"text":"old"}"#).unwrap();
        assert!(old.to_post().await.unwrap().thread.is_empty());
    }

    #[tokio::test]
    async fn a_scheduled_post_keeps_its_per_platform_text() {
        let mut post = Post::text("everywhere");
        post.texts.insert(Platform::X, "short for X".into());
        let json = serde_json::to_string(&StoredPost::of(&post).unwrap()).unwrap();
        let back: StoredPost = serde_json::from_str(&json).unwrap();
        let again = back.to_post().await.unwrap();
        assert_eq!(again.text_for(Platform::X), "short for X");
        assert_eq!(again.text_for(Platform::LinkedIn), "everywhere");
        // A record stored before per-platform text was kept still loads.
        let old: StoredPost = serde_json::from_str(r#"{"text":"old"}"#).unwrap();
        assert!(old.to_post().await.unwrap().texts.is_empty());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_scheduled_post_keeps_its_mentions_and_link() {
        let mut post = Post::text("Hi @{ada}")
            .with_mention("ada", Mention::new("Ada").with_id(Platform::X, "ada"))
            .with_link(LinkPreview::new("https://example.com/a"));
        post.mention_fallback = true;
        let json = serde_json::to_string(&StoredPost::of(&post).unwrap()).unwrap();
        let back: StoredPost = serde_json::from_str(&json).unwrap();
        let again = back.to_post().await.unwrap();
        assert_eq!(again.mentions, post.mentions);
        assert_eq!(again.link, post.link);
        assert!(again.mention_fallback);
        // Records written before these fields read as before.
        let old: StoredPost = serde_json::from_str(r#"{"text":"t"}"#).unwrap();
        assert!(old.mentions.is_empty() && old.link.is_none() && !old.mention_fallback);
    }
}
