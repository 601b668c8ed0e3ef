//! What Meta checks inside the media it receives, and how it refuses:
//! Instagram image aspect ratio, Instagram video `moov` position and
//! duration, Facebook photo size. The figures match the SDK's rules
//! (`creatorsync-core` `platforms/{instagram,facebook}/limits.rs`), so a
//! test proves both that the SDK refuses first and that what it fits passes.

use crate::record::Inspected;

/// Instagram feed and carousel images: 4:5 to 1.91:1 (Meta rounds, so a
/// hair outside still passes).
const IG_IMAGE_ASPECT: (f64, f64) = (0.8, 1.91);
const ASPECT_SLACK: f64 = 0.01;
/// Instagram Reels: 3 s to 15 min; Stories: 3 to 60 s.
const IG_REEL_MS: (u64, u64) = (3_000, 900_000);
const IG_STORY_MS: (u64, u64) = (3_000, 60_000);
/// Facebook photos: under 4 MB ("Photos should be less than 4 MB").
pub(super) const FB_PHOTO_MAX_BYTES: u64 = 4 * 1024 * 1024;

/// An Instagram error: (code, subcode, message).
pub(super) type IgRefusal = (u64, u64, String);

/// Why Instagram refuses an image container, if it does (code 36003,
/// subcode 2207009: "The submitted image with aspect ratio ... cannot be
/// published"; Instagram Platform error codes, read 2026-12-04, subcode
/// from memory of that table: UNCONFIRMED).
pub(super) fn image(seen: &Inspected) -> Option<IgRefusal> {
    let aspect = seen.aspect()?;
    let (lo, hi) = IG_IMAGE_ASPECT;
    (aspect < lo * (1.0 - ASPECT_SLACK) || aspect > hi * (1.0 + ASPECT_SLACK)).then(|| {
        (
            36_003,
            2_207_009,
            format!(
                "The submitted image with aspect ratio ('{}/{}') cannot be published. Please submit an image with a valid aspect ratio.",
                seen.width.unwrap_or(0),
                seen.height.unwrap_or(0)
            ),
        )
    })
}

/// Why Instagram fails a video container's processing, if it does:
/// `moov` not at the front, or a duration outside the media type's range
/// (subcode 2207026, "The video format is not supported").
pub(super) fn video(media_type: &str, seen: &Inspected) -> Option<(u64, String)> {
    if seen.moov_first == Some(false) {
        return Some((
            2_207_026,
            "The video format is not supported: the moov atom must be at the front of the file (faststart)".into(),
        ));
    }
    let (lo, hi) = match media_type {
        "REELS" => IG_REEL_MS,
        "STORIES" => IG_STORY_MS,
        _ => return None,
    };
    let ms = seen.duration_ms?;
    (ms < lo || ms > hi).then(|| {
        (
            2_207_026,
            format!(
                "The video format is not supported: {media_type} last {} to {} s, this video lasts {:.1} s",
                lo / 1000,
                hi / 1000,
                ms as f64 / 1000.0
            ),
        )
    })
}

/// Whether Facebook refuses a photo of `len` bytes (subcode 1366046: "Photos
/// should be less than 4 MB"; third-party error tables, read 2026-12-04).
pub(super) fn photo_too_large(len: u64) -> bool {
    len > FB_PHOTO_MAX_BYTES
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seen(w: u32, h: u32) -> Inspected {
        Inspected {
            format: "jpeg".into(),
            width: Some(w),
            height: Some(h),
            ..Inspected::default()
        }
    }

    #[test]
    fn instagram_and_facebook_figures() {
        assert!(image(&seen(5000, 1000)).is_some());
        assert!(image(&seen(1000, 1300)).is_some(), "taller than 4:5");
        assert!(image(&seen(1080, 1350)).is_none());
        assert!(image(&seen(1910, 1000)).is_none());
        assert!(
            image(&Inspected::default()).is_none(),
            "unknown size passes"
        );
        let reel = |ms, first| Inspected {
            format: "mp4".into(),
            duration_ms: Some(ms),
            moov_first: Some(first),
            ..Inspected::default()
        };
        assert!(video("REELS", &reel(2_000, true)).is_some());
        assert!(
            video("REELS", &reel(20_000, false))
                .unwrap()
                .1
                .contains("moov")
        );
        assert!(video("REELS", &reel(20_000, true)).is_none());
        assert!(video("STORIES", &reel(61_000, true)).is_some());
        assert!(photo_too_large(6 * 1024 * 1024));
        assert!(!photo_too_large(FB_PHOTO_MAX_BYTES));
    }
}
