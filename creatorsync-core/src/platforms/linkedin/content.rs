//! What LinkedIn does with alt text, mentions and links.
//!
//! - Alt text: `altText` on each image of `content.media` /
//!   `content.multiImage.images` (Posts API). Limit 4086 characters
//!   (UNCONFIRMED: LinkedIn's image schema as widely cited; not re-read
//!   2026-12-04).
//! - Mentions: little text `@[Name](urn:li:person:…)` or
//!   `@[Name](urn:li:organization:…)`; every other reserved character of
//!   the commentary is escaped (learn.microsoft.com "little text format",
//!   li-lms-2026-05, read 2026-12-04).
//! - Link: a post without media shares it as `content.article` (`source`,
//!   `title`, `description`, `thumbnail` image URN; the title is required,
//!   LinkedIn does not fetch it); with media, the URL goes in the text.

use super::text::{escape_commentary, escape_plain};
use crate::platforms::content::{AltTextRule, LinkPlacement, MentionForm};
use crate::{MediaKind, Post};

/// LinkedIn's alt text.
pub(super) static ALT_TEXT: AltTextRule = AltTextRule {
    max_chars: Some(4086),
    kinds: &[MediaKind::Image, MediaKind::Gif],
    field: "altText",
    source: "learn.microsoft.com/linkedin/marketing/community-management/shares/posts-api (UNCONFIRMED limit), read 2026-12-04",
};

/// `@[Name](urn)`: `id` must be a member or organization URN.
pub(super) fn mention(name: &str, id: &str) -> MentionForm {
    let urn_ok = ["urn:li:person:", "urn:li:organization:"]
        .iter()
        .find_map(|p| id.strip_prefix(p))
        .is_some_and(|rest| {
            !rest.is_empty()
                && rest
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-'))
        });
    if !urn_ok {
        return MentionForm::Invalid(format!(
            "{id:?} is not a LinkedIn member or organization URN (urn:li:person:… or urn:li:organization:…)"
        ));
    }
    if name.trim().is_empty() {
        return MentionForm::Invalid("a LinkedIn mention needs the name to show".into());
    }
    MentionForm::Text(format!("@[{}]({id})", escape_plain(name)))
}

/// Commentary text: little text escaping.
pub(super) fn escape_text(text: &str) -> String {
    escape_commentary(text)
}

/// The article card for a post without media and with a title; else the
/// URL in the text.
pub(super) fn link_placement(post: &Post) -> LinkPlacement {
    let titled = post
        .link
        .as_ref()
        .is_some_and(|l| l.title.as_deref().is_some_and(|t| !t.trim().is_empty()));
    if post.media.is_empty() && titled {
        LinkPlacement::Card
    } else {
        LinkPlacement::InText
    }
}
