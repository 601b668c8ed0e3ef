//! `creatorsync probe FILE` (assert_cmd): the core's probe view as a table
//! and as JSON, offline, and a typed error for a file that is not media.

use assert_cmd::Command;
use creatorsync_core::testing::SampleMp4;
use serde_json::Value;

fn cmd(dir: &std::path::Path) -> Command {
    let mut c = Command::cargo_bin("creatorsync").unwrap();
    for (k, _) in std::env::vars() {
        if k.starts_with("CREATORSYNC_") {
            c.env_remove(k);
        }
    }
    c.env("HOME", dir)
        .env("XDG_CONFIG_HOME", dir.join("config"))
        .timeout(std::time::Duration::from_secs(60));
    c
}

#[test]
fn probe_prints_the_view_as_json_and_as_a_table() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("clip.mp4");
    let mp4 = SampleMp4::new(12, 1080, 1920)
        .fps(25)
        .moov_at_end()
        .to_bytes();
    std::fs::write(&path, &mp4).unwrap();

    let out = cmd(dir.path())
        .args(["probe", "--json"])
        .arg(&path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["format"], "mp4");
    assert_eq!(v["bytes"], mp4.len() as u64);
    assert_eq!(
        (v["width"].as_u64(), v["height"].as_u64()),
        (Some(1080), Some(1920))
    );
    assert_eq!(v["duration_secs"], 12.0);
    assert_eq!(v["frame_rate"], 25.0);
    assert_eq!(v["video_codec"], "avc1");
    assert_eq!(v["faststart"], false);

    let out = cmd(dir.path()).arg("probe").arg(&path).output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let row = |field: &str| {
        text.lines()
            .find(|l| l.split_whitespace().next() == Some(field))
            .unwrap_or_else(|| panic!("no {field} row in:\n{text}"))
            .split_whitespace()
            .skip(1)
            .collect::<Vec<_>>()
            .join(" ")
    };
    assert_eq!(row("duration_secs"), "12.0");
    assert_eq!(row("faststart"), "no");
    assert_eq!(row("aspect_ratio"), "0.562");
    assert!(row("moov").starts_with("offset "), "{text}");
}

#[test]
fn probe_of_a_file_that_is_not_media_is_a_typed_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("notes.txt");
    std::fs::write(&path, "just some words, not a picture").unwrap();
    let out = cmd(dir.path())
        .args(["probe", "--json"])
        .arg(&path)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err: Value = serde_json::from_slice(&out.stdout)
        .or_else(|_| serde_json::from_slice(&out.stderr))
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    assert_eq!(err["error"]["code"], "INVALID_MEDIA", "{err}");
}
