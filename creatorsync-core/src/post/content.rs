//! What a post says besides its text: [`Mention`]s written into the text
//! as `@{key}` placeholders, and a [`LinkPreview`]. Each platform renders
//! them its own way (see `docs/post-content.md`); the placeholder syntax
//! is read here, once.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::Platform;

/// Someone a post mentions: a plain name plus who they are on each
/// platform. The text refers to it as `@{key}`, `key` being its entry in
/// [`crate::Post::mentions`].
///
/// `ids` holds, per platform, the handle without `@` (X, Facebook,
/// Instagram, YouTube, TikTok) or the member or organization URN
/// (LinkedIn: `urn:li:person:…`, `urn:li:organization:…`).
///
/// ```
/// use creatorsync_core::{Mention, Platform, Post};
/// let post = Post::text("Thanks @{ada}!")
///     .with_mention("ada", Mention::new("Ada Lovelace")
///         .with_id(Platform::X, "ada")
///         .with_id(Platform::LinkedIn, "urn:li:person:123"));
/// assert_eq!(post.mentions["ada"].name, "Ada Lovelace");
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Mention {
    /// The plain name: LinkedIn shows it, and it replaces the mention on a
    /// platform without an id when [`crate::Post::mention_fallback`] is set.
    pub name: String,
    /// Who they are per platform (handle without `@`, or LinkedIn URN).
    pub ids: BTreeMap<Platform, String>,
}

impl Mention {
    /// A mention of `name`, with no platform identity yet.
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            ids: BTreeMap::new(),
        }
    }

    /// Sets who they are on `platform`.
    #[must_use]
    pub fn with_id(mut self, platform: Platform, id: impl Into<String>) -> Self {
        self.ids.insert(platform, id.into());
        self
    }
}

/// A link the post shares, with its preview card.
///
/// Only `url` is required; when `title` is missing the publisher fetches
/// the page's Open Graph tags (`og:title`, `og:description`, `og:image`)
/// through the SSRF-guarded URL fetcher before publishing, and publishes
/// without a card (with a warning in the report) when the page has none.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct LinkPreview {
    /// The page (`http` or `https`).
    pub url: String,
    /// The card's title.
    pub title: Option<String>,
    /// The card's description.
    pub description: Option<String>,
    /// The card's image, an `http(s)` URL fetched through the SSRF guard
    /// (LinkedIn uploads it as the article thumbnail).
    pub thumbnail: Option<String>,
    /// Allow a loopback page and thumbnail (local tests against the
    /// emulator); other private addresses stay refused.
    pub allow_loopback: bool,
}

impl LinkPreview {
    /// A link with no card data yet (fetched at publish time).
    pub fn new(url: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            ..Self::default()
        }
    }
}

impl crate::Post {
    /// The text `platform` is sent: mentions written its way, plain text
    /// escaped as it needs (LinkedIn's little text) and the link appended
    /// where the platform shows links in text. What validation measures.
    /// Fails with [`crate::Error::InvalidPost`] when a mention cannot be
    /// written there.
    ///
    /// ```
    /// use creatorsync_core::{Mention, Platform, Post};
    /// let post = Post::text("Hi @{ada} (again)")
    ///     .with_mention("ada", Mention::new("Ada").with_id(Platform::X, "ada")
    ///         .with_id(Platform::LinkedIn, "urn:li:person:1"));
    /// assert_eq!(post.rendered_text(Platform::X)?, "Hi @ada (again)");
    /// assert_eq!(post.rendered_text(Platform::LinkedIn)?, "Hi @[Ada](urn:li:person:1) \\(again\\)");
    /// # Ok::<(), creatorsync_core::Error>(())
    /// ```
    pub fn rendered_text(&self, platform: Platform) -> crate::Result<String> {
        crate::platforms::content::text(platform, self)
    }
}

/// One piece of a text that may hold mention placeholders.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Segment<'a> {
    /// Plain text.
    Text(&'a str),
    /// `@{key}`: the key.
    Mention(&'a str),
}

/// The longest placeholder key.
pub(crate) const MAX_KEY: usize = 64;

fn key_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.')
}

/// Splits `text` into plain text and `@{key}` placeholders (`key`: 1 to
/// [`MAX_KEY`] ASCII letters, digits, `_`, `-` or `.`). Anything else,
/// `@{` included, is plain text. One pass, no recursion.
pub(crate) fn segments(text: &str) -> Vec<Segment<'_>> {
    let mut out = Vec::new();
    let mut plain_from = 0;
    let mut i = 0;
    let bytes = text.as_bytes();
    while i < bytes.len() {
        if bytes[i] == b'@' && bytes.get(i + 1) == Some(&b'{') {
            let start = i + 2;
            let len = text[start..].chars().take_while(|c| key_char(*c)).count();
            // Key chars are ASCII: one byte each.
            let end = start + len;
            if (1..=MAX_KEY).contains(&len) && bytes.get(end) == Some(&b'}') {
                if plain_from < i {
                    out.push(Segment::Text(&text[plain_from..i]));
                }
                out.push(Segment::Mention(&text[start..end]));
                i = end + 1;
                plain_from = i;
                continue;
            }
        }
        i += 1;
    }
    if plain_from < text.len() {
        out.push(Segment::Text(&text[plain_from..]));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{Segment, segments};

    #[test]
    fn placeholders_are_split_out_and_everything_else_is_text() {
        assert_eq!(
            segments("Hi @{ada}, and @{b.c-d_e}!"),
            [
                Segment::Text("Hi "),
                Segment::Mention("ada"),
                Segment::Text(", and "),
                Segment::Mention("b.c-d_e"),
                Segment::Text("!"),
            ]
        );
        assert_eq!(segments("@{}"), [Segment::Text("@{}")]);
        assert_eq!(segments("@{a b}"), [Segment::Text("@{a b}")]);
        assert_eq!(segments("@{é}"), [Segment::Text("@{é}")]);
        assert_eq!(segments("@{ada"), [Segment::Text("@{ada")]);
        assert_eq!(
            segments("@@{x}"),
            [Segment::Text("@"), Segment::Mention("x")]
        );
        assert_eq!(segments(&format!("@{{{}}}", "k".repeat(65))).len(), 1);
        assert!(segments("").is_empty());
    }
}
