//! What is inside a piece of media: a video's duration, size, rotation,
//! frame rate, codecs, bitrate and `moov` position; an image's format,
//! pixel size and frame count.
//!
//! Everything is read through [`MediaSource::read_range`], so a file, bytes
//! and a URL cost the same few small reads: for an MP4 the top-level box
//! headers (16 bytes each) and the `moov` box, never `mdat`. The `moov` box
//! is decoded by `mp4-atom`; image headers by `imagesize` (plus `png`, `gif`
//! and `image-webp` for animation frame counts). docs/media.md compares the
//! parsers and says why these.

use std::io::Cursor;

use mp4_atom::{Atom, Decode, Encode, FourCC, Header, Moov};
use serde::{Deserialize, Serialize};

use super::{MediaSource, invalid};
use crate::Result;

/// The largest `moov` box read into memory (a 3-hour, multi-track file's
/// sample tables fit in a few MiB).
pub const MAX_MOOV_BYTES: u64 = 64 * 1024 * 1024;
/// How many top-level boxes are walked before giving up (a real file has
/// fewer than ten).
const MAX_TOP_LEVEL_BOXES: usize = 1024;
/// The first read of an image: enough for every header `imagesize` reads,
/// except JPEGs with a large EXIF block (read again, up to [`IMAGE_HEAD_MAX`]).
const IMAGE_HEAD: u64 = 64 * 1024;
const IMAGE_HEAD_MAX: u64 = 1024 * 1024;
/// The largest GIF or WebP read whole to count its animation frames.
const MAX_ANIMATED_BYTES: u64 = 64 * 1024 * 1024;

/// Where a top-level box lies in the file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct BoxPosition {
    /// Offset of the box header from the start of the file.
    pub offset: u64,
    /// Size of the whole box, header included.
    pub size: u64,
}

/// What [`probe`] found. Fields a format does not have are `None`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Probe {
    /// `mp4`, `mov`, `jpeg`, `png`, `gif`, `webp`, `heif`, `bmp`, `tiff`.
    pub format: String,
    /// Length of the source in bytes.
    pub bytes: u64,
    /// Width in pixels (a video's display width before rotation).
    pub width: Option<u32>,
    /// Height in pixels.
    pub height: Option<u32>,
    /// Clockwise rotation a player applies (0, 90, 180 or 270).
    pub rotation: u16,
    /// Duration in seconds (videos).
    pub duration_secs: Option<f64>,
    /// Average frames per second of the video track.
    pub frame_rate: Option<f64>,
    /// The video track's sample entry (`avc1`, `hvc1`, `av01`, ...).
    pub video_codec: Option<String>,
    /// The audio track's sample entry (`mp4a`, `Opus`, ...).
    pub audio_codec: Option<String>,
    /// Average bitrate over the whole file, bits per second.
    pub bitrate: Option<u64>,
    /// Where the `moov` box is.
    pub moov: Option<BoxPosition>,
    /// Where the first `mdat` box is.
    pub mdat: Option<BoxPosition>,
    /// Animation frames of an image (1 for a still image).
    pub frames: Option<u32>,
}

impl Probe {
    /// Whether the `moov` box comes before the media data (progressive
    /// playback, "faststart"). `None` for non-ISO-BMFF media.
    pub fn faststart(&self) -> Option<bool> {
        let moov = self.moov?;
        Some(self.mdat.is_none_or(|mdat| moov.offset < mdat.offset))
    }

    /// Width and height as displayed (swapped for a 90° or 270° rotation).
    pub fn display_size(&self) -> Option<(u32, u32)> {
        let (w, h) = (self.width?, self.height?);
        Some(if self.rotation % 180 == 90 {
            (h, w)
        } else {
            (w, h)
        })
    }

    /// Displayed width divided by height.
    pub fn aspect_ratio(&self) -> Option<f64> {
        let (w, h) = self.display_size()?;
        (h > 0).then(|| f64::from(w) / f64::from(h))
    }

    /// Whether this is an ISO-BMFF video (MP4, MOV).
    pub fn is_video(&self) -> bool {
        matches!(self.format.as_str(), "mp4" | "mov")
    }
}

/// Reads what is inside `source`: the container of an MP4/MOV, the header of
/// an image. Fails with [`crate::Error::InvalidMedia`] for anything else or
/// for a file whose structure is broken; never panics, and stops after a
/// bounded number of reads whatever the bytes say.
pub async fn probe(source: &dyn MediaSource) -> Result<Probe> {
    let info = source.describe().await?;
    let name = info.name.clone().unwrap_or_else(|| "<media>".to_owned());
    let head = source.read_range(0, 16).await?;
    if head.len() >= 8 && &head[4..8] == b"ftyp" && !is_heif(&head) {
        return probe_isobmff(source, info.len, &name).await;
    }
    probe_image(source, info.len, &name).await
}

fn is_heif(head: &[u8]) -> bool {
    head.len() >= 12
        && matches!(
            &head[8..12],
            b"heic" | b"heix" | b"mif1" | b"msf1" | b"heim" | b"heis" | b"avif" | b"avis"
        )
}

/// Walks the top-level boxes (16-byte reads of their headers, decoded by
/// `mp4-atom`'s `Header`) to find `moov` and `mdat`, then reads and
/// decodes `moov` alone.
async fn probe_isobmff(source: &dyn MediaSource, len: u64, name: &str) -> Result<Probe> {
    let bad = |why: String| invalid(name, why);
    let mut out = Probe {
        format: "mp4".to_owned(),
        bytes: len,
        ..Probe::default()
    };
    let mut offset = 0u64;
    let mut moov = None;
    for _ in 0..MAX_TOP_LEVEL_BOXES {
        if offset.saturating_add(8) > len {
            break;
        }
        let raw = source.read_range(offset, 16).await?;
        let (kind, header_len, body) = decode_header(&raw)
            .ok_or_else(|| bad(format!("a broken MP4 box header at byte {offset}")))?;
        let size = match body {
            Some(body) => header_len.checked_add(body).filter(|s| *s <= len - offset),
            None => Some(len - offset),
        }
        .ok_or_else(|| bad(format!("the MP4 box at byte {offset} runs past the end")))?;
        let at = BoxPosition { offset, size };
        if kind == FourCC::new(b"ftyp") && offset == 0 && raw.len() >= 12 && &raw[8..12] == b"qt  "
        {
            out.format = "mov".to_owned();
        }
        if kind == FourCC::new(b"mdat") && out.mdat.is_none() {
            out.mdat = Some(at);
        }
        if kind == Moov::KIND {
            if size > MAX_MOOV_BYTES {
                return Err(bad(format!(
                    "its moov box is {size} bytes, more than the {MAX_MOOV_BYTES} read"
                )));
            }
            out.moov = Some(at);
            moov = Some(source.read_range(offset, size).await?);
            break;
        }
        offset += size;
    }
    let moov_bytes = moov.ok_or_else(|| bad("an MP4 without a moov box".to_owned()))?;
    let moov = Moov::decode(&mut moov_bytes.as_ref())
        .map_err(|e| bad(format!("its moov box cannot be read: {e}")))?;
    read_moov(&moov, &mut out);
    Ok(out)
}

/// Decodes a box header from its first bytes: kind, header length, body
/// length (`None`: to the end of the file).
fn decode_header(raw: &[u8]) -> Option<(FourCC, u64, Option<u64>)> {
    let header = Header::decode(&mut &raw[..]).ok()?;
    let small = u32::from_be_bytes(raw.get(..4)?.try_into().ok()?);
    let header_len = if small == 1 { 16 } else { 8 };
    Some((header.kind, header_len, header.size.map(|s| s as u64)))
}

fn read_moov(moov: &Moov, out: &mut Probe) {
    let mvhd = &moov.mvhd;
    if mvhd.timescale > 0 {
        out.duration_secs = Some(mvhd.duration as f64 / f64::from(mvhd.timescale));
    }
    for trak in &moov.trak {
        let handler = trak.mdia.hdlr.handler;
        let codec = trak.mdia.minf.stbl.stsd.codecs.first();
        if handler == FourCC::new(b"vide") && out.video_codec.is_none() {
            out.video_codec = codec.map(sample_entry_name);
            let tkhd = &trak.tkhd;
            let visual = codec.and_then(mp4_atom::Codec::visual);
            let (w, h) = (
                u32::from(tkhd.width.integer()),
                u32::from(tkhd.height.integer()),
            );
            let (w, h) = match visual {
                Some(v) if w == 0 || h == 0 => (u32::from(v.width), u32::from(v.height)),
                _ => (w, h),
            };
            out.width = Some(w);
            out.height = Some(h);
            out.rotation = rotation(&tkhd.matrix);
            let mdhd = &trak.mdia.mdhd;
            let samples: u64 = trak
                .mdia
                .minf
                .stbl
                .stts
                .entries
                .iter()
                .map(|e| u64::from(e.sample_count))
                .sum();
            if mdhd.timescale > 0 && mdhd.duration > 0 && samples > 0 {
                let secs = mdhd.duration as f64 / f64::from(mdhd.timescale);
                out.frame_rate = Some(samples as f64 / secs);
                if out.duration_secs.is_none_or(|d| d == 0.0) {
                    out.duration_secs = Some(secs);
                }
            }
        } else if handler == FourCC::new(b"soun") && out.audio_codec.is_none() {
            out.audio_codec = codec.map(sample_entry_name);
        }
    }
    if let Some(d) = out.duration_secs.filter(|d| *d > 0.0) {
        out.bitrate = Some((out.bytes as f64 * 8.0 / d) as u64);
    }
}

/// The four-character name of a sample entry, as written in the file.
fn sample_entry_name(codec: &mp4_atom::Codec) -> String {
    let mut buf = Vec::new();
    if codec.encode(&mut buf).is_err() || buf.len() < 8 {
        return "unknown".to_owned();
    }
    String::from_utf8_lossy(&buf[4..8]).into_owned()
}

/// The clockwise rotation a track matrix describes (0 for anything that is
/// not a quarter turn).
fn rotation(m: &mp4_atom::Matrix) -> u16 {
    const ONE: i32 = 0x0001_0000;
    match (m.a, m.b, m.c, m.d) {
        (0, ONE, x, 0) if x == -ONE => 90,
        (a, 0, 0, d) if a == -ONE && d == -ONE => 180,
        (0, x, ONE, 0) if x == -ONE => 270,
        _ => 0,
    }
}

async fn probe_image(source: &dyn MediaSource, len: u64, name: &str) -> Result<Probe> {
    let mut want = IMAGE_HEAD.min(len);
    let (kind, size, head) = loop {
        let head = source.read_range(0, want).await?;
        let kind = imagesize::image_type(&head)
            .map_err(|_| invalid(name, "not an image or video the SDK can read"))?;
        match imagesize::blob_size(&head) {
            Ok(size) => break (kind, size, head),
            Err(_) if want < len.min(IMAGE_HEAD_MAX) => want = len.min(IMAGE_HEAD_MAX),
            Err(e) => {
                return Err(invalid(
                    name,
                    format!("its image header cannot be read: {e}"),
                ));
            }
        }
    };
    let format = match kind {
        imagesize::ImageType::Jpeg => "jpeg",
        imagesize::ImageType::Png => "png",
        imagesize::ImageType::Gif => "gif",
        imagesize::ImageType::Webp => "webp",
        imagesize::ImageType::Heif(_) => "heif",
        imagesize::ImageType::Bmp => "bmp",
        imagesize::ImageType::Tiff => "tiff",
        _ => return Err(invalid(name, "an image format the platforms do not take")),
    };
    let frames = match format {
        "png" => png_frames(&head),
        "gif" | "webp" if len <= MAX_ANIMATED_BYTES => {
            let all = source.read_range(0, len).await?;
            if format == "gif" {
                gif_frames(&all)
            } else {
                webp_frames(&all)
            }
        }
        "gif" | "webp" => None,
        _ => Some(1),
    };
    Ok(Probe {
        format: format.to_owned(),
        bytes: len,
        width: u32::try_from(size.width).ok(),
        height: u32::try_from(size.height).ok(),
        frames,
        ..Probe::default()
    })
}

/// An APNG's frame count from its `acTL` chunk (read before the first
/// `IDAT`, so the header bytes suffice); 1 for a still PNG.
fn png_frames(head: &[u8]) -> Option<u32> {
    let mut decoder = png::Decoder::new(Cursor::new(head));
    decoder.set_ignore_text_chunk(true);
    let reader = decoder.read_info().ok()?;
    Some(reader.info().animation_control.map_or(1, |a| a.num_frames))
}

/// A GIF's frame count, walking the frames without decoding their pixels.
fn gif_frames(all: &[u8]) -> Option<u32> {
    let mut options = gif::DecodeOptions::new();
    options.skip_frame_decoding(true);
    let mut decoder = options.read_info(Cursor::new(all)).ok()?;
    let mut n = 0u32;
    while let Ok(Some(_)) = decoder.read_next_frame() {
        n += 1;
    }
    Some(n)
}

/// A WebP's frame count (1 for a still WebP).
fn webp_frames(all: &[u8]) -> Option<u32> {
    let decoder = image_webp::WebPDecoder::new(Cursor::new(all)).ok()?;
    Some(decoder.num_frames().max(1))
}

#[cfg(test)]
mod tests {
    use bytes::Bytes;
    use proptest::prelude::*;

    use super::*;
    use crate::media::BytesSource;
    use crate::media::sample::SampleMp4;

    fn src(b: Vec<u8>, name: &str) -> BytesSource {
        BytesSource::new(Bytes::from(b), Some(name.into()))
    }

    fn png(w: u32, h: u32) -> Vec<u8> {
        let mut out = std::io::Cursor::new(Vec::new());
        image::RgbImage::new(w, h)
            .write_to(&mut out, image::ImageFormat::Png)
            .unwrap();
        out.into_inner()
    }

    #[tokio::test]
    async fn mp4_fields_and_moov_position() {
        let first = SampleMp4::new(2, 1080, 1920).to_bytes();
        let p = probe(&src(first, "a.mp4")).await.unwrap();
        assert_eq!(p.format, "mp4");
        assert_eq!((p.width, p.height), (Some(1080), Some(1920)));
        assert_eq!(p.duration_secs, Some(2.0));
        assert_eq!(p.frame_rate, Some(30.0));
        assert_eq!(p.video_codec.as_deref(), Some("avc1"));
        assert_eq!(p.faststart(), Some(true));
        assert!(p.bitrate.unwrap() > 0);

        let end = SampleMp4::new(720, 640, 360)
            .fps(25)
            .moov_at_end()
            .to_bytes();
        let p = probe(&src(end, "b.mp4")).await.unwrap();
        assert_eq!(p.duration_secs, Some(720.0));
        assert_eq!(p.frame_rate, Some(25.0));
        assert_eq!(p.faststart(), Some(false));
        assert!(p.moov.unwrap().offset > p.mdat.unwrap().offset);
    }

    #[tokio::test]
    async fn image_size_and_frames() {
        let p = probe(&src(png(5000, 1000), "wide.png")).await.unwrap();
        assert_eq!(p.format, "png");
        assert_eq!(
            (p.width, p.height, p.frames),
            (Some(5000), Some(1000), Some(1))
        );
        assert!((p.aspect_ratio().unwrap() - 5.0).abs() < 1e-9);
        assert!(
            probe(&src(b"hello world, not media".to_vec(), "x.jpg"))
                .await
                .is_err()
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]
        /// Adversarial bytes (random, or a real MP4 with bytes flipped and
        /// cut) give a result or an error, never a panic or a hang.
        #[test]
        fn adversarial_bytes_never_panic(
            noise in proptest::collection::vec(any::<u8>(), 0..512),
            flips in proptest::collection::vec((any::<usize>(), any::<u8>()), 0..16),
            cut in any::<usize>(),
        ) {
            let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
            let mut mp4 = SampleMp4::new(1, 16, 16).fps(2).moov_at_end().to_bytes();
            let n = mp4.len();
            for (at, b) in flips {
                mp4[at % n] = b;
            }
            mp4.truncate(cut % (n + 1));
            let mut boxed = b"\0\0\0\x10ftypisom".to_vec();
            boxed.extend(&noise);
            for bytes in [noise, mp4, boxed] {
                if bytes.is_empty() {
                    continue;
                }
                let _ = rt.block_on(probe(&src(bytes, "fuzz.mp4")));
            }
        }
    }
}
