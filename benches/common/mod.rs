//! Shared upload-bench helpers: a generated test file, the raw streaming PUT
//! ceiling against the emulator, peak RSS, and running one client upload in
//! a fresh child process (so its peak RSS is its own).
#![allow(dead_code, unreachable_pub)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use creatorsync::Platform;
use creatorsync_emulator::RunningEmulator;
use serde_json::{Value, json};

/// One MiB.
pub const MIB: u64 = 1024 * 1024;

/// Peak resident set size of this process (VmHWM), in MiB.
pub fn peak_rss_mib() -> f64 {
    status_mib("VmHWM:")
}

/// Current resident set size of this process (VmRSS), in MiB.
pub fn rss_mib() -> f64 {
    status_mib("VmRSS:")
}

fn status_mib(field: &str) -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

/// A `size`-byte MP4-typed file in `dir`: an `ftyp` box, then a sparse
/// (zero) tail, so creating it costs nothing and reading it never touches
/// the disk.
pub fn make_file(dir: &Path, size: u64) -> PathBuf {
    let path = dir.join(format!("bench-{}.mp4", size / MIB));
    let mut f = std::fs::File::create(&path).unwrap();
    f.write_all(b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom")
        .unwrap();
    f.set_len(size).unwrap();
    path
}

/// The loopback ceiling: one raw streaming PUT of the whole file, from a
/// fresh child process, to an emulator upload URL whose handler does the
/// same per-byte work as X's APPEND handler (stream the body, SHA-256 it
/// once, buffer nothing): a LinkedIn video-part URL other than the next one
/// in sequence. The handler drains and hashes everything, then refuses the
/// part (wrong length); only the transfer is timed. Returns MiB/s.
pub async fn raw_put_ceiling(emu: &RunningEmulator, li_token: &str, path: &Path) -> f64 {
    let env = vec![
        ("CS_MODE", "ceiling".to_owned()),
        (
            "CS_API",
            emu.endpoints().get(Platform::LinkedIn).api.to_string(),
        ),
        ("CS_TOKEN", li_token.to_owned()),
        ("CS_FILE", path.display().to_string()),
    ];
    let r = tokio::task::spawn_blocking(move || run_child(&env))
        .await
        .unwrap();
    r["mib_s"].as_f64().unwrap_or(0.0)
}

/// In a child: the raw streaming PUT itself; prints `{"mib_s":..}`.
pub async fn ceiling_child() {
    let li_token = var("CS_TOKEN");
    let path = PathBuf::from(var("CS_FILE"));
    let api = url::Url::parse(&var("CS_API")).unwrap();
    let http = reqwest::Client::new();
    let api = &api;
    let init: Value = http
        .post(api.join("/rest/videos?action=initializeUpload").unwrap())
        .bearer_auth(&li_token)
        .header("LinkedIn-Version", "202607")
        .header("X-Restli-Protocol-Version", "2.0.0")
        .json(&json!({"initializeUploadRequest": {
            "owner": "urn:li:person:li-demo-person",
            "fileSizeBytes": 8 * MIB + 1,
            "uploadCaptions": false,
            "uploadThumbnail": false,
        }}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let url = init["value"]["uploadInstructions"][1]["uploadUrl"]
        .as_str()
        .unwrap_or_else(|| panic!("no second part: {init}"))
        .to_owned();
    let size = std::fs::metadata(&path).unwrap().len();
    let file = tokio::fs::File::open(&path).await.unwrap();
    let stream = tokio_util::io::ReaderStream::with_capacity(file, 256 * 1024);
    let started = Instant::now();
    let resp = http
        .put(url)
        .bearer_auth(&li_token)
        .header("content-length", size)
        .body(reqwest::Body::wrap_stream(stream))
        .send()
        .await
        .unwrap();
    // Drained and hashed whole, then refused as a part of the wrong size.
    assert!(
        resp.status().is_success() || resp.status() == 400,
        "ceiling PUT: {}",
        resp.status()
    );
    let mib_s = size as f64 / MIB as f64 / started.elapsed().as_secs_f64();
    println!(
        "{}",
        json!({ "mib_s": mib_s, "peak_rss_mib": peak_rss_mib() })
    );
}

/// Runs this bench binary again as a child with `--child` and `env`, and
/// returns the JSON line it prints.
pub fn run_child(env: &[(&str, String)]) -> Value {
    let exe = std::env::current_exe().unwrap();
    let out = Command::new(exe)
        .arg("--child")
        .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "child failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    serde_json::from_str(text.lines().last().unwrap_or("{}")).unwrap()
}

/// Whether this child measures the ceiling rather than a client.
pub fn is_ceiling_child() -> bool {
    std::env::var("CS_MODE").is_ok_and(|m| m == "ceiling")
}

/// Whether this process is a child started by [`run_child`].
pub fn is_child() -> bool {
    std::env::args().any(|a| a == "--child")
}

/// An environment variable of the child.
pub fn var(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| panic!("missing {name}"))
}

/// What a child measured.
pub struct Timing {
    /// Seconds from publish start until the last byte was acknowledged.
    pub upload_secs: f64,
    /// Seconds of the whole publish (upload, processing, post).
    pub publish_secs: f64,
    /// RSS just before the publish started (runtime, TLS, client), MiB.
    pub rss_before_mib: f64,
}

/// Environment for a child uploading `path` to `platform` as `account`.
pub fn child_env(
    emu: &RunningEmulator,
    platform: creatorsync::Platform,
    account: &creatorsync::StoredToken,
    path: &Path,
    chunk: u64,
    in_flight: usize,
    piece: u64,
) -> Vec<(&'static str, String)> {
    let app = emu.app(platform);
    let token = match &account.credential {
        creatorsync::Credential::OAuth2 { access, .. } => access.expose().clone(),
        creatorsync::Credential::OAuth1 { .. } => panic!("bench uses OAuth 2.0 tokens"),
    };
    vec![
        (
            "CS_ENDPOINTS",
            serde_json::to_string(emu.endpoints().get(platform)).unwrap(),
        ),
        ("CS_PLATFORM", platform.as_str().to_owned()),
        ("CS_CLIENT_ID", app.client_id),
        ("CS_CLIENT_SECRET", app.client_secret),
        ("CS_TOKEN", token),
        ("CS_ACCOUNT", account.key.account_id.clone()),
        (
            "CS_HANDLE",
            account.profile.handle.clone().unwrap_or_default(),
        ),
        ("CS_FILE", path.display().to_string()),
        ("CS_CHUNK", chunk.to_string()),
        ("CS_IN_FLIGHT", in_flight.to_string()),
        ("CS_PIECE", piece.to_string()),
    ]
}

/// In the child: the client config, account and post from the environment.
pub async fn child_request() -> (
    creatorsync::ClientConfig,
    creatorsync::StoredToken,
    creatorsync::Post,
) {
    use creatorsync::upload::{PollConfig, UploadConfig};
    use creatorsync::*;
    let platform: Platform = var("CS_PLATFORM").parse().unwrap();
    let chunk: u64 = var("CS_CHUNK").parse().unwrap();
    let cfg = ClientConfig {
        http: HttpClient::new(HttpConfig::default()).unwrap(),
        endpoints: serde_json::from_str(&var("CS_ENDPOINTS")).unwrap(),
        client_id: var("CS_CLIENT_ID"),
        client_secret: Secret::new(var("CS_CLIENT_SECRET")),
        consumer: None,
        api_version: None,
        upload: UploadConfig {
            chunk_size: chunk,
            concurrency: var("CS_IN_FLIGHT").parse().unwrap(),
            piece_size: var("CS_PIECE").parse().unwrap(),
            ..UploadConfig::default()
        },
        poll: PollConfig {
            initial: std::time::Duration::from_millis(10),
            max_interval: std::time::Duration::from_millis(20),
            ..PollConfig::default()
        },
    };
    let account = StoredToken::new(
        AccountKey::new("bench", platform, var("CS_ACCOUNT")).unwrap(),
        Credential::OAuth2 {
            access: Secret::new(var("CS_TOKEN")),
            refresh: None,
            expires_at: None,
            refresh_expires_at: None,
            scopes: Vec::new(),
            user_token: None,
        },
        Profile {
            handle: Some(var("CS_HANDLE")).filter(|h| !h.is_empty()),
            ..Profile::default()
        },
    );
    let media = Media::new(FileSource::new(var("CS_FILE"))).await.unwrap();
    let post = Post::text(format!("bench {}", std::process::id())).with_media(media);
    (cfg, account, post)
}

/// In the child: publishes `post` with `client`, timing the upload (until
/// the last byte is acknowledged) and the whole publish.
pub async fn time_publish(
    client: &dyn creatorsync::PlatformClient,
    account: &creatorsync::StoredToken,
    post: &creatorsync::Post,
) -> Timing {
    use std::sync::{Arc, Mutex};
    let total = post.media[0].info().len;
    let rss_before_mib = rss_mib();
    let started = Instant::now();
    let done: Arc<Mutex<Option<Instant>>> = Arc::default();
    let mark = done.clone();
    let progress = creatorsync::Progress::new(Arc::new(move |e: &creatorsync::ProgressEvent| {
        if let creatorsync::ProgressEvent::Uploading { sent, .. } = e
            && *sent >= total
        {
            mark.lock().unwrap().get_or_insert_with(Instant::now);
        }
    }));
    let req = creatorsync::PublishRequest {
        account,
        post,
        progress,
        sessions: Arc::new(creatorsync::upload::MemoryUploadSessions::new()),
        session_key: "bench".into(),
        commit: Default::default(),
        tokens: Default::default(),
    };
    client.publish(req).await.unwrap();
    let publish_secs = started.elapsed().as_secs_f64();
    let upload_secs = done
        .lock()
        .unwrap()
        .map_or(publish_secs, |at| (at - started).as_secs_f64());
    Timing {
        upload_secs,
        publish_secs,
        rss_before_mib,
    }
}

/// A unique scratch directory under the system temp dir.
pub fn scratch() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("creatorsync-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
