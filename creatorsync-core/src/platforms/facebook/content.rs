//! What Facebook does with alt text, mentions and links.
//!
//! - Alt text: `alt_text_custom` on `POST /{page}/photos` (Graph Photo
//!   reference lists `alt_text_custom`, "user provided accessible
//!   alternative description"; no length limit documented, read
//!   2026-12-04), so the SDK sets none.
//! - Mentions: `@handle` text in the message (Graph's `@[page-id]` Page
//!   tagging form is not used).
//! - Link: a post without photos or video shares it as the feed `link`
//!   (Facebook builds the card from the page's own Open Graph tags; a
//!   custom title or picture is not accepted for links the Page does not
//!   own: UNCONFIRMED); with
//!   media, the URL goes in the text.

use crate::platforms::content::{AltTextRule, LinkPlacement};
use crate::{MediaKind, Post};

/// Facebook's alt text.
pub(super) static ALT_TEXT: AltTextRule = AltTextRule {
    max_chars: None,
    kinds: &[MediaKind::Image, MediaKind::Gif],
    field: "alt_text_custom",
    source: "developers.facebook.com/docs/graph-api/reference/photo (no documented limit), read 2026-12-04",
};

/// The feed `link` for a post without media, else in the text.
pub(super) fn link_placement(post: &Post) -> LinkPlacement {
    if post.media.is_empty() {
        LinkPlacement::Card
    } else {
        LinkPlacement::InText
    }
}

/// The link of a text post: [`Post::link`], else the older
/// `options.facebook.link`.
pub(super) fn link(post: &Post) -> Option<&str> {
    post.link
        .as_ref()
        .map(|l| l.url.as_str())
        .or(post.options.facebook.link.as_deref())
}
