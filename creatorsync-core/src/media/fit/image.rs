//! Images fitted to a platform: padded or cropped into its aspect-ratio
//! range, scaled down to its largest width, re-encoded as JPEG under its
//! byte limit (the `image` crate).

use std::io::Cursor;

use image::imageops::FilterType;
use image::{DynamicImage, GenericImageView, Rgb, RgbImage};

use super::FitMode;
use crate::{Error, Result};

/// What the fitted image must be.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct ImageTarget {
    /// Narrowest and widest width / height.
    pub(crate) aspect: Option<(f64, f64)>,
    /// Largest width in pixels.
    pub(crate) max_width: Option<u32>,
    /// Largest encoded size in bytes (0: none).
    pub(crate) max_bytes: u64,
    /// Pad or crop into the aspect range.
    pub(crate) mode: FitMode,
}

fn bad(why: impl Into<String>) -> Error {
    Error::invalid_media("<fit>", why)
}

/// Fits `bytes` (any format the `image` crate decodes) to `target`; the
/// result is a JPEG.
pub(crate) fn fit_image(bytes: &[u8], target: &ImageTarget) -> Result<Vec<u8>> {
    let img = image::load_from_memory(bytes)
        .map_err(|e| bad(format!("the image cannot be decoded: {e}")))?;
    let mut img = DynamicImage::ImageRgb8(reshape(img, target));
    if let Some(max) = target.max_width
        && img.width() > max
    {
        let h = (u64::from(img.height()) * u64::from(max) / u64::from(img.width())).max(1);
        img = img.resize_exact(max, h as u32, FilterType::Triangle);
    }
    for _ in 0..8 {
        for quality in [90u8, 80, 70, 60] {
            let out = encode(&img, quality)?;
            if target.max_bytes == 0 || out.len() as u64 <= target.max_bytes {
                return Ok(out);
            }
        }
        let (w, h) = img.dimensions();
        img = img.resize_exact((w * 4 / 5).max(1), (h * 4 / 5).max(1), FilterType::Triangle);
    }
    Err(bad(format!(
        "the image cannot be made smaller than {} bytes",
        target.max_bytes
    )))
}

fn encode(img: &DynamicImage, quality: u8) -> Result<Vec<u8>> {
    let mut out = Cursor::new(Vec::new());
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, quality)
        .encode_image(img)
        .map_err(|e| bad(format!("the image cannot be encoded: {e}")))?;
    Ok(out.into_inner())
}

/// Pads (white bars) or crops (centred) `img` into the aspect range.
fn reshape(img: DynamicImage, target: &ImageTarget) -> RgbImage {
    let rgb = img.to_rgb8();
    let (w, h) = rgb.dimensions();
    let Some((lo, hi)) = target.aspect else {
        return rgb;
    };
    let aspect = f64::from(w) / f64::from(h.max(1));
    let want = aspect.clamp(lo, hi);
    if (want - aspect).abs() < 1e-9 {
        return rgb;
    }
    // The new width and height at the wanted ratio.
    let crop = target.mode == FitMode::Crop;
    let (nw, nh) = match (crop, aspect > want) {
        // Too wide: pad height up, or crop width down.
        (false, true) => (w, (f64::from(w) / want).ceil() as u32),
        (true, true) => ((f64::from(h) * want).floor() as u32, h),
        // Too tall: pad width up, or crop height down.
        (false, false) => ((f64::from(h) * want).ceil() as u32, h),
        (true, false) => (w, (f64::from(w) / want).floor() as u32),
    };
    let (nw, nh) = (nw.max(1), nh.max(1));
    if crop {
        image::imageops::crop_imm(
            &rgb,
            (w - nw.min(w)) / 2,
            (h - nh.min(h)) / 2,
            nw.min(w),
            nh.min(h),
        )
        .to_image()
    } else {
        {
            let (nw, nh) = (nw.max(w), nh.max(h));
            let mut out = RgbImage::from_pixel(nw, nh, Rgb([255, 255, 255]));
            image::imageops::overlay(
                &mut out,
                &rgb,
                i64::from((nw - w) / 2),
                i64::from((nh - h) / 2),
            );
            out
        }
    }
}
