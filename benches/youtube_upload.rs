//! YouTube resumable upload throughput and peak memory against the emulator,
//! beside a raw streaming PUT of the same file (the loopback ceiling).
//!
//! `cargo bench --bench youtube_upload` prints JSON lines. Each upload runs
//! in a fresh child process so its peak RSS (VmHWM) is its own. Set
//! `CS_BENCH_MIB` to change the file size (default 1024).

mod upload_common;
use upload_common as common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use common::{Case, MIB, emit, mib_s, peak_rss_mib, raw_body, runtime};
use creatorsync::http::{Endpoints, HttpClient};
use creatorsync::platforms::youtube::{YouTubeClient, YouTubeUploadMode};
use creatorsync::upload::{MemoryUploadSessions, PollConfig, UploadConfig};
use creatorsync::{
    AccountKey, ClientConfig, Credential, Media, Platform, PlatformClient, Post, Profile, Progress,
    PublishRequest, Secret, StoredToken,
};
use creatorsync_emulator::{Emulator, EmulatorConfig};
use serde_json::json;

const P: Platform = Platform::YouTube;
const CHANNEL: &str = "UCdemo0000000000000000001";

fn env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| panic!("{name} not set"))
}

fn main() {
    if let Ok(role) = std::env::var(common::CHILD_ENV) {
        child(&role);
        return;
    }
    let (repeat, mib) = common::settings();
    runtime().block_on(async {
        let emu = Emulator::start(EmulatorConfig {
            processing_delay: Duration::ZERO,
            youtube_quota_units: u64::MAX / 2,
            ..EmulatorConfig::default()
        })
        .await
        .expect("emulator");
        let app = emu.app(P);
        let token = emu
            .tokens()
            .issue(
                P,
                CHANNEL,
                &app.client_id,
                &[],
                emu.clock().now(),
                Some(Duration::from_secs(3600)),
                None,
            )
            .access_token;
        let dir = tempfile::tempdir().expect("temp dir");
        let full = common::sparse_file(dir.path(), mib * MIB);
        let quarter = common::sparse_file(dir.path(), mib * MIB / 4);
        let endpoints =
            serde_json::to_string(&emu.endpoints().get(Platform::YouTube)).expect("endpoints");
        let case = |label, role, file: &std::path::PathBuf| Case {
            label,
            role,
            file: file.clone(),
        };
        let cases = [
            case("raw_put", "raw_put", &full),
            case("client_single_put", "client_single_put", &full),
            case("client_chunked_8mib", "client_chunked_8mib", &full),
            case("client_single_put_quarter", "client_single_put", &quarter),
        ];
        let s = common::run_cases(&cases, repeat, |_| {
            vec![
                ("CS_BENCH_ENDPOINTS", endpoints.clone()),
                ("CS_BENCH_TOKEN", token.clone()),
            ]
        });
        let m = |i: usize| s[i]["median_mib_s"].as_f64().unwrap_or(f64::NAN);
        emit(&json!({
            "bench": "youtube_upload",
            "summary": s,
            "client_single_put_vs_raw_put": m(1) / m(0),
            "client_chunked_8mib_vs_raw_put": m(2) / m(0),
            "rss_budget_mib": 2.0 * 4.0 + 16.0,
            "peer_google_api_python_client": {"mib_s": 725, "peak_rss_mib": 47.2},
        }));
        emu.shutdown().await;
    });
}

fn child(role: &str) {
    let endpoints: Endpoints = serde_json::from_str(&env("CS_BENCH_ENDPOINTS")).expect("endpoints");
    let token = env("CS_BENCH_TOKEN");
    let path = std::path::PathBuf::from(env("CS_BENCH_FILE"));
    runtime().block_on(async {
        let source = creatorsync::FileSource::new(&path);
        let size = std::fs::metadata(&path).expect("stat").len();
        // Clients are built before the clock starts (building a reqwest
        // client loads the platform's root certificates).
        let started: Instant;
        let mut chunk_size = None;
        if role == "raw_put" {
            // The same reqwest configuration the SDK uses, without any SDK logic.
            let c = HttpClient::default().reqwest().clone();
            started = Instant::now();
            let resp = c
                .post(
                    endpoints
                        .upload
                        .join("/upload/youtube/v3/videos?uploadType=resumable&part=snippet,status")
                        .unwrap(),
                )
                .bearer_auth(&token)
                .header("X-Upload-Content-Length", size)
                .header("X-Upload-Content-Type", "video/mp4")
                .json(&json!({"snippet": {"title": "raw"}, "status": {"privacyStatus": "private"}}))
                .send()
                .await
                .expect("session");
            let uri = resp.headers()["location"].to_str().unwrap().to_owned();
            let resp = c
                .put(uri)
                .bearer_auth(&token)
                .header("Content-Type", "video/mp4")
                .header("Content-Length", size)
                .body(raw_body(&path, 0, size))
                .send()
                .await
                .expect("put");
            assert!(resp.status().is_success(), "raw PUT: {}", resp.status());
        } else {
            let mut client = YouTubeClient::new(ClientConfig {
                http: HttpClient::default(),
                endpoints,
                client_id: "cs-test-youtube".into(),
                client_secret: Secret::new("cs-test-youtube-secret".into()),
                consumer: None,
                api_version: None,
                upload: UploadConfig::default(),
                poll: PollConfig {
                    initial: Duration::from_millis(5),
                    ..PollConfig::default()
                },
            });
            if role == "client_chunked_8mib" {
                chunk_size = Some(8 * MIB);
                client = client.with_upload_mode(YouTubeUploadMode::Chunked {
                    chunk_size: 8 * MIB,
                });
            }
            let account = StoredToken::new(
                AccountKey::new("bench", P, CHANNEL).unwrap(),
                Credential::OAuth2 {
                    access: Secret::new(token),
                    refresh: None,
                    expires_at: None,
                    refresh_expires_at: None,
                    scopes: vec![],
                    user_token: None,
                },
                Profile::default(),
            );
            let post =
                Post::text("bench upload").with_media(Media::new(source).await.expect("media"));
            started = Instant::now();
            client
                .publish(PublishRequest {
                    account: &account,
                    post: &post,
                    progress: Progress::none(),
                    sessions: Arc::new(MemoryUploadSessions::new()),
                    session_key: "bench".into(),
                    commit: Default::default(),
                    tokens: Default::default(),
                })
                .await
                .expect("publish");
        }
        emit(&json!({
            "bench": "youtube_upload",
            "client": role,
            "bytes": size,
            "chunk_size": chunk_size,
            "mib_s": mib_s(size, started),
            "peak_rss_mib": peak_rss_mib(),
        }));
    });
}
