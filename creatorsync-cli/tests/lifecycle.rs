//! `post --draft`, `edit` and `delete` end to end (assert_cmd) against the
//! emulator the binary starts in process (`--emulator`, a fresh one per
//! run), each run isolated in its own home as in `tests/cli.rs`.

use std::path::Path;

use assert_cmd::Command;
use serde_json::Value;

struct Home {
    dir: tempfile::TempDir,
}

impl Home {
    fn new() -> Self {
        Self {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    /// The binary with a clean environment rooted in this home.
    fn cmd(&self) -> Command {
        let mut c = Command::cargo_bin("creatorsync").unwrap();
        for (k, _) in std::env::vars() {
            if k.starts_with("CREATORSYNC_") {
                c.env_remove(k);
            }
        }
        c.env("HOME", self.path())
            .env("XDG_CONFIG_HOME", self.path().join("config"))
            .env("XDG_DATA_HOME", self.path().join("data"))
            .env_remove("http_proxy")
            .env_remove("HTTP_PROXY")
            .env_remove("all_proxy")
            .env_remove("ALL_PROXY")
            .timeout(std::time::Duration::from_secs(60));
        c
    }

    fn run(&self, args: &[&str]) -> std::process::Output {
        self.cmd().args(args).output().unwrap()
    }
}

fn stdout_json(out: &std::process::Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not one JSON document ({e}):\n{}\nstderr:\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

fn text(out: &std::process::Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[test]
fn post_draft_names_what_each_draft_became_or_refuses_it() {
    let home = Home::new();
    let out = home.run(&[
        "--emulator",
        "post",
        "a draft",
        "--draft",
        "--to",
        "facebook:1001",
        "--json",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let r = &stdout_json(&out)["results"][0];
    assert_eq!(r["ok"], true, "{r}");
    assert_eq!(r["draft"], "unpublished", "{r}");

    let out = home.run(&[
        "--emulator",
        "post",
        "live",
        "--to",
        "facebook:1001",
        "--json",
    ]);
    assert_eq!(stdout_json(&out)["results"][0]["draft"], Value::Null);

    let out = home.run(&[
        "--emulator",
        "post",
        "a draft",
        "--draft",
        "--to",
        "x",
        "--json",
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(text(&out).contains("cannot make a draft"), "{}", text(&out));
}

#[test]
fn edit_and_delete_by_reference() {
    let home = Home::new();
    // Each run has its own emulator: a post of an earlier run is gone, and
    // deleting it is the success asked for.
    let out = home.run(&["--emulator", "delete", "x:1234567890", "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let v = stdout_json(&out);
    assert_eq!(
        (v["platform"].as_str(), v["deleted"].as_bool()),
        (Some("x"), Some(true))
    );

    // The report's JSON reference works as well.
    let out = home.run(&[
        "--emulator",
        "delete",
        r#"{"platform":"facebook","post_id":"1001_99","account_id":"1001"}"#,
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(
        text(&out).contains("deleted facebook:1001_99"),
        "{}",
        text(&out)
    );

    // Where the platform has no edit or delete: a usage error, named.
    for args in [
        &["--emulator", "edit", "x:1", "new text", "--json"][..],
        &["--emulator", "edit", "instagram:1", "new text", "--json"][..],
        &["--emulator", "delete", "tiktok:1", "--json"][..],
    ] {
        let out = home.run(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", text(&out));
        assert!(
            text(&out).contains("UNSUPPORTED"),
            "{args:?}: {}",
            text(&out)
        );
    }

    // An edit of a post Facebook does not have is the platform's answer.
    let out = home.run(&[
        "--emulator",
        "edit",
        "facebook:1001_1",
        "fixed",
        "--account",
        "1001",
    ]);
    assert_ne!(out.status.code(), Some(0), "{}", text(&out));

    let out = home.run(&["--emulator", "delete", "nope"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
}
