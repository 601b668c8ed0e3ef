//! A platform's rules on what is inside a piece of media (duration, size,
//! aspect ratio, frame rate, codecs, faststart), as data each platform
//! states in its `limits.rs`, and the one check of a [`Probe`] against them.

use super::probe::Probe;
use crate::platforms::Check;

/// What one kind of upload (an Instagram Reel, a Facebook photo, ...)
/// accepts. Bounds are inclusive; `None` or empty means no rule.
#[derive(Debug)]
pub(crate) struct MediaRule {
    /// What the rule is about, for messages ("an Instagram Reel").
    pub(crate) what: &'static str,
    /// Where the figures come from and when they were read.
    pub(crate) source: &'static str,
    /// Shortest and longest duration, seconds.
    pub(crate) duration_secs: Option<(f64, f64)>,
    /// Narrowest and widest displayed width / height.
    pub(crate) aspect: Option<(Ratio, Ratio)>,
    /// Smallest displayed width, pixels.
    pub(crate) min_width: Option<u32>,
    /// Largest displayed width and height, pixels.
    pub(crate) max_size: Option<(u32, u32)>,
    /// Lowest and highest average frame rate.
    pub(crate) frame_rate: Option<(f64, f64)>,
    /// Accepted video sample entries (`avc1`, `hvc1`, ...).
    pub(crate) video_codecs: &'static [&'static str],
    /// Accepted audio sample entries (`mp4a`, ...).
    pub(crate) audio_codecs: &'static [&'static str],
    /// Whether `moov` must come before `mdat`.
    pub(crate) faststart: bool,
}

/// A width:height ratio, kept as the two integers the platforms state.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Ratio(pub(crate) u32, pub(crate) u32);

impl Ratio {
    pub(crate) fn value(self) -> f64 {
        f64::from(self.0) / f64::from(self.1.max(1))
    }
}

impl std::fmt::Display for Ratio {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.0, self.1)
    }
}

/// Allowed slack on an aspect ratio (platforms round: 1.91 for 1.9104...).
const ASPECT_TOLERANCE: f64 = 0.01;

/// The empty rule, to build others from with `..MediaRule::NONE`.
impl MediaRule {
    pub(crate) const NONE: MediaRule = MediaRule {
        what: "",
        source: "",
        duration_secs: None,
        aspect: None,
        min_width: None,
        max_size: None,
        frame_rate: None,
        video_codecs: &[],
        audio_codecs: &[],
        faststart: false,
    };

    /// Whether an aspect ratio is outside the rule's range.
    pub(crate) fn aspect_outside(&self, aspect: f64) -> bool {
        self.aspect.is_some_and(|(lo, hi)| {
            aspect < lo.value() * (1.0 - ASPECT_TOLERANCE)
                || aspect > hi.value() * (1.0 + ASPECT_TOLERANCE)
        })
    }

    /// Records every way `probe` (media item `index`) breaks this rule.
    pub(crate) fn check(&self, index: usize, probe: &Probe, out: &mut Check) {
        let before = out.violations.len();
        self.check_inner(index, probe, out);
        for v in &mut out.violations[before..] {
            v.message = format!("{} (source: {})", v.message, self.source);
        }
    }

    fn check_inner(&self, index: usize, probe: &Probe, out: &mut Check) {
        let field = format!("media[{index}]");
        let what = self.what;
        if let (Some((lo, hi)), Some(d)) = (self.duration_secs, probe.duration_secs) {
            if d < lo {
                out.push(
                    &field,
                    "video_too_short",
                    format!("the video lasts {d:.1} s, {what} must last at least {lo} s"),
                );
            } else if d > hi {
                out.push(
                    &field,
                    "video_too_long",
                    format!("the video lasts {d:.1} s, {what} may last at most {hi} s"),
                );
            }
        }
        if let Some(aspect) = probe.aspect_ratio()
            && self.aspect_outside(aspect)
            && let (Some((lo, hi)), Some((w, h))) = (self.aspect, probe.display_size())
        {
            out.push(
                &field,
                "aspect_ratio_out_of_range",
                format!(
                    "{w}×{h} is an aspect ratio of {aspect:.2}, {what} accepts {lo} ({:.2}) to {hi} ({:.2}); crop or pad it (or publish with fit)",
                    lo.value(),
                    hi.value()
                ),
            );
        }
        if let Some((w, h)) = probe.display_size() {
            if let Some(min) = self.min_width
                && w < min
            {
                out.push(
                    &field,
                    "dimensions_too_small",
                    format!("{w}×{h} is narrower than the {min} pixels {what} needs"),
                );
            }
            if let Some((mw, mh)) = self.max_size
                && (w > mw || h > mh)
            {
                out.push(
                    &field,
                    "dimensions_too_large",
                    format!("{w}×{h} is larger than the {mw}×{mh} {what} accepts"),
                );
            }
        }
        if let (Some((lo, hi)), Some(fps)) = (self.frame_rate, probe.frame_rate)
            && (fps < lo - 0.01 || fps > hi + 0.01)
        {
            out.push(
                &field,
                "frame_rate_out_of_range",
                format!("{fps:.2} frames per second, {what} accepts {lo} to {hi}"),
            );
        }
        for (codec, allowed, kind) in [
            (&probe.video_codec, self.video_codecs, "video"),
            (&probe.audio_codec, self.audio_codecs, "audio"),
        ] {
            if let Some(c) = codec
                && !allowed.is_empty()
                && !allowed.contains(&c.as_str())
            {
                out.push(
                    &field,
                    "unsupported_codec",
                    format!(
                        "{kind} codec {c} is not accepted for {what}; use one of {}",
                        allowed.join(", ")
                    ),
                );
            }
        }
        if self.faststart && probe.faststart() == Some(false) {
            out.push(
                &field,
                "moov_not_first",
                format!(
                    "the MP4's moov atom is after its media data, {what} needs it first (faststart); publish with fit or remux with `-movflags +faststart`"
                ),
            );
        }
    }
}
