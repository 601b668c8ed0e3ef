//! Time per byte of X's weighted length (`text::x_weighted_length`) on
//! worst-case text (URL-like runs that used to recurse per token) and on
//! typical text, at 1 KB, 100 KB and 1 MB. Linear time shows as a flat
//! ns/byte across sizes. Prints one JSON line per (text, size).
//! Run: `cargo bench --bench text`.
#![allow(clippy::print_stdout, missing_docs)]

use std::time::{Duration, Instant};

use creatorsync_core::text::x_weighted_length;

const SIZES: [usize; 3] = [1_000, 100_000, 1_000_000];

/// (name, repeated unit).
const TEXTS: &[(&str, &str)] = &[
    ("url_run", "a.co,"),
    ("dots", "a."),
    ("protocols", "http://"),
    ("paths", "a.co/(b"),
    ("hyphens", "-a"),
    ("emoji_zwj", "👨\u{200D}👩\u{200D}👧 "),
    (
        "typical",
        "Hello world, see https://example.com/path and 日本語 😀 #tag @who. ",
    ),
];

fn main() {
    for (name, unit) in TEXTS {
        for size in SIZES {
            let text: String = unit.repeat(size / unit.len() + 1);
            let text = &text[..text.floor_char_boundary(size)];
            let mut samples = Vec::new();
            let started = Instant::now();
            while samples.len() < 5
                || (started.elapsed() < Duration::from_secs(1) && samples.len() < 200)
            {
                let t = Instant::now();
                std::hint::black_box(x_weighted_length(std::hint::black_box(text)));
                samples.push(t.elapsed().as_nanos() as f64);
            }
            samples.sort_by(f64::total_cmp);
            let median = samples[samples.len() / 2];
            println!(
                "{{\"bench\":\"x_weighted_length\",\"text\":\"{name}\",\"bytes\":{},\"runs\":{},\"median_us\":{:.1},\"ns_per_byte\":{:.2}}}",
                text.len(),
                samples.len(),
                median / 1e3,
                median / text.len() as f64
            );
        }
    }
}
