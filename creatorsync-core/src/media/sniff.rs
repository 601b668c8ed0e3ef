//! Media type detection: magic bytes first, then the file extension.

use crate::MediaKind;

/// How many leading bytes [`detect_mime`] needs to recognise every format
/// we support.
pub const SNIFF_LEN: usize = 8192;

/// Detects the MIME type of media from its first bytes (see [`SNIFF_LEN`]),
/// falling back to the extension of `name` when the bytes are not
/// recognised. Returns `None` when neither tells an image or video type.
///
/// ```
/// use creatorsync_core::media::sniff::detect_mime;
/// let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
/// // Magic bytes win over a misleading extension.
/// assert_eq!(detect_mime(png, Some("photo.jpg")).as_deref(), Some("image/png"));
/// assert_eq!(detect_mime(b"", Some("clip.MP4")).as_deref(), Some("video/mp4"));
/// assert_eq!(detect_mime(b"hello", Some("notes.txt")), None);
/// ```
pub fn detect_mime(head: &[u8], name: Option<&str>) -> Option<String> {
    if let Some(t) = infer::get(head) {
        let mime = t.mime_type();
        if kind_of(mime).is_some() {
            return Some(mime.to_owned());
        }
    }
    name.and_then(mime_from_extension).map(str::to_owned)
}

/// The MIME type for a file name's extension (case-insensitive), for the
/// image and video formats the platforms accept.
pub fn mime_from_extension(name: &str) -> Option<&'static str> {
    let (_, ext) = name.rsplit_once('.')?;
    let ext = ext.to_ascii_lowercase();
    Some(match ext.as_str() {
        "jpg" | "jpeg" | "jfif" => "image/jpeg",
        "png" => "image/png",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "bmp" => "image/bmp",
        "tif" | "tiff" => "image/tiff",
        "heic" => "image/heic",
        "mp4" | "m4v" => "video/mp4",
        "mov" | "qt" => "video/quicktime",
        "webm" => "video/webm",
        "avi" => "video/x-msvideo",
        "mkv" => "video/x-matroska",
        "mpg" | "mpeg" => "video/mpeg",
        _ => return None,
    })
}

/// The [`MediaKind`] of a MIME type: `image/gif` is [`MediaKind::Gif`],
/// other `image/*` are images, `video/*` are videos; anything else `None`.
///
/// ```
/// use creatorsync_core::{MediaKind, media::sniff::kind_of};
/// assert_eq!(kind_of("image/gif"), Some(MediaKind::Gif));
/// assert_eq!(kind_of("video/mp4"), Some(MediaKind::Video));
/// assert_eq!(kind_of("text/plain"), None);
/// ```
pub fn kind_of(mime: &str) -> Option<MediaKind> {
    let mime = mime.split(';').next().unwrap_or("").trim();
    if mime.eq_ignore_ascii_case("image/gif") {
        Some(MediaKind::Gif)
    } else if starts_with_ignore_case(mime, "image/") {
        Some(MediaKind::Image)
    } else if starts_with_ignore_case(mime, "video/") {
        Some(MediaKind::Video)
    } else {
        None
    }
}

fn starts_with_ignore_case(s: &str, prefix: &str) -> bool {
    s.len() >= prefix.len() && s.as_bytes()[..prefix.len()].eq_ignore_ascii_case(prefix.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    const JPEG: &[u8] = b"\xFF\xD8\xFF\xE0\0\x10JFIF\0";
    const GIF: &[u8] = b"GIF89a\x01\0\x01\0";
    const MP4: &[u8] = b"\0\0\0\x18ftypmp42\0\0\0\0mp42isom";

    #[test]
    fn magic_bytes_beat_extension() {
        assert_eq!(detect_mime(JPEG, Some("x.png")).unwrap(), "image/jpeg");
        assert_eq!(detect_mime(GIF, Some("x.mp4")).unwrap(), "image/gif");
        assert_eq!(detect_mime(MP4, Some("x.gif")).unwrap(), "video/mp4");
    }

    #[test]
    fn extension_fallback_and_unknown() {
        assert_eq!(
            detect_mime(b"????", Some("a.b.WEBM")).unwrap(),
            "video/webm"
        );
        assert_eq!(detect_mime(b"????", Some("noext")), None);
        assert_eq!(detect_mime(b"%PDF-1.7", Some("doc.pdf")), None);
        assert_eq!(kind_of("IMAGE/PNG; q=1"), Some(MediaKind::Image));
    }
}
