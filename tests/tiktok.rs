//! TikTok client against the emulator: creator_info checks before any
//! upload, FILE_UPLOAD with TikTok's chunk rules (3 MiB, 64 MiB, 300 MiB),
//! a reset mid-chunk re-sending only that chunk, PULL_FROM_URL, photo posts
//! (public URLs, MediaHost, or a clear error), processing failures, lost
//! answers, revoked tokens.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use bytes::Bytes;
use creatorsync::http::{Endpoints, HttpClient};
use creatorsync::platforms::tiktok::{ChunkPlan, TikTokClient};
use creatorsync::progress::Progress;
use creatorsync::upload::{MemoryUploadSessions, PollConfig, UploadConfig, UploadSessions};
use creatorsync::{
    AccountKey, ClientConfig, Credential, Error, Media, MediaInfo, MediaKind, MediaSource,
    ObjectStoreMediaHost, Platform, PlatformClient, PlatformOptions, Post, Profile, ProgressEvent,
    PublishRequest, Published, Secret, StoredToken, TikTokPrivacy,
};
use creatorsync_emulator::{Emulator, EmulatorConfig, Fault, FaultKind, RunningEmulator};
use url::Url;

const P: Platform = Platform::TikTok;
const OPEN_ID: &str = "tt-demo-open-id";
const USERNAME: &str = "creatorsync.demo";
const MIB: u64 = 1024 * 1024;

// ---- small helpers (tests/common/mod.rs belongs to the other clients helper) ----

/// A repeating pattern (prime length, so chunks differ), generated without
/// holding the file: any size, memory = the requested range.
#[derive(Debug)]
struct Synth {
    len: u64,
    mime: &'static str,
    url: Option<Url>,
}

const PATTERN_LEN: u64 = 65_521;

fn pattern() -> &'static [u8] {
    static P: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    P.get_or_init(|| {
        let mut v: Vec<u8> = (0..PATTERN_LEN).map(|i| (i * 7 + i / 251) as u8).collect();
        v[..3].copy_from_slice(&[0xFF, 0xD8, 0xFF]);
        v
    })
}

fn bytes_of(offset: u64, len: u64) -> Vec<u8> {
    let p = pattern();
    let mut out = Vec::with_capacity(len as usize);
    let mut pos = offset;
    while (out.len() as u64) < len {
        let s = (pos % PATTERN_LEN) as usize;
        let n = ((PATTERN_LEN as usize) - s).min((len as usize) - out.len());
        out.extend_from_slice(&p[s..s + n]);
        pos += n as u64;
    }
    out
}

#[async_trait]
impl MediaSource for Synth {
    async fn describe(&self) -> creatorsync::Result<MediaInfo> {
        let kind = if self.mime.starts_with("video/") {
            MediaKind::Video
        } else {
            MediaKind::Image
        };
        Ok(MediaInfo {
            len: self.len,
            mime: self.mime.into(),
            name: None,
            kind,
        })
    }
    async fn read_range(&self, offset: u64, len: u64) -> creatorsync::Result<Bytes> {
        let end = (offset + len).min(self.len);
        Ok(bytes_of(offset, end.saturating_sub(offset)).into())
    }
    fn public_url(&self) -> Option<&Url> {
        self.url.as_ref()
    }
}

fn sha(b: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(b))
}

/// Serves the files of `dir` at `http://127.0.0.1:P/files/...`.
async fn file_server(dir: PathBuf) -> Url {
    use axum::extract::Path;
    use axum::response::IntoResponse;
    let router = axum::Router::new().route(
        "/files/{*path}",
        axum::routing::get(move |Path(p): Path<String>| {
            let dir = dir.clone();
            async move {
                if p.contains("..") {
                    return axum::http::StatusCode::NOT_FOUND.into_response();
                }
                let ct = match p.rsplit('.').next() {
                    Some("jpg") => "image/jpeg",
                    Some("mp4") => "video/mp4",
                    _ => "application/octet-stream",
                };
                match tokio::fs::read(dir.join(p)).await {
                    Ok(b) => ([("content-type", ct)], b).into_response(),
                    Err(_) => axum::http::StatusCode::NOT_FOUND.into_response(),
                }
            }
        }),
    );
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = l.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(l, router).await;
    });
    Url::parse(&format!("http://{addr}/files/")).unwrap()
}

fn account(emu: &RunningEmulator) -> StoredToken {
    let app = emu.app(P);
    let issued = emu.tokens().issue(
        P,
        OPEN_ID,
        &app.client_id,
        &[
            "user.info.basic".to_owned(),
            "video.publish".to_owned(),
            "video.upload".to_owned(),
            "video.list".to_owned(),
        ],
        emu.clock().now(),
        Some(Duration::from_secs(7200)),
        Some(None),
    );
    StoredToken::new(
        AccountKey::new("user-1", P, OPEN_ID).unwrap(),
        Credential::OAuth2 {
            access: Secret::new(issued.access_token),
            refresh: None,
            expires_at: None,
            refresh_expires_at: None,
            scopes: vec![],
            user_token: None,
        },
        Profile {
            platform_user_id: OPEN_ID.into(),
            handle: Some(USERNAME.into()),
            ..Profile::default()
        },
    )
}

fn config(endpoints: Endpoints, chunk_size: u64) -> ClientConfig {
    ClientConfig {
        http: HttpClient::default(),
        endpoints,
        client_id: "cs-test-tiktok".into(),
        client_secret: Secret::new("cs-test-tiktok-secret".to_owned()),
        consumer: None,
        api_version: None,
        upload: UploadConfig {
            chunk_size,
            retry_backoff: Duration::from_millis(5),
            ..UploadConfig::default()
        },
        poll: PollConfig {
            initial: Duration::from_millis(50),
            max_interval: Duration::from_millis(200),
            deadline: Duration::from_secs(60),
        },
    }
}

/// Options the emulator's creator accepts (stitches are disabled there).
fn ok_options() -> PlatformOptions {
    let mut o = PlatformOptions::default();
    o.tiktok.privacy_level = Some(TikTokPrivacy::SelfOnly);
    o.tiktok.disable_stitch = true;
    o
}

async fn video(len: u64, url: Option<Url>) -> Media {
    Media::new(Synth {
        len,
        mime: "video/mp4",
        url,
    })
    .await
    .unwrap()
}

async fn photo(len: u64, url: Option<Url>) -> Media {
    Media::new(Synth {
        len,
        mime: "image/jpeg",
        url,
    })
    .await
    .unwrap()
}

async fn publish(
    client: &TikTokClient,
    account: &StoredToken,
    post: &Post,
    sessions: Arc<dyn UploadSessions>,
) -> creatorsync::Result<Published> {
    client
        .publish(PublishRequest {
            account,
            post,
            progress: Progress::none(),
            sessions,
            session_key: "job-1:tiktok".into(),
            commit: Default::default(),
            tokens: Default::default(),
        })
        .await
}

fn mem() -> Arc<dyn UploadSessions> {
    Arc::new(MemoryUploadSessions::new())
}

fn video_url(id: &str) -> String {
    format!("https://www.tiktok.com/@{USERNAME}/video/{id}")
}

/// The chunk records of the one upload, checked against the plan.
fn assert_chunks_follow_plan(emu: &RunningEmulator, plan: &ChunkPlan) {
    let chunks = emu.record().chunks_for(P);
    assert_eq!(chunks.len() as u64, plan.total_chunk_count, "{chunks:?}");
    for (i, c) in chunks.iter().enumerate() {
        let want = plan.chunk(i as u64);
        assert_eq!((c.offset, c.len, c.complete), (want.offset, want.len, true));
    }
}

// ---- tests ----

#[tokio::test]
async fn compose_constraints_and_validation_before_any_upload() {
    let emu = Emulator::start(EmulatorConfig::default()).await.unwrap();
    let client = TikTokClient::new(config(
        emu.endpoints().get(Platform::TikTok).clone(),
        10 * MIB,
    ));
    let account = account(&emu);
    let c = client.compose_constraints(&account).await.unwrap();
    assert_eq!(c.creator_username, USERNAME);
    assert!(c.privacy_level_options.contains(&TikTokPrivacy::SelfOnly));
    assert_eq!(c.preselected_privacy(), None);
    assert_eq!(c.default_interactions_allowed(), (false, false, false));
    assert!(c.stitch_disabled);

    // No privacy level chosen, stitches left on: refused before any upload.
    let post = Post::text("needs choices").with_media(video(3 * MIB, None).await);
    let err = publish(&client, &account, &post, mem()).await.unwrap_err();
    match err {
        Error::InvalidPost { violations } => {
            let codes: Vec<_> = violations.iter().map(|v| v.code.as_str()).collect();
            assert_eq!(
                codes,
                ["tiktok_privacy_required", "tiktok_interaction_disabled"]
            );
        }
        other => panic!("expected InvalidPost, got {other}"),
    }
    assert!(emu.record().chunks_for(P).is_empty());
    assert!(emu.record().posts_for(P).is_empty());
    emu.shutdown().await;
}

#[tokio::test]
async fn three_mib_is_one_chunk() {
    let emu = Emulator::start(EmulatorConfig::default()).await.unwrap();
    let client = TikTokClient::new(config(
        emu.endpoints().get(Platform::TikTok).clone(),
        10 * MIB,
    ));
    let account = account(&emu);
    let len = 3 * MIB;
    let post = Post::text("three mib #tiktok")
        .with_media(video(len, None).await)
        .with_options(ok_options());
    let p = publish(&client, &account, &post, mem()).await.unwrap();
    assert_eq!(p.url, video_url(&p.post_id));
    assert_chunks_follow_plan(&emu, &ChunkPlan::new(len, 10 * MIB).unwrap());
    let posts = emu.record().posts_for(P);
    assert_eq!(posts.len(), 1);
    assert_eq!(posts[0].post_id, p.post_id);
    assert_eq!(posts[0].media[0].sha256, sha(&bytes_of(0, len)));
    assert_eq!(posts[0].extra["privacy_level"], "SELF_ONLY");
    // find_recent finds it; delete is not offered by the API.
    let since = chrono::Utc::now() - chrono::Duration::minutes(1);
    assert_eq!(
        client.find_recent(&account, &post, since).await.unwrap(),
        Some(p.clone())
    );
    assert!(client.delete(&account, &p.post_id).await.is_err());
    emu.shutdown().await;
}

#[tokio::test]
async fn sixty_four_mib_with_a_reset_mid_chunk_resends_only_that_chunk() {
    let emu = Emulator::start(EmulatorConfig::default()).await.unwrap();
    let client = TikTokClient::new(config(
        emu.endpoints().get(Platform::TikTok).clone(),
        10 * MIB,
    ));
    let account = account(&emu);
    let len = 64 * MIB;
    let plan = ChunkPlan::new(len, 10 * MIB).unwrap();
    assert_eq!((plan.chunk_size, plan.total_chunk_count), (10 * MIB, 6));
    // Once the second chunk is acknowledged, cut the next PUT after 4 MiB.
    let ctx = emu.shared().clone();
    let progress = Progress::new(Arc::new(move |ev: &ProgressEvent| {
        if let ProgressEvent::Uploading { sent, .. } = ev
            && *sent == 20 * MIB
        {
            ctx.faults.inject(
                P,
                Fault::once(FaultKind::ResetAfterBytes { bytes: 4 * MIB })
                    .on_path("/upload/video/"),
            );
        }
    }));
    let post = Post::text("sixty four")
        .with_media(video(len, None).await)
        .with_options(ok_options());
    let p = client
        .publish(PublishRequest {
            account: &account,
            post: &post,
            progress,
            sessions: mem(),
            session_key: "job-1:tiktok".into(),
            commit: Default::default(),
            tokens: Default::default(),
        })
        .await
        .unwrap();
    let chunks = emu.record().chunks_for(P);
    // The third PUT was cut; it alone was sent again, from its own offset.
    let seen: Vec<(u64, bool)> = chunks.iter().map(|c| (c.offset, c.complete)).collect();
    let mut want: Vec<(u64, bool)> = (0..plan.total_chunk_count)
        .map(|i| (plan.chunk(i).offset, true))
        .collect();
    want.insert(2, (20 * MIB, false));
    assert_eq!(seen, want, "{chunks:?}");
    assert_eq!(emu.record().posts_for(P).len(), 1);
    assert_eq!(emu.record().posts_for(P)[0].post_id, p.post_id);
    emu.shutdown().await;
}

#[tokio::test]
async fn three_hundred_mib_synthetic_follows_the_chunk_rules() {
    let emu = Emulator::start(EmulatorConfig::default()).await.unwrap();
    let client = TikTokClient::new(config(
        emu.endpoints().get(Platform::TikTok).clone(),
        64 * MIB,
    ));
    let account = account(&emu);
    let len = 300 * MIB;
    let post = Post::text("three hundred")
        .with_media(video(len, None).await)
        .with_options(ok_options());
    publish(&client, &account, &post, mem()).await.unwrap();
    let plan = ChunkPlan::new(len, 64 * MIB).unwrap();
    assert_eq!((plan.chunk_size, plan.total_chunk_count), (64 * MIB, 4));
    assert_chunks_follow_plan(&emu, &plan);
    assert_eq!(emu.record().posts_for(P)[0].media[0].len, len);
    emu.shutdown().await;
}

#[tokio::test]
async fn a_restarted_client_continues_at_the_persisted_chunk() {
    let emu = Emulator::start(EmulatorConfig::default()).await.unwrap();
    let account = account(&emu);
    let len = 20 * MIB;
    let sessions = mem();
    // First process: the second chunk fails for good (no chunk retries).
    let mut cfg = config(emu.endpoints().get(Platform::TikTok).clone(), 5 * MIB);
    cfg.upload.chunk_retries = 0;
    let ctx = emu.shared().clone();
    let progress = Progress::new(Arc::new(move |ev: &ProgressEvent| {
        if let ProgressEvent::Uploading { sent, .. } = ev
            && *sent == 5 * MIB
        {
            ctx.faults.inject(
                P,
                Fault::once(FaultKind::Fail { status: 503 }).on_path("/upload/video/"),
            );
        }
    }));
    let post = Post::text("restart")
        .with_media(video(len, None).await)
        .with_options(ok_options());
    let first = TikTokClient::new(cfg);
    let err = first
        .publish(PublishRequest {
            account: &account,
            post: &post,
            progress,
            sessions: sessions.clone(),
            session_key: "job-1:tiktok".into(),
            commit: Default::default(),
            tokens: Default::default(),
        })
        .await
        .unwrap_err();
    assert!(err.is_retryable(), "{err}");
    let saved = sessions.load("job-1:tiktok:0").await.unwrap().unwrap();
    assert_eq!(saved["next_chunk"], 1);
    // Second process: same store, continues the same upload.
    let second = TikTokClient::new(config(
        emu.endpoints().get(Platform::TikTok).clone(),
        5 * MIB,
    ));
    publish(&second, &account, &post, sessions.clone())
        .await
        .unwrap();
    let chunks = emu.record().chunks_for(P);
    let ids: std::collections::BTreeSet<_> = chunks.iter().map(|c| c.upload_id.clone()).collect();
    assert_eq!(ids.len(), 1, "one upload session: {chunks:?}");
    // Chunk 0 was sent once; the new process started at chunk 1.
    let offsets: Vec<u64> = chunks.iter().map(|c| c.offset).collect();
    assert_eq!(offsets, vec![0, 5 * MIB, 10 * MIB, 15 * MIB]);
    assert!(chunks.iter().all(|c| c.complete));
    assert!(sessions.load("job-1:tiktok:0").await.unwrap().is_none());
    assert_eq!(emu.record().posts_for(P).len(), 1);
    emu.shutdown().await;
}

#[tokio::test]
async fn pull_from_url_and_photo_posts() {
    let emu = Emulator::start(EmulatorConfig::default()).await.unwrap();
    let account = account(&emu);
    let dir = tempfile::tempdir().unwrap();
    let files = file_server(dir.path().to_path_buf()).await;
    let host_dir = tempfile::tempdir().unwrap();
    let host_url = file_server(host_dir.path().to_path_buf()).await;
    let host = ObjectStoreMediaHost::local(host_dir.path(), host_url).unwrap();
    let client = TikTokClient::new(config(
        emu.endpoints().get(Platform::TikTok).clone(),
        10 * MIB,
    ))
    .with_media_host(Arc::new(host));

    // Video with a public URL: PULL_FROM_URL, no chunks.
    let vlen = 2 * MIB;
    std::fs::write(dir.path().join("v.mp4"), bytes_of(0, vlen)).unwrap();
    let post = Post::text("pulled")
        .with_media(video(vlen, Some(files.join("v.mp4").unwrap())).await)
        .with_options(ok_options());
    let p = publish(&client, &account, &post, mem()).await.unwrap();
    assert_eq!(p.url, video_url(&p.post_id));
    assert!(emu.record().chunks_for(P).is_empty());

    // Photos: one with a public URL, one re-hosted.
    let plen = 50_000;
    std::fs::write(dir.path().join("a.jpg"), bytes_of(0, plen)).unwrap();
    let post = Post::text("two photos\nand a description")
        .with_media(photo(plen, Some(files.join("a.jpg").unwrap())).await)
        .with_media(photo(plen, None).await)
        .with_options(ok_options());
    let p = publish(&client, &account, &post, mem()).await.unwrap();
    assert_eq!(
        p.url,
        format!("https://www.tiktok.com/@{USERNAME}/photo/{}", p.post_id)
    );
    let rec = emu.record().post(P, &p.post_id).unwrap();
    assert_eq!(rec.title.as_deref(), Some("two photos"));
    assert_eq!(rec.media.len(), 2);

    // No public URL and no media host: a clear configuration error.
    let bare = TikTokClient::new(config(
        emu.endpoints().get(Platform::TikTok).clone(),
        10 * MIB,
    ));
    let post = Post::text("no url")
        .with_media(photo(plen, None).await)
        .with_options(ok_options());
    match publish(&bare, &account, &post, mem()).await.unwrap_err() {
        Error::Config(m) => assert!(m.contains("with_media_host"), "{m}"),
        other => panic!("expected Config, got {other}"),
    }
    assert_eq!(emu.record().posts_for(P).len(), 2);
    emu.shutdown().await;
}

#[tokio::test]
async fn failures_are_typed_and_nothing_is_published_twice() {
    let emu = Emulator::start(EmulatorConfig::default()).await.unwrap();
    let client = TikTokClient::new(config(
        emu.endpoints().get(Platform::TikTok).clone(),
        10 * MIB,
    ));
    let account = account(&emu);

    // Processing failure.
    emu.faults()
        .inject(P, Fault::once(FaultKind::FailProcessing));
    let post = Post::text("fails")
        .with_media(video(MIB, None).await)
        .with_options(ok_options());
    match publish(&client, &account, &post, mem()).await.unwrap_err() {
        Error::MediaRejected { code, .. } => {
            assert_eq!(code.as_deref(), Some("file_format_check_failed"))
        }
        other => panic!("expected MediaRejected, got {other}"),
    }
    assert!(emu.record().posts_for(P).is_empty());

    // The answer to the last chunk is lost: the chunk is re-sent, one post.
    emu.faults().inject(
        P,
        Fault::once(FaultKind::LoseResponse).on_path("/upload/video/"),
    );
    let post = Post::text("lost answer")
        .with_media(video(MIB, None).await)
        .with_options(ok_options());
    let p = publish(&client, &account, &post, mem()).await.unwrap();
    let posts = emu.record().posts_for(P);
    assert_eq!(posts.len(), 1);
    assert_eq!(posts[0].post_id, p.post_id);

    // A revoked token: ReauthRequired, nothing more published.
    emu.tokens().revoke_all(P, None);
    let err = publish(&client, &account, &post, mem()).await.unwrap_err();
    assert!(matches!(err, Error::ReauthRequired { .. }), "{err}");
    assert_eq!(emu.record().posts_for(P).len(), 1);
    emu.shutdown().await;
}

#[tokio::test]
async fn rate_limits_are_honoured() {
    let emu = Emulator::start(EmulatorConfig::default()).await.unwrap();
    let client = TikTokClient::new(config(
        emu.endpoints().get(Platform::TikTok).clone(),
        10 * MIB,
    ));
    let account = account(&emu);
    emu.faults().inject(
        P,
        Fault::once(FaultKind::RateLimit {
            retry_after_secs: 1,
        })
        .on_path("/v2/post/publish/video/init/"),
    );
    let post = Post::text("after a 429")
        .with_media(video(MIB, None).await)
        .with_options(ok_options());
    let t = std::time::Instant::now();
    publish(&client, &account, &post, mem()).await.unwrap();
    assert!(t.elapsed() >= Duration::from_millis(950));
    assert_eq!(emu.record().posts_for(P).len(), 1);
    emu.shutdown().await;
}
