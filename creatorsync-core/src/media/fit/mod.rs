//! Fit-ups, opt-in per publish ([`crate::PublishCall::fit`]): each target
//! gets the variant of each media item its platform needs — an image padded
//! or cropped into the accepted aspect ratio and re-encoded under the byte
//! limit, an MP4 rewritten with `moov` first — produced once per distinct
//! need and shared by every target needing the same one.

use std::collections::HashMap;
use std::sync::Arc;

use bytes::Bytes;
use serde::{Deserialize, Serialize};

use super::BytesSource;
use crate::platforms::PlatformModule;
use crate::{Capabilities, Media, MediaKind, Post, Result};

mod faststart;
mod image;

use faststart::faststart;
use image::{ImageTarget, fit_image};

/// How a publish may change media that breaks a platform's rule.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum FitMode {
    /// Never (the default): such media is refused before any upload.
    #[default]
    Off,
    /// Images: white bars to reach the accepted aspect ratio. Videos: moved
    /// to faststart.
    Pad,
    /// Images: centred crop to the accepted aspect ratio. Videos: moved to
    /// faststart.
    Crop,
}

/// The largest image decoded for fitting.
const MAX_FIT_IMAGE_BYTES: u64 = 256 * 1024 * 1024;

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum Need {
    /// Aspect bounds (f64 bits), max width, max bytes.
    Image(Option<(u64, u64)>, Option<u32>, u64),
    Faststart,
}

/// A variant cache shared by every target of one publish.
#[derive(Debug, Default)]
pub(crate) struct Variants {
    made: HashMap<(usize, Need, FitMode), Media>,
}

impl Variants {
    /// `post` as `module` needs it: every item that breaks a fixable rule
    /// replaced by its fitted variant (made once, then shared).
    pub(crate) async fn fit(
        &mut self,
        module: &dyn PlatformModule,
        caps: &Capabilities,
        post: &Post,
        mode: FitMode,
    ) -> Result<Post> {
        let mut out = post.clone();
        if mode == FitMode::Off {
            return Ok(out);
        }
        for (i, m) in post.media.iter().enumerate() {
            let Some(need) = need(module, caps, post, m) else {
                continue;
            };
            let key = (i, need.clone(), mode);
            if let Some(made) = self.made.get(&key) {
                out.media[i] = made.clone();
                continue;
            }
            let made = make(m, &need, mode).await?;
            self.made.insert(key, made.clone());
            out.media[i] = made;
        }
        Ok(out)
    }

    /// How many variants were produced.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.made.len()
    }
}

/// What `m` needs to pass `module`'s rules, if anything fixable.
fn need(module: &dyn PlatformModule, caps: &Capabilities, post: &Post, m: &Media) -> Option<Need> {
    let probe = m.probe()?;
    let rule = module.media_rule(post, m);
    match m.kind() {
        MediaKind::Image => {
            let aspect = rule
                .and_then(|r| r.aspect)
                .map(|(lo, hi)| (lo.value(), hi.value()));
            let wrong_shape = probe
                .aspect_ratio()
                .is_some_and(|a| rule.is_some_and(|r| r.aspect_outside(a)));
            let max_bytes = caps.max_image_bytes;
            let too_big = max_bytes > 0 && m.info().len > max_bytes;
            let mime_ok =
                caps.image_mimes.is_empty() || caps.image_mimes.contains(&m.info().mime.as_str());
            let jpeg_ok = caps.image_mimes.is_empty() || caps.image_mimes.contains(&"image/jpeg");
            let max_width = rule.and_then(|r| r.max_size).map(|(w, _)| w);
            let too_wide =
                max_width.is_some_and(|w| probe.display_size().is_some_and(|(pw, _)| pw > w));
            (jpeg_ok && (wrong_shape || too_big || !mime_ok || too_wide)).then(|| {
                Need::Image(
                    aspect.map(|(lo, hi)| (lo.to_bits(), hi.to_bits())),
                    max_width,
                    max_bytes,
                )
            })
        }
        MediaKind::Video => (rule.is_some_and(|r| r.faststart) && probe.faststart() == Some(false))
            .then_some(Need::Faststart),
        MediaKind::Gif => None,
    }
}

async fn make(m: &Media, need: &Need, mode: FitMode) -> Result<Media> {
    let name = m.info().name.clone().unwrap_or_else(|| "media".to_owned());
    let stem = name
        .rsplit_once('.')
        .map_or(name.as_str(), |(s, _)| s)
        .to_owned();
    match need {
        Need::Faststart => {
            let probe = m
                .probe()
                .ok_or_else(|| crate::media::invalid(&name, "not probed"))?;
            let source = faststart(&**m.source(), probe, &name).await?;
            m.variant(source).await
        }
        Need::Image(aspect, max_width, max_bytes) => {
            let len = m.info().len;
            if len > MAX_FIT_IMAGE_BYTES {
                return Err(crate::media::invalid(&name, "too large to fit"));
            }
            let bytes = m.source().read_range(0, len).await?;
            let target = ImageTarget {
                aspect: aspect.map(|(lo, hi)| (f64::from_bits(lo), f64::from_bits(hi))),
                max_width: *max_width,
                max_bytes: *max_bytes,
                mode,
            };
            let fitted = tokio::task::spawn_blocking(move || fit_image(&bytes, &target))
                .await
                .map_err(|e| crate::media::invalid(&name, format!("fitting stopped: {e}")))??;
            let source = BytesSource::new(Bytes::from(fitted), Some(format!("{stem}-fit.jpg")));
            m.variant(Arc::new(source)).await
        }
    }
}

/// Fits one image's bytes (for benchmarks): padded into `aspect`, at most
/// `max_width` wide, re-encoded under `max_bytes`.
#[cfg(feature = "testing")]
pub fn fit_image_bytes(
    bytes: &[u8],
    aspect: Option<(f64, f64)>,
    max_width: Option<u32>,
    max_bytes: u64,
) -> Result<Vec<u8>> {
    fit_image(
        bytes,
        &ImageTarget {
            aspect,
            max_width,
            max_bytes,
            mode: FitMode::Pad,
        },
    )
}

/// `media` (an MP4 with `moov` after `mdat`) rewritten with `moov` first
/// (for benchmarks): the faststart fit-up alone.
#[cfg(feature = "testing")]
pub async fn faststart_media(media: &Media) -> Result<Media> {
    make(media, &Need::Faststart, FitMode::Pad).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::media::sample::SampleMp4;
    use crate::platforms::Registry;
    use crate::{Platform, validate};

    async fn media(bytes: Vec<u8>, name: &str) -> Media {
        Media::new(BytesSource::new(Bytes::from(bytes), Some(name.into())))
            .await
            .unwrap()
    }

    #[tokio::test]
    async fn faststart_moves_moov_and_keeps_the_data() {
        let original = SampleMp4::new(4, 720, 1280).moov_at_end();
        let m = media(original.to_bytes(), "clip.mp4").await;
        let made = make(&m, &Need::Faststart, FitMode::Pad).await.unwrap();
        let p = crate::media::probe(&**made.source()).await.unwrap();
        assert_eq!(p.faststart(), Some(true));
        assert_eq!(p.duration_secs, Some(4.0));
        assert_eq!(made.info().len, m.info().len);
        // Every chunk offset still points at the same payload bytes.
        let fitted = made.source().read_range(0, made.info().len).await.unwrap();
        let moov_at = p.moov.unwrap();
        let moov = mp4_atom::Moov::decode(
            &mut &fitted[moov_at.offset as usize..(moov_at.offset + moov_at.size) as usize],
        )
        .unwrap();
        let stco = moov.trak[0].mdia.minf.stbl.stco.clone().unwrap();
        // The payload starts right after the new moov and the mdat header.
        let data_at = moov_at.offset + moov_at.size + 8;
        for (c, off) in stco.entries.iter().enumerate() {
            let i = u64::from(*off) - data_at;
            assert_eq!(fitted[*off as usize], (i % 251) as u8, "chunk {c}");
        }
        use mp4_atom::Decode;
    }

    #[tokio::test]
    async fn wide_image_fitted_once_for_two_targets() {
        let mut png = std::io::Cursor::new(Vec::new());
        ::image::RgbImage::new(5000, 1000)
            .write_to(&mut png, ::image::ImageFormat::Png)
            .unwrap();
        let post = Post::text("hi").with_media(media(png.into_inner(), "wide.png").await);
        let codes: Vec<String> = validate(&post, Platform::Instagram)
            .into_iter()
            .map(|v| v.code)
            .collect();
        assert!(
            codes.contains(&"aspect_ratio_out_of_range".to_owned()),
            "{codes:?}"
        );
        let reg = Registry::standard();
        let ig = reg.get(Platform::Instagram).unwrap();
        let mut variants = Variants::default();
        for _ in 0..2 {
            let fitted = variants
                .fit(ig, ig.capabilities(), &post, FitMode::Pad)
                .await
                .unwrap();
            let p = fitted.media[0].probe().unwrap();
            assert_eq!(p.format, "jpeg");
            let a = p.aspect_ratio().unwrap();
            assert!((0.8..=1.92).contains(&a), "{a}");
            assert!(validate(&fitted, Platform::Instagram).is_empty());
        }
        assert_eq!(variants.len(), 1, "the variant is made once and shared");
        let crop = variants
            .fit(ig, ig.capabilities(), &post, FitMode::Crop)
            .await
            .unwrap();
        assert_eq!(crop.media[0].probe().unwrap().height, Some(1000));
    }
}
