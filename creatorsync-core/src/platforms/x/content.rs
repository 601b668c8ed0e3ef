//! What X does with alt text, mentions and links.
//!
//! - Alt text: `POST /2/media/metadata` `alt_text.text`, up to 1000
//!   characters, images and GIFs (docs.x.com "Media metadata", read
//!   2026-12-04; the emulator refuses longer ones the same way).
//! - Mentions: `@handle` in the text.
//! - Link: the URL appended to the text; X counts every URL as 23
//!   characters (`crate::text::x_weighted_length`).

use crate::MediaKind;
use crate::platforms::content::AltTextRule;

/// X's alt text.
pub(super) static ALT_TEXT: AltTextRule = AltTextRule {
    max_chars: Some(1000),
    kinds: &[MediaKind::Image, MediaKind::Gif],
    field: "alt_text.text",
    source: "docs.x.com/x-api/media/metadata-create, read 2026-12-04",
};
