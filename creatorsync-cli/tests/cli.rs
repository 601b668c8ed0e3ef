//! The `creatorsync` binary end to end (assert_cmd): against the emulator
//! it starts in process (`--emulator`), with each run isolated in its own
//! home, config and data directories and no CREATORSYNC_* variable
//! inherited from the test's environment.

use std::path::{Path, PathBuf};
use std::process::Command as StdCommand;

use assert_cmd::Command;
use serde_json::Value;

/// TikTok asks for a privacy level, and the emulator's demo creator has
/// stitches turned off: the core refuses a video post without these.
const TIKTOK: [&str; 4] = [
    "-o",
    "tiktok.privacy_level=SELF_ONLY",
    "-o",
    "tiktok.disable_stitch=true",
];

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

    /// A small MP4-typed file (ftyp box and filler): a video every
    /// platform takes.
    fn clip(&self) -> PathBuf {
        let mut v = b"\0\0\0\x20ftypisom\0\0\x02\0isomiso2avc1mp41".to_vec();
        v.resize(64 * 1024, 0x42);
        let p = self.path().join("clip.mp4");
        std::fs::write(&p, v).unwrap();
        p
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
fn emulator_post_to_all_publishes_on_all_six_platforms() {
    let home = Home::new();
    // The clip the README's command names, from a fresh clone.
    let clip = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/media/clip.mp4");
    let out = home
        .cmd()
        .args(["--emulator", "post", "hello", "--media"])
        .arg(&clip)
        .args(["--to", "all", "--json", "--key", "cli-test"])
        .args(TIKTOK)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let report = stdout_json(&out);
    assert_eq!(report["all_ok"], true, "{report:#}");
    assert_eq!(report["idempotency_key"], "cli-test");
    let mut platforms: Vec<&str> = report["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["ok"] == true && r["url"].is_string())
        .map(|r| r["platform"].as_str().unwrap())
        .collect();
    platforms.sort_unstable();
    platforms.dedup();
    assert_eq!(
        platforms,
        [
            "facebook",
            "instagram",
            "linkedin",
            "tiktok",
            "x",
            "youtube"
        ]
    );
    // --json off a terminal: stderr stays quiet for scripts.
    assert!(out.stderr.is_empty(), "{}", text(&out));
}

#[test]
fn plain_lines_when_stdout_is_not_a_terminal() {
    let home = Home::new();
    let out = home
        .cmd()
        .args(["--emulator", "post", "hello", "--to", "x,linkedin"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.lines()
            .any(|l| l.starts_with("x:") && l.contains("published https://")),
        "{err}"
    );
    assert!(
        !err.contains('\u{1b}'),
        "escape codes off a terminal: {err}"
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.starts_with("PLATFORM"), "{stdout}");
}

#[test]
fn a_bad_target_is_a_usage_error() {
    let home = Home::new();
    let out = home
        .cmd()
        .args(["--emulator", "post", "hi", "--to", "x,myspace"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("--to") && err.contains("myspace") && err.contains("[INVALID_INPUT]"),
        "{err}"
    );
}

#[test]
fn an_unknown_option_is_a_usage_error_naming_it() {
    let home = Home::new();
    let out = home
        .cmd()
        .args(["--emulator", "post", "hi", "--to", "youtube", "--json"])
        .args(["-o", "youtube.titel=Hello"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let v = stdout_json(&out);
    assert_eq!(v["error"]["code"], "INVALID_INPUT");
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .contains("youtube.titel"),
        "{v:#}"
    );
}

#[test]
fn clap_mistakes_are_usage_errors_also_as_json() {
    let home = Home::new();
    let out = home.cmd().args(["bogus", "--json"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(stdout_json(&out)["error"]["code"], "INVALID_INPUT");
    let out = home.cmd().args(["post"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn posting_to_an_unconnected_platform_exits_3() {
    let home = Home::new();
    let out = home
        .cmd()
        .env("CREATORSYNC_STORE", "memory")
        .args(["post", "hi", "--to", "x", "--json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", text(&out));
    let v = stdout_json(&out);
    assert_eq!(v["all_ok"], false);
    assert_eq!(v["results"][0]["error"]["code"], "NOT_CONNECTED");
}

#[test]
fn status_and_quota_json_parse() {
    let home = Home::new();
    let out = home
        .cmd()
        .args(["--emulator", "status", "--json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let status = stdout_json(&out);
    let all = status.as_array().unwrap();
    assert!(all.len() >= 6, "{status:#}");
    assert!(all.iter().all(|s| s["connected"] == true));
    assert!(
        all.iter()
            .any(|s| s["account"]["key"]["platform"] == "tiktok")
    );

    let out = home
        .cmd()
        .args(["--emulator", "quota", "--json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let quota = stdout_json(&out);
    let all = quota.as_array().unwrap();
    assert!(!all.is_empty());
    for q in all {
        assert!(q["platform"].is_string() && q["bucket"].is_string(), "{q}");
        assert_eq!(q["used"], 0, "{q}");
    }
}

#[test]
fn connect_through_the_loopback_listener() {
    let home = Home::new();
    let out = home
        .cmd()
        .args(["--emulator", "connect", "x", "--json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let accounts = stdout_json(&out);
    assert_eq!(accounts[0]["key"]["platform"], "x", "{accounts:#}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("redirect_uri=http%3A%2F%2F127.0.0.1%3A"),
        "{err}"
    );
}

/// The flag beats the environment, which beats the file, which beats the
/// default; an environment store replaces the file's.
#[test]
fn config_file_then_environment_then_flags() {
    let home = Home::new();
    let dir = home.path().join("config").join("creatorsync");
    std::fs::create_dir_all(&dir).unwrap();
    let db = home.path().join("file.db");
    std::fs::write(
        dir.join("config.toml"),
        format!(
            "user = \"from-file\"\n[sqlite]\npath = {:?}\n",
            db.to_str().unwrap()
        ),
    )
    .unwrap();
    let user_in = |out: &std::process::Output| {
        stdout_json(out)["results"][0]["error"]["message"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    // The file's SQLite store needs CREATORSYNC_KEY: a configuration error.
    let out = home
        .cmd()
        .args(["post", "hi", "--to", "x", "--json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(6), "{}", text(&out));
    assert!(
        stdout_json(&out)["error"]["message"]
            .as_str()
            .unwrap()
            .contains("CREATORSYNC_KEY")
    );

    let out = home
        .cmd()
        .env("CREATORSYNC_STORE", "memory")
        .args(["post", "hi", "--to", "x", "--json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", text(&out));
    assert!(user_in(&out).contains("\"from-file\""));

    let out = home
        .cmd()
        .env("CREATORSYNC_STORE", "memory")
        .env("CREATORSYNC_USER", "from-env")
        .args(["post", "hi", "--to", "x", "--json"])
        .output()
        .unwrap();
    assert!(user_in(&out).contains("\"from-env\""));

    let out = home
        .cmd()
        .env("CREATORSYNC_STORE", "memory")
        .env("CREATORSYNC_USER", "from-env")
        .args(["--user", "from-flag", "post", "hi", "--to", "x", "--json"])
        .output()
        .unwrap();
    assert!(user_in(&out).contains("\"from-flag\""));

    // --config names another file.
    let other = home.path().join("other.toml");
    std::fs::write(&other, "user = \"other-file\"\nstore = \"memory\"\n").unwrap();
    let out = home
        .cmd()
        .arg("--config")
        .arg(&other)
        .args(["post", "hi", "--to", "x", "--json"])
        .output()
        .unwrap();
    assert!(user_in(&out).contains("\"other-file\""));
}

#[test]
fn secrets_are_never_printed() {
    let home = Home::new();
    let secret = "s3cr3t-0123456789-0123456789-abcdef";
    // A file that does not parse, with a secret on the broken line.
    let broken = home.path().join("broken.toml");
    std::fs::write(&broken, format!("state_secret = \"{secret}\n")).unwrap();
    // A file the contract refuses (unknown option), with secrets in it.
    let refused = home.path().join("refused.toml");
    std::fs::write(
        &refused,
        format!(
            "state_secret = \"{secret}\"\nstore = \"memory\"\ncolour = 1\n\
             [apps.x]\nclient_id = \"id\"\nclient_secret = \"{secret}\"\n"
        ),
    )
    .unwrap();
    for (file, json) in [
        (&broken, false),
        (&broken, true),
        (&refused, false),
        (&refused, true),
    ] {
        let mut c = home.cmd();
        c.arg("--config").arg(file).arg("status");
        if json {
            c.arg("--json");
        }
        let out = c.output().unwrap();
        assert_eq!(out.status.code(), Some(6), "{}", text(&out));
        assert!(!text(&out).contains("s3cr3t"), "{}", text(&out));
    }
    // A refused secret given through the environment.
    let out = home
        .cmd()
        .env("CREATORSYNC_STORE", "memory")
        .env("CREATORSYNC_STATE_SECRET", "s3cr3t-short")
        .args(["status", "--json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(6), "{}", text(&out));
    assert!(!text(&out).contains("s3cr3t"), "{}", text(&out));
}

#[test]
fn completions_are_generated() {
    let home = Home::new();
    let out = home.cmd().args(["completions", "bash"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).contains("_creatorsync"));
}

/// A real terminal (`script` allocates a pty): the bars are drawn and the
/// post exits 0.
#[test]
fn post_on_a_terminal_draws_progress_bars() {
    if StdCommand::new("script").arg("--version").output().is_err() {
        panic!("util-linux `script` is needed for the terminal test");
    }
    let home = Home::new();
    let clip = home.clip();
    let bin = assert_cmd::cargo::cargo_bin("creatorsync");
    let line = format!(
        "{} --emulator post hello --media {} --to x,youtube,facebook:1001",
        bin.display(),
        clip.display()
    );
    let log = home.path().join("typescript");
    let out = StdCommand::new("script")
        .args(["-q", "-e", "-c", &line])
        .arg(&log)
        .env("HOME", home.path())
        .env("XDG_CONFIG_HOME", home.path().join("config"))
        .env("XDG_DATA_HOME", home.path().join("data"))
        .env("TERM", "xterm")
        .env_remove("CREATORSYNC_CONFIG")
        .env_remove("CREATORSYNC_USER")
        .env_remove("CREATORSYNC_STORE")
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    let screen = std::fs::read_to_string(&log).unwrap_or_default();
    assert_eq!(out.status.code(), Some(0), "{screen}");
    // The bar template `[=====>   ]` and its end state.
    assert!(screen.contains("[===="), "{screen}");
    assert!(screen.contains("published"), "{screen}");
    assert!(screen.contains("3 of 3 published"), "{screen}");
    // Plain progress lines are for pipes only.
    assert!(!screen.contains("validated for"), "{screen}");
}

#[test]
fn stats_reads_named_posts_and_reports_each_one() {
    let home = Home::new();
    // Nothing read before: nothing tracked.
    let out = home
        .cmd()
        .args(["--emulator", "stats", "--json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert_eq!(stdout_json(&out), serde_json::json!([]));
    let out = home.cmd().args(["--emulator", "stats"]).output().unwrap();
    assert!(text(&out).contains("no posts"), "{}", text(&out));

    // Posts the platforms do not have: each fails alone, as input errors.
    let out = home
        .cmd()
        .args(["--emulator", "stats", "x:1", "tiktok:2", "--json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let v = stdout_json(&out);
    let all = v.as_array().unwrap();
    assert_eq!(all.len(), 2);
    for (r, platform) in all.iter().zip(["x", "tiktok"]) {
        assert_eq!(r["platform"], platform);
        assert_eq!(r["ok"], false);
        assert_eq!(r["metrics"], Value::Null);
        assert_eq!(r["error"]["code"], "INVALID_INPUT", "{r}");
    }

    // The demo LinkedIn app does not ask for analytics: named, exit 3.
    let out = home
        .cmd()
        .args(["--emulator", "accounts", "--json"])
        .output()
        .unwrap();
    let accounts = stdout_json(&out);
    let member = accounts
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["key"]["platform"] == "linkedin" && a["profile"]["kind"] != "organization")
        .expect("the demo member")["key"]["account_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let out = home
        .cmd()
        .args([
            "--emulator",
            "stats",
            "linkedin:urn:li:share:1",
            "--account",
            &member,
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", text(&out));
    assert!(text(&out).contains("MISSING_SCOPE"), "{}", text(&out));
    assert!(
        text(&out).contains("r_member_postAnalytics"),
        "{}",
        text(&out)
    );

    let out = home
        .cmd()
        .args(["--emulator", "stats", "nope"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
}

#[test]
fn schedule_wait_publishes_at_the_time() {
    let home = Home::new();
    let at = (chrono::Utc::now() + chrono::Duration::seconds(2))
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string();
    let out = home
        .cmd()
        .args([
            "--emulator",
            "schedule",
            "later",
            "--at",
            &at,
            "--to",
            "x",
            "--wait",
            "--json",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    let v = stdout_json(&out);
    let post = &v["scheduled"][0];
    assert_eq!(post["state"], "published", "{v:#}");
    assert_eq!(post["results"][0]["platform"], "x");
    assert!(
        post["results"][0]["url"]
            .as_str()
            .unwrap()
            .starts_with("https://x.com/")
    );
    let published: chrono::DateTime<chrono::Utc> =
        post["started_at"].as_str().unwrap().parse().unwrap();
    assert!(published >= at.parse::<chrono::DateTime<chrono::Utc>>().unwrap());
}

#[test]
fn import_is_all_or_nothing_unless_valid_only() {
    let home = Home::new();
    let file = home.path().join("posts.csv");
    std::fs::write(
        &file,
        format!(
            "text,at,tz,to\n\"one, two\",2030-01-05T09:00,Europe/Berlin,x\n{},2030-01-05T10:00,Europe/Berlin,x\nthree,2030-01-05T08:00:00Z,,x\n",
            "y".repeat(400)
        ),
    )
    .unwrap();
    let from = file.to_str().unwrap();
    let out = home
        .cmd()
        .args(["--emulator", "schedule", "--from", from, "--json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let v = stdout_json(&out);
    assert_eq!(v["import"]["scheduled"], 0, "{v:#}");
    assert_eq!(v["import"]["items"][1]["error"]["code"], "INVALID_POST");

    let out = home
        .cmd()
        .args([
            "--emulator",
            "schedule",
            "--from",
            from,
            "--valid-only",
            "--json",
        ])
        .output()
        .unwrap();
    let v = stdout_json(&out);
    assert_eq!(v["import"]["scheduled"], 2, "{v:#}");
    let due: Vec<&str> = v["scheduled"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["due_at"].as_str().unwrap())
        .collect();
    assert_eq!(due, ["2030-01-05T08:00:00Z", "2030-01-05T08:00:00Z"]);
}

#[test]
fn schedule_mistakes_are_usage_errors() {
    let home = Home::new();
    for args in [
        &["schedule", "hi", "--at", "2030-01-05T09:00", "--to", "x"][..],
        &[
            "schedule",
            "hi",
            "--at",
            "2030-01-05T09:00",
            "--tz",
            "Mars/Base",
        ][..],
        &["schedule", "hi"][..],
        &["cancel", "no-such-id"][..],
        &["jobs", "--state", "sleeping"][..],
    ] {
        let out = home.cmd().arg("--emulator").args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", text(&out));
    }
}

#[test]
fn jobs_lists_and_reports_health_as_json() {
    let home = Home::new();
    let out = home
        .cmd()
        .args(["--emulator", "jobs", "--json"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(stdout_json(&out), serde_json::json!([]));
    let out = home
        .cmd()
        .args(["--emulator", "jobs", "--health", "--json"])
        .output()
        .unwrap();
    let v = stdout_json(&out);
    assert_eq!(v["due"], 0, "{v:#}");
    assert!(v["workers_alive"].is_u64());
}
