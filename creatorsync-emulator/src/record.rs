//! What the emulator saw: every request the platform listeners received,
//! published posts, received upload chunks and counters, so tests assert
//! exactly what was published, that nothing was published twice, and which
//! HTTP steps a publish took.

use std::collections::BTreeMap;
use std::sync::Mutex;

use chrono::{DateTime, Utc};
use creatorsync_core::Platform;
use serde::{Deserialize, Serialize};

/// One media item attached to a published post.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MediaRecord {
    /// Hex SHA-256 of the bytes as received.
    pub sha256: String,
    /// Byte length.
    pub len: u64,
    /// MIME type as declared by the client.
    pub mime: Option<String>,
    /// Platform media id.
    pub media_id: String,
    /// What the emulator saw inside the media, where the platform checks it
    /// (Instagram containers, Facebook photos and simple videos); `None`
    /// elsewhere.
    #[serde(default)]
    pub seen: Option<Inspected>,
}

/// What the emulator read inside received media, from its first bytes
/// (the core's `probe` over [`crate::body::HEAD_KEEP`] bytes).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Inspected {
    /// `mp4`, `mov`, `jpeg`, `png`, ... (empty: not recognised).
    pub format: String,
    /// Width in pixels, as displayed.
    pub width: Option<u32>,
    /// Height in pixels, as displayed.
    pub height: Option<u32>,
    /// A video's duration in milliseconds.
    pub duration_ms: Option<u64>,
    /// For an MP4 / MOV: whether `moov` came before the media data, within
    /// the first bytes, as a progressive reader needs it.
    pub moov_first: Option<bool>,
}

/// A post as published.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordedPost {
    /// Platform.
    pub platform: Platform,
    /// Account it was published on (X user id, person/org id, page id, ig id, channel, open_id).
    pub account_id: String,
    /// The platform's post id.
    pub post_id: String,
    /// Text / caption / description.
    pub text: String,
    /// Title, where the platform has one (YouTube).
    pub title: Option<String>,
    /// Media.
    pub media: Vec<MediaRecord>,
    /// Canonical URL.
    pub url: String,
    /// Creation time on the emulator clock.
    pub created_at: DateTime<Utc>,
    /// Whether it was deleted since.
    pub deleted: bool,
    /// Free-form platform details (privacy, visibility, reply ids...).
    #[serde(default)]
    pub extra: BTreeMap<String, String>,
    /// When the platform makes it live, for a natively scheduled post
    /// (Facebook `scheduled_publish_time`, YouTube `publishAt`).
    #[serde(default)]
    pub scheduled_for: Option<DateTime<Utc>>,
}

/// The [`RecordedPost::extra`] key a draft carries (`"draft"`: a Facebook
/// unpublished post, a private YouTube draft, a TikTok inbox upload).
pub const STATE_KEY: &str = "state";

/// The [`RecordedPost::extra`] key counting the edits of a post's text.
pub const EDITS_KEY: &str = "edits";

impl RecordedPost {
    /// `deleted`, `draft` or `published`.
    pub fn state(&self) -> &str {
        if self.deleted {
            "deleted"
        } else {
            self.extra
                .get(STATE_KEY)
                .map_or("published", String::as_str)
        }
    }

    /// How often the text was edited since it was published.
    pub fn edits(&self) -> u64 {
        self.extra
            .get(EDITS_KEY)
            .and_then(|n| n.parse().ok())
            .unwrap_or(0)
    }

    /// Whether the post is visible at `now` (the emulator clock): not
    /// scheduled, or its scheduled time has come.
    pub fn is_live(&self, now: DateTime<Utc>) -> bool {
        self.scheduled_for.is_none_or(|at| at <= now)
    }
}

/// One received upload chunk.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChunkRecord {
    /// Platform.
    pub platform: Platform,
    /// Upload/session id.
    pub upload_id: String,
    /// First byte offset in the file.
    pub offset: u64,
    /// Bytes in the chunk as received (may be fewer than sent if cut).
    pub len: u64,
    /// Whether the chunk arrived whole and was accepted.
    pub complete: bool,
}

/// One request a platform listener received.
///
/// Recorded on arrival (before any fault or handler runs), so the log is in
/// arrival order and includes requests a fault answered.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestRecord {
    /// Position in the log: 0 for the first request, then +1 per request.
    pub seq: u64,
    /// The listener that received it.
    pub platform: Platform,
    /// HTTP method (`GET`, `POST`...).
    pub method: String,
    /// Path only: the query string is never recorded (it carries tokens).
    pub path: String,
    /// A stable, id-free label of the path, the same in every run: the
    /// route's template with every parameter written `{id}` (e.g.
    /// `/2/media/upload/{id}/append`); for paths no route template names
    /// (the Graph API, unknown paths), the path with numeric segments of 3+
    /// digits, URNs and generated tokens replaced by `{id}` (e.g.
    /// `/v21.0/{id}/feed`). Fault rules match it exactly with
    /// [`Fault::route`](crate::Fault::route).
    pub route: String,
    /// Arrival time on the emulator clock.
    pub at: DateTime<Utc>,
    /// The status answered; 0 while the request is in flight and when no
    /// answer was sent (connection dropped, response lost or held back).
    pub status: u16,
    /// The API version that answered when it is not the one asked for
    /// (Graph: an expired version is served by the oldest live one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version_served: Option<String>,
}

/// Response header a platform sets when another API version than the one
/// asked for answered; copied into [`RequestRecord::version_served`].
pub(crate) const VERSION_SERVED_HEADER: &str = "x-emulator-graph-version-served";

/// Whether a path segment names an instance rather than a resource: a
/// number of 3+ digits (Graph ids, page ids), a URN, or a generated token
/// (12+ URL-safe characters mixing letters and digits).
fn is_id_segment(seg: &str) -> bool {
    let digits = seg.bytes().filter(u8::is_ascii_digit).count();
    if digits == seg.len() {
        return digits >= 3;
    }
    let lower = seg.get(..6).map(str::to_ascii_lowercase);
    if lower
        .as_deref()
        .is_some_and(|l| l.starts_with("urn:") || l == "urn%3a")
    {
        return true;
    }
    seg.len() >= 12
        && digits > 0
        && seg.bytes().any(|b| b.is_ascii_alphabetic())
        && seg
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// The route label of a request: `template` (the matched route, e.g.
/// `/rest/images/{urn}`) with every parameter written `{id}`, or, without a
/// template, `path` with id-like segments replaced by `{id}`.
pub(crate) fn route_label(template: Option<&str>, path: &str) -> String {
    let mut out = String::with_capacity(template.unwrap_or(path).len());
    match template {
        Some(t) => {
            for (i, seg) in t.split('/').enumerate() {
                if i > 0 {
                    out.push('/');
                }
                out.push_str(if seg.starts_with('{') && seg.ends_with('}') {
                    "{id}"
                } else {
                    seg
                });
            }
        }
        None => {
            for (i, seg) in path.split('/').enumerate() {
                if i > 0 {
                    out.push('/');
                }
                out.push_str(if is_id_segment(seg) { "{id}" } else { seg });
            }
        }
    }
    out
}

#[derive(Debug, Default)]
struct Inner {
    requests: Vec<RequestRecord>,
    posts: Vec<RecordedPost>,
    chunks: Vec<ChunkRecord>,
    counters: BTreeMap<String, u64>,
}

/// The record.
#[derive(Debug, Default)]
pub struct Record {
    inner: Mutex<Inner>,
}

impl Record {
    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Adds a published post.
    pub fn add_post(&self, post: RecordedPost) {
        tracing::info!(platform = %post.platform, account = %post.account_id, post_id = %post.post_id, "post published");
        self.lock().posts.push(post);
    }

    /// Marks a post deleted; returns whether it existed and was live.
    pub fn delete_post(&self, platform: Platform, post_id: &str) -> bool {
        let mut inner = self.lock();
        match inner
            .posts
            .iter_mut()
            .find(|p| p.platform == platform && p.post_id == post_id && !p.deleted)
        {
            Some(p) => {
                p.deleted = true;
                true
            }
            None => false,
        }
    }

    /// Replaces a live post's text (an edit); returns whether it existed
    /// and was live.
    pub fn edit_post(&self, platform: Platform, post_id: &str, text: &str) -> bool {
        let mut inner = self.lock();
        match inner
            .posts
            .iter_mut()
            .find(|p| p.platform == platform && p.post_id == post_id && !p.deleted)
        {
            Some(p) => {
                p.text = text.to_owned();
                let n = p.edits() + 1;
                p.extra.insert(EDITS_KEY.to_owned(), n.to_string());
                true
            }
            None => false,
        }
    }

    /// A post by id.
    pub fn post(&self, platform: Platform, post_id: &str) -> Option<RecordedPost> {
        self.lock()
            .posts
            .iter()
            .find(|p| p.platform == platform && p.post_id == post_id)
            .cloned()
    }

    /// All posts (including deleted ones), in publish order.
    pub fn posts(&self) -> Vec<RecordedPost> {
        self.lock().posts.clone()
    }

    /// Live (not deleted) posts of `platform` whose text contains `text`:
    /// give each publish a unique marker and count its posts.
    pub fn posts_with_text(&self, platform: Platform, text: &str) -> Vec<RecordedPost> {
        self.lock()
            .posts
            .iter()
            .filter(|p| p.platform == platform && !p.deleted && p.text.contains(text))
            .cloned()
            .collect()
    }

    /// Live posts of one platform.
    pub fn posts_for(&self, platform: Platform) -> Vec<RecordedPost> {
        self.lock()
            .posts
            .iter()
            .filter(|p| p.platform == platform && !p.deleted)
            .cloned()
            .collect()
    }

    /// Logs an arriving request; returns its `seq` for
    /// [`Record::answer_request`].
    pub(crate) fn begin_request(
        &self,
        platform: Platform,
        method: String,
        path: String,
        route: String,
        at: DateTime<Utc>,
    ) -> u64 {
        let mut inner = self.lock();
        // seq is the index in the log: the log only grows.
        let seq = inner.requests.len() as u64;
        inner.requests.push(RequestRecord {
            seq,
            platform,
            method,
            path,
            route,
            at,
            status: 0,
            version_served: None,
        });
        seq
    }

    /// Sets the status answered to request `seq` and the version that
    /// answered when it differs from the one asked.
    pub(crate) fn answer_request(&self, seq: u64, status: u16, version_served: Option<String>) {
        let mut inner = self.lock();
        if let Some(r) = usize::try_from(seq)
            .ok()
            .and_then(|i| inner.requests.get_mut(i))
        {
            r.status = status;
            r.version_served = version_served;
        }
    }

    /// Every request the platform listeners received, in arrival order.
    pub fn requests(&self) -> Vec<RequestRecord> {
        self.lock().requests.clone()
    }

    /// The requests `platform`'s listener received, in arrival order.
    pub fn requests_for(&self, platform: Platform) -> Vec<RequestRecord> {
        self.lock()
            .requests
            .iter()
            .filter(|r| r.platform == platform)
            .cloned()
            .collect()
    }

    /// The `seq` the next request will get: pass it to
    /// [`Record::requests_since`] to take the requests of one publish.
    pub fn mark(&self) -> u64 {
        self.lock().requests.len() as u64
    }

    /// The requests received since `mark` (those with `seq >= mark`), in
    /// arrival order.
    pub fn requests_since(&self, mark: u64) -> Vec<RequestRecord> {
        let inner = self.lock();
        let from =
            usize::try_from(mark).map_or(inner.requests.len(), |m| m.min(inner.requests.len()));
        inner.requests[from..].to_vec()
    }

    /// Adds an upload chunk record.
    pub fn add_chunk(&self, chunk: ChunkRecord) {
        self.lock().chunks.push(chunk);
    }

    /// Chunks received for one upload, in arrival order.
    pub fn chunks(&self, upload_id: &str) -> Vec<ChunkRecord> {
        self.lock()
            .chunks
            .iter()
            .filter(|c| c.upload_id == upload_id)
            .cloned()
            .collect()
    }

    /// All chunks of a platform, in arrival order.
    pub fn chunks_for(&self, platform: Platform) -> Vec<ChunkRecord> {
        self.lock()
            .chunks
            .iter()
            .filter(|c| c.platform == platform)
            .cloned()
            .collect()
    }

    /// Increments a named counter (e.g. `tiktok.creator_info`).
    pub fn bump(&self, name: &str) -> u64 {
        let mut inner = self.lock();
        let c = inner.counters.entry(name.to_owned()).or_default();
        *c += 1;
        *c
    }

    /// A counter's value.
    pub fn counter(&self, name: &str) -> u64 {
        self.lock().counters.get(name).copied().unwrap_or(0)
    }

    /// All counters.
    pub fn counters(&self) -> BTreeMap<String, u64> {
        self.lock().counters.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::route_label;

    #[test]
    fn route_labels_are_id_free_and_keep_resource_names() {
        let cases = [
            (
                Some("/2/media/upload/{id}/append"),
                "/2/media/upload/188/append",
                "/2/media/upload/{id}/append",
            ),
            (
                Some("/rest/images/{urn}"),
                "/rest/images/urn%3Ali%3Aimage%3AC4",
                "/rest/images/{id}",
            ),
            (None, "/2/tweets", "/2/tweets"),
            (None, "/1.1/media/upload.json", "/1.1/media/upload.json"),
            (None, "/v21.0/1001/feed", "/v21.0/{id}/feed"),
            (
                None,
                "/v21.0/17841400000000001/media_publish",
                "/v21.0/{id}/media_publish",
            ),
            (
                None,
                "/ig-api-upload/v21.0/17900000000000042",
                "/ig-api-upload/v21.0/{id}",
            ),
            (
                None,
                "/rest/posts/urn%3Ali%3Ashare%3A7287840497870462978",
                "/rest/posts/{id}",
            ),
            (None, "/rest/posts/urn:li:share:1", "/rest/posts/{id}"),
            (
                None,
                "/v2/post/publish/status/fetch/",
                "/v2/post/publish/status/fetch/",
            ),
            (
                None,
                "/dms-uploads/video/aB3dE5gH7jK9",
                "/dms-uploads/video/{id}",
            ),
            (
                None,
                "/oauth/v2/introspectToken",
                "/oauth/v2/introspectToken",
            ),
            (None, "/", "/"),
            (None, "", ""),
        ];
        for (template, path, want) in cases {
            assert_eq!(route_label(template, path), want, "{template:?} {path}");
        }
    }
}
