//! TikTok FILE_UPLOAD throughput and peak memory against the emulator,
//! beside raw streaming PUTs of the same chunks (the loopback ceiling for
//! TikTok's sequential chunk protocol).
//!
//! `cargo bench --bench tiktok_upload` prints JSON lines. Each upload runs
//! in a fresh child process so its peak RSS (VmHWM) is its own. Set
//! `CS_BENCH_MIB` to change the file size (default 1024).

mod upload_common;
use upload_common as common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use common::{Case, MIB, emit, mib_s, peak_rss_mib, raw_body, runtime};
use creatorsync::http::{Endpoints, HttpClient};
use creatorsync::platforms::tiktok::{ChunkPlan, TikTokClient};
use creatorsync::upload::{MemoryUploadSessions, PollConfig, UploadConfig};
use creatorsync::{
    AccountKey, ClientConfig, Credential, Media, Platform, PlatformClient, PlatformOptions, Post,
    Profile, Progress, PublishRequest, Secret, StoredToken, TikTokPrivacy,
};
use creatorsync_emulator::{Emulator, EmulatorConfig};
use serde_json::{Value, json};

const P: Platform = Platform::TikTok;
const OPEN_ID: &str = "tt-demo-open-id";

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
            ..EmulatorConfig::default()
        })
        .await
        .expect("emulator");
        let app = emu.app(P);
        let dir = tempfile::tempdir().expect("temp dir");
        let full = common::sparse_file(dir.path(), mib * MIB);
        let quarter = common::sparse_file(dir.path(), mib * MIB / 4);
        let endpoints =
            serde_json::to_string(&emu.endpoints().get(Platform::TikTok)).expect("endpoints");
        let case = |label, role, file: &std::path::PathBuf| Case {
            label,
            role,
            file: file.clone(),
        };
        let cases = [
            case("raw_chunk_puts_64mib", "raw_chunk_puts", &full),
            case("client_64mib", "client", &full),
            case("client_10mib", "client", &full),
            case("client_64mib_quarter", "client", &quarter),
        ];
        let s = common::run_cases(&cases, repeat, |c| {
            // A fresh token per run: TikTok allows 6 inits per minute per token.
            let token = emu
                .tokens()
                .issue(
                    P,
                    OPEN_ID,
                    &app.client_id,
                    &["video.publish".to_owned(), "user.info.basic".to_owned()],
                    emu.clock().now(),
                    Some(Duration::from_secs(3600)),
                    None,
                )
                .access_token;
            let chunk = if c.label == "client_10mib" {
                10 * MIB
            } else {
                64 * MIB
            };
            vec![
                ("CS_BENCH_ENDPOINTS", endpoints.clone()),
                ("CS_BENCH_TOKEN", token),
                ("CS_BENCH_CHUNK", chunk.to_string()),
            ]
        });
        let m = |i: usize| s[i]["median_mib_s"].as_f64().unwrap_or(f64::NAN);
        emit(&json!({
            "bench": "tiktok_upload",
            "summary": s,
            "client_64mib_vs_raw": m(1) / m(0),
            "client_10mib_vs_raw": m(2) / m(0),
            "rss_budget_mib_64mib_chunks": 2.0 * 64.0 + 16.0,
            "rss_budget_mib_10mib_chunks": 2.0 * 10.0 + 16.0,
        }));
        emu.shutdown().await;
    });
}

fn child(role: &str) {
    let endpoints: Endpoints = serde_json::from_str(&env("CS_BENCH_ENDPOINTS")).expect("endpoints");
    let token = env("CS_BENCH_TOKEN");
    let path = std::path::PathBuf::from(env("CS_BENCH_FILE"));
    let chunk: u64 = env("CS_BENCH_CHUNK").parse().expect("chunk size");
    runtime().block_on(async {
        let size = std::fs::metadata(&path).expect("stat").len();
        let plan = ChunkPlan::new(size, chunk).expect("plan");
        // Clients are built before the clock starts (building a reqwest
        // client loads the platform's root certificates).
        let started: Instant;
        if role == "raw_chunk_puts" {
            // The same reqwest configuration the SDK uses, without any SDK logic.
            let c = HttpClient::default().reqwest().clone();
            started = Instant::now();
            let init: Value = c
                .post(endpoints.api.join("/v2/post/publish/video/init/").unwrap())
                .bearer_auth(&token)
                .json(&json!({
                    "post_info": {"title": "raw", "privacy_level": "SELF_ONLY", "disable_stitch": true},
                    "source_info": {"source": "FILE_UPLOAD", "video_size": size,
                        "chunk_size": plan.chunk_size, "total_chunk_count": plan.total_chunk_count},
                }))
                .send()
                .await
                .expect("init")
                .json()
                .await
                .expect("init json");
            let url = init["data"]["upload_url"].as_str().expect("upload_url").to_owned();
            for i in 0..plan.total_chunk_count {
                let ch = plan.chunk(i);
                let resp = c
                    .put(&url)
                    .header("Content-Type", "video/mp4")
                    .header("Content-Length", ch.len)
                    .header(
                        "Content-Range",
                        format!("bytes {}-{}/{size}", ch.offset, ch.last_byte()),
                    )
                    .body(raw_body(&path, ch.offset, ch.len))
                    .send()
                    .await
                    .expect("chunk");
                assert!(resp.status().is_success(), "chunk {i}: {}", resp.status());
            }
        } else {
            let client = TikTokClient::new(ClientConfig {
                http: HttpClient::default(),
                endpoints,
                client_id: "cs-test-tiktok".into(),
                client_secret: Secret::new("cs-test-tiktok-secret".into()),
                consumer: None,
                api_version: None,
                upload: UploadConfig {
                    chunk_size: chunk,
                    ..UploadConfig::default()
                },
                poll: PollConfig {
                    initial: Duration::from_millis(5),
                    ..PollConfig::default()
                },
            });
            let account = StoredToken::new(
                AccountKey::new("bench", P, OPEN_ID).unwrap(),
                Credential::OAuth2 {
                    access: Secret::new(token),
                    refresh: None,
                    expires_at: None,
                    refresh_expires_at: None,
                    scopes: vec![],
                    user_token: None,
                },
                Profile {
                    handle: Some("creatorsync.demo".into()),
                    ..Profile::default()
                },
            );
            let mut options = PlatformOptions::default();
            options.tiktok.privacy_level = Some(TikTokPrivacy::SelfOnly);
            options.tiktok.disable_stitch = true;
            let post = Post::text("bench upload")
                .with_media(Media::new(creatorsync::FileSource::new(&path)).await.expect("media"))
                .with_options(options);
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
            "bench": "tiktok_upload",
            "client": role,
            "bytes": size,
            "chunk_size": plan.chunk_size,
            "chunks": plan.total_chunk_count,
            "mib_s": mib_s(size, started),
            "peak_rss_mib": peak_rss_mib(),
        }));
    });
}
