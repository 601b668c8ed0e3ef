//! The post a binding publishes: the current shape (`text`, `media`,
//! `options`) or the old backend's body ([`super::legacy`]), read once.
//! Bytes are the binding's: it takes each item's `buffer` out (a Node
//! `Buffer`, Python `bytes`) and hands it over as a [`BytesSource`].

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::Value;

use super::legacy::LegacyPostBody;
use crate::media::{BytesSource, FileSource, UrlSource};
use crate::{
    Error, LinkPreview, Media, MediaKind, Mention, Platform, PlatformOptions, Post, Result,
    ThreadMode, ThreadPart,
};

/// The post in its current shape.
#[derive(Clone, Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PostInput {
    /// The text (caption on media platforms, description on YouTube).
    #[serde(default)]
    pub text: String,
    /// Per-platform text replacing `text` on that platform
    /// (`{"x": "short version"}`); an unknown platform is an error.
    #[serde(default)]
    pub texts: Option<BTreeMap<String, String>>,
    /// Media, in display order.
    #[serde(default)]
    pub media: Vec<MediaInput>,
    /// Per-platform options (`{"youtube": {"title": ...}}`); an unknown
    /// platform or option is an error.
    #[serde(default)]
    #[schemars(with = "Option<BTreeMap<String, BTreeMap<String, Value>>>")]
    pub options: Option<Value>,
    /// The thread's parts after the first, in order (X: each a reply to
    /// the previous; see docs/threads.md).
    #[serde(default)]
    pub thread: Option<Vec<ThreadPartInput>>,
    /// A comment created right after the post (X: a reply to it).
    #[serde(default)]
    pub first_comment: Option<String>,
    /// What a platform without threads does with `thread`: `refuse`
    /// (default: validation refuses it) or `comments`.
    #[serde(default)]
    pub thread_mode: Option<ThreadMode>,
    /// Publish each platform's closest meaning of a draft (Facebook
    /// unpublished, YouTube private, TikTok inbox); X, LinkedIn and
    /// Instagram refuse it. See `docs/drafts-and-edits.md`.
    #[serde(default)]
    pub draft: Option<bool>,
    /// A link to share with its preview card; only `url` is required (the
    /// card is then read from the page's Open Graph tags).
    #[serde(default)]
    pub link: Option<LinkInput>,
    /// People the text mentions as `@{key}`, by key (keys kept verbatim).
    #[serde(default)]
    pub mentions: Option<BTreeMap<String, MentionInput>>,
    /// Write a mention as its plain name on a platform it has no id for,
    /// instead of refusing the post there.
    #[serde(default)]
    pub mention_fallback: Option<bool>,
}

/// A link to share (see docs/post-content.md).
#[derive(Clone, Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LinkInput {
    /// The page, http(s).
    pub url: String,
    /// The card's title.
    #[serde(default)]
    pub title: Option<String>,
    /// The card's description.
    #[serde(default)]
    pub description: Option<String>,
    /// The card's image URL (LinkedIn uploads it as the thumbnail).
    #[serde(default)]
    pub thumbnail: Option<String>,
    /// Allow a loopback page and thumbnail (local tests against the emulator).
    #[serde(default)]
    pub allow_loopback: Option<bool>,
}

/// Someone the text mentions.
#[derive(Clone, Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MentionInput {
    /// The plain name (LinkedIn shows it; the fallback writes it).
    pub name: String,
    /// Who they are per platform: handle without `@`, or LinkedIn URN
    /// (`{"x": "ada", "linkedin": "urn:li:person:123"}`).
    #[serde(default)]
    pub ids: Option<BTreeMap<String, String>>,
}

/// One part of a thread after the first (text only from the bindings).
#[derive(Clone, Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ThreadPartInput {
    /// The part's text.
    #[serde(default)]
    pub text: String,
}

/// One media item: exactly one of `path`, `url` or `buffer`.
#[derive(Clone, Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MediaInput {
    /// A local file, read in ranges (never loaded whole).
    #[serde(default)]
    pub path: Option<String>,
    /// An http(s) URL, streamed.
    #[serde(default)]
    pub url: Option<String>,
    /// Bytes in memory (Node `Buffer`, Python `bytes`); taken out by the
    /// binding before the rest is read.
    #[serde(default)]
    #[schemars(with = "Option<BytesPlaceholder>")]
    pub buffer: Option<Value>,
    /// A file name helping type detection (`photo.jpg`).
    #[serde(default)]
    pub name: Option<String>,
    /// The MIME type, when it cannot be sniffed (`image/png`).
    #[serde(default)]
    pub mime: Option<String>,
    /// Accessibility description.
    #[serde(default)]
    pub alt_text: Option<String>,
    /// Allow a loopback or private URL (local tests against the emulator).
    #[serde(default)]
    pub allow_loopback: Option<bool>,
}

/// Bytes given by the host language (schema only).
#[derive(JsonSchema)]
#[schemars(extend("x-bytes" = true))]
#[allow(dead_code)] // a schema description, never built
pub(crate) struct BytesPlaceholder {}

/// Where one media item comes from.
#[derive(Debug)]
pub(crate) enum SourceSpec {
    File(String),
    Url(String, bool),
    Bytes(BytesSource),
}

impl SourceSpec {
    /// The media: described and probed.
    pub(crate) async fn media(self) -> Result<Media> {
        match self {
            SourceSpec::File(p) => Media::new(FileSource::new(p)).await,
            SourceSpec::Bytes(b) => Media::new(b).await,
            SourceSpec::Url(u, loopback) => {
                Media::new(UrlSource::builder(u).allow_loopback(loopback).build()?).await
            }
        }
    }
}

/// A post read from a binding, ready to describe its media and become a
/// core [`Post`].
#[derive(Debug)]
pub struct PostSpec {
    text: String,
    texts: BTreeMap<Platform, String>,
    mentions: BTreeMap<String, Mention>,
    mention_fallback: bool,
    link: Option<LinkPreview>,
    pub(crate) media: Vec<(SourceSpec, Option<String>)>,
    options: PlatformOptions,
    /// The old body's `mediaType`, checked against the media's kind.
    pub(crate) expect_kind: Option<MediaKind>,
    thread: Vec<String>,
    first_comment: Option<String>,
    thread_mode: ThreadMode,
    /// Publish as a draft.
    draft: bool,
}

impl PostSpec {
    /// Reads a post: the current shape or the old backend's body (told
    /// apart by their keys; mixing them is an error). `bytes` holds the
    /// buffers the binding took out, by media index. Errors are
    /// [`Error::InvalidInput`] naming the field.
    pub fn from_json(v: Value, bytes: BTreeMap<usize, BytesSource>) -> Result<Self> {
        let v = super::case::integral(super::case::snake_keys(v)?);
        let Value::Object(map) = &v else {
            return Err(Error::invalid_input(
                "post",
                "must be an object such as { text, media, options }",
            ));
        };
        if super::legacy::is_legacy(map) {
            if !bytes.is_empty() {
                return Err(Error::invalid_input(
                    "media",
                    "the old body shape takes media by `mediaUrl` only",
                ));
            }
            let body: LegacyPostBody = super::parse_normalised("post", v)?;
            return body.into_spec();
        }
        let input: PostInput = super::parse_normalised("post", v)?;
        Self::from_input(input, bytes)
    }

    /// Reads a post in its current shape.
    pub fn from_input(input: PostInput, mut bytes: BTreeMap<usize, BytesSource>) -> Result<Self> {
        let mut media = Vec::with_capacity(input.media.len());
        for (i, m) in input.media.into_iter().enumerate() {
            let field = format!("media[{i}]");
            let buffer = bytes.remove(&i);
            if m.buffer.is_some() {
                // The binding takes bytes out; anything left is not bytes.
                return Err(Error::invalid_input(
                    format!("{field}.buffer"),
                    "must be bytes (a Buffer, Uint8Array or bytes object)",
                ));
            }
            let given = [m.path.is_some(), m.url.is_some(), buffer.is_some()]
                .iter()
                .filter(|x| **x)
                .count();
            if given != 1 {
                return Err(Error::invalid_input(
                    field,
                    "give exactly one of `path`, `buffer` or `url`",
                ));
            }
            let source = if let Some(b) = buffer {
                SourceSpec::Bytes(b)
            } else if let Some(p) = m.path {
                SourceSpec::File(p)
            } else if let Some(u) = m.url {
                SourceSpec::Url(u, m.allow_loopback.unwrap_or(false))
            } else {
                return Err(Error::invalid_input(field, "no media source"));
            };
            media.push((source, m.alt_text));
        }
        if let Some(i) = bytes.keys().next() {
            return Err(Error::invalid_input(
                format!("media[{i}]"),
                "bytes given for a media item that does not exist",
            ));
        }
        let options = match input.options {
            None | Some(Value::Null) => PlatformOptions::default(),
            Some(v) => PlatformOptions::from_json(v)?,
        };
        let mut texts = BTreeMap::new();
        for (name, text) in input.texts.unwrap_or_default() {
            let platform: Platform = name
                .parse()
                .map_err(|_| Error::invalid_input(format!("texts.{name}"), "unknown platform"))?;
            texts.insert(platform, text);
        }
        let mut mentions = BTreeMap::new();
        for (key, m) in input.mentions.unwrap_or_default() {
            let mut mention = Mention::new(m.name);
            for (name, id) in m.ids.unwrap_or_default() {
                let platform: Platform = name.parse().map_err(|_| {
                    Error::invalid_input(format!("mentions.{key}.ids.{name}"), "unknown platform")
                })?;
                mention.ids.insert(platform, id);
            }
            mentions.insert(key, mention);
        }
        let link = input.link.map(|l| LinkPreview {
            url: l.url,
            title: l.title,
            description: l.description,
            thumbnail: l.thumbnail,
            allow_loopback: l.allow_loopback.unwrap_or(false),
        });
        Ok(Self {
            text: input.text,
            texts,
            mentions,
            mention_fallback: input.mention_fallback.unwrap_or(false),
            link,
            media,
            options,
            expect_kind: None,
            thread: input
                .thread
                .unwrap_or_default()
                .into_iter()
                .map(|p| p.text)
                .collect(),
            first_comment: input.first_comment,
            thread_mode: input.thread_mode.unwrap_or_default(),
            draft: input.draft.unwrap_or(false),
        })
    }

    /// The name a binding gives a buffer: `name`, else one derived from
    /// `mime` (`image/png` → `media.png`) for type detection.
    pub fn buffer_name(name: Option<String>, mime: Option<&str>) -> Option<String> {
        name.or_else(|| {
            mime.and_then(|m| m.split('/').nth(1))
                .map(|ext| format!("media.{ext}"))
        })
    }

    /// A post with one text and per-platform options (the old body).
    pub(crate) fn new(text: String, url: Option<String>, options: PlatformOptions) -> Self {
        Self {
            text,
            texts: BTreeMap::new(),
            mentions: BTreeMap::new(),
            mention_fallback: false,
            link: None,
            media: url
                .map(|u| (SourceSpec::Url(u, false), None))
                .into_iter()
                .collect(),
            options,
            expect_kind: None,
            thread: Vec::new(),
            first_comment: None,
            thread_mode: ThreadMode::default(),
            draft: false,
        }
    }

    /// The text.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The text `platform` publishes (its entry in `texts`, else `text`).
    pub fn text_for(&self, platform: Platform) -> &str {
        self.texts.get(&platform).unwrap_or(&self.text)
    }

    /// The per-platform options.
    pub fn options(&self) -> &PlatformOptions {
        &self.options
    }

    /// Describes every media source (length, type) and builds the post.
    pub async fn build(self) -> Result<Post> {
        let mut post = Post::text(self.text).with_options(self.options);
        post.texts = self.texts;
        post.thread = self.thread.into_iter().map(ThreadPart::text).collect();
        post.first_comment = self.first_comment;
        post.thread_mode = self.thread_mode;
        post.draft = self.draft;
        post.mentions = self.mentions;
        post.mention_fallback = self.mention_fallback;
        post.link = self.link;
        for (source, alt) in self.media {
            let media = source.media().await?;
            if let Some(kind) = self.expect_kind {
                let ok = media.kind() == kind
                    || (kind == MediaKind::Image && media.kind() == MediaKind::Gif);
                if !ok {
                    return Err(Error::invalid_input(
                        "media_type",
                        format!(
                            "says {kind}, but the media at media_url is {}",
                            media.kind()
                        ),
                    ));
                }
            }
            post = post.with_media(match alt {
                Some(a) => media.with_alt_text(a),
                None => media,
            });
        }
        Ok(post)
    }
}
