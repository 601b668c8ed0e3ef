//! What Instagram does with alt text, mentions and links.
//!
//! - Alt text: `alt_text` on image containers only (feed images and
//!   carousel images; not reels or stories: Meta content publishing
//!   guide, 2025-03-24). Meta documents no separate limit; 2200
//!   characters, the caption's, is the limit used by publishing tools
//!   (secondary source, read 2026-12-04).
//! - Mentions: `@username` in the caption.
//! - Link: not shown; captions do not link (the URL would be dead text),
//!   so a post's link is left out on Instagram.

use crate::MediaKind;
use crate::platforms::content::AltTextRule;

/// Instagram's alt text.
pub(crate) static ALT_TEXT: AltTextRule = AltTextRule {
    max_chars: Some(2200),
    kinds: &[MediaKind::Image],
    field: "alt_text",
    source: "developers.facebook.com/docs/instagram-platform/content-publishing (image containers; limit: secondary source), read 2026-12-04",
};
