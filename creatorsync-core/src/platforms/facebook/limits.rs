//! What a facebook post may hold, as data for validation.

use crate::platform::{GIB, MIB};
use crate::{Capabilities, TextCounting};

/// Facebook Pages: 63,206 characters; up to 10 photos or one video.
pub(crate) static CAPS: Capabilities = Capabilities {
    max_text: 63_206,
    text_counting: TextCounting::Chars,
    text_only: true,
    requires_video: false,
    // UNCONFIRMED: ~10 attached_media per post.
    max_images: 10,
    max_videos: 1,
    max_gifs: 1,
    mixed_media: false,
    image_mimes: &[
        "image/jpeg",
        "image/png",
        "image/gif",
        "image/bmp",
        "image/tiff",
    ],
    video_mimes: &["video/mp4", "video/quicktime"],
    max_image_bytes: 4 * MIB,
    max_gif_bytes: 4 * MIB,
    // Resumable upload: 10 GB.
    max_video_bytes: 10 * GIB,
    max_hashtags: None,
    max_mentions: None,
    gifs_count_as_images: true,
    forbidden_text_chars: &[],
};
