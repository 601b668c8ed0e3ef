//! YouTube client against the emulator: resumable upload (single PUT and
//! chunked), resume after a connection reset and after a restart, expired
//! sessions, processing failures, quota, revoked tokens, lost responses.

use std::sync::Arc;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use bytes::Bytes;
use creatorsync::http::{Endpoints, HttpClient};
use creatorsync::platforms::youtube::{CHUNK_GRANULARITY, YouTubeClient, YouTubeUploadMode};
use creatorsync::progress::Progress;
use creatorsync::upload::{MemoryUploadSessions, PollConfig, UploadConfig, UploadSessions};
use creatorsync::{
    AccountKey, ClientConfig, Credential, Error, Media, MediaInfo, MediaKind, MediaSource,
    Platform, PlatformClient, Post, Profile, PublishRequest, Secret, StoredToken,
};
use creatorsync_emulator::{
    ChunkRecord, Emulator, EmulatorConfig, Fault, FaultKind, RecordedPost, RunningEmulator,
};

const P: Platform = Platform::YouTube;
const CHANNEL: &str = "UCdemo0000000000000000001";
const MIB: u64 = 1024 * 1024;

// ---- small helpers (tests/common/mod.rs belongs to the other clients helper) ----

/// Deterministic bytes generated on demand: any size, no allocation.
#[derive(Debug)]
struct Synth {
    len: u64,
    mime: &'static str,
}

fn byte_at(i: u64) -> u8 {
    (i.wrapping_mul(2_654_435_761) >> 13) as u8
}

#[async_trait]
impl MediaSource for Synth {
    async fn describe(&self) -> creatorsync::Result<MediaInfo> {
        Ok(MediaInfo {
            len: self.len,
            mime: self.mime.into(),
            name: Some("clip.mp4".into()),
            kind: MediaKind::Video,
        })
    }
    async fn read_range(&self, offset: u64, len: u64) -> creatorsync::Result<Bytes> {
        let end = (offset + len).min(self.len);
        Ok((offset..end).map(byte_at).collect::<Vec<u8>>().into())
    }
}

async fn start(config: EmulatorConfig) -> RunningEmulator {
    Emulator::start(config).await.expect("emulator starts")
}

fn account(emu: &RunningEmulator) -> StoredToken {
    let app = emu.app(P);
    let issued = emu.tokens().issue(
        P,
        CHANNEL,
        &app.client_id,
        &["https://www.googleapis.com/auth/youtube.upload".to_owned()],
        emu.clock().now(),
        Some(Duration::from_secs(3600)),
        Some(None),
    );
    let key = AccountKey::new("user-1", P, CHANNEL).unwrap();
    let credential = Credential::OAuth2 {
        access: Secret::new(issued.access_token),
        refresh: None,
        expires_at: None,
        refresh_expires_at: None,
        scopes: vec![],
        user_token: None,
    };
    let profile = Profile {
        platform_user_id: CHANNEL.into(),
        handle: Some("creatorsync-demo".into()),
        ..Profile::default()
    };
    StoredToken::new(key, credential, profile)
}

fn config(endpoints: Endpoints, chunk_retries: u32) -> ClientConfig {
    let app_secret = Secret::new("cs-test-youtube-secret".to_owned());
    ClientConfig {
        http: HttpClient::default(),
        endpoints,
        client_id: "cs-test-youtube".into(),
        client_secret: app_secret,
        consumer: None,
        api_version: None,
        upload: UploadConfig {
            retry_backoff: Duration::from_millis(5),
            chunk_retries,
            ..UploadConfig::default()
        },
        poll: PollConfig {
            initial: Duration::from_millis(20),
            max_interval: Duration::from_millis(100),
            deadline: Duration::from_secs(30),
        },
    }
}

async fn video_post(text: &str, len: u64) -> Post {
    let media = Media::new(Synth {
        len,
        mime: "video/mp4",
    })
    .await
    .unwrap();
    Post::text(text).with_media(media)
}

async fn publish(
    client: &YouTubeClient,
    account: &StoredToken,
    post: &Post,
    sessions: Arc<dyn UploadSessions>,
) -> creatorsync::Result<creatorsync::Published> {
    client
        .publish(PublishRequest {
            account,
            post,
            progress: Progress::none(),
            sessions,
            session_key: "job-1:youtube:UCdemo".into(),
            commit: Default::default(),
            tokens: Default::default(),
        })
        .await
}

fn sha256_of(len: u64) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    let mut off = 0;
    while off < len {
        let piece: Vec<u8> = (off..(off + MIB).min(len)).map(byte_at).collect();
        h.update(&piece);
        off += MIB;
    }
    hex::encode(h.finalize())
}

/// A client of the emulator's YouTube with `chunk_retries` per chunk.
fn client(emu: &RunningEmulator, chunk_retries: u32) -> YouTubeClient {
    YouTubeClient::new(config(
        emu.endpoints().get(Platform::YouTube).clone(),
        chunk_retries,
    ))
}

/// An emulator, a client that retries chunks, and the channel's account.
async fn setup_with(emu_config: EmulatorConfig) -> (RunningEmulator, YouTubeClient, StoredToken) {
    let emu = start(emu_config).await;
    let client = client(&emu, 5);
    let account = account(&emu);
    (emu, client, account)
}

async fn setup() -> (RunningEmulator, YouTubeClient, StoredToken) {
    setup_with(EmulatorConfig::default()).await
}

/// Publishes with fresh in-memory upload sessions.
async fn publish_fresh(
    client: &YouTubeClient,
    account: &StoredToken,
    post: &Post,
) -> creatorsync::Result<creatorsync::Published> {
    publish(client, account, post, Arc::new(MemoryUploadSessions::new())).await
}

/// Injects `kind` once on the PUTs of the resumable session.
fn inject_on_put(emu: &RunningEmulator, kind: FaultKind) {
    emu.faults()
        .inject(P, Fault::once(kind).on_method("PUT").on_path("upload_id="));
}

/// The only post on the channel, which must be `post_id`.
fn only_post(emu: &RunningEmulator, post_id: &str) -> RecordedPost {
    let mut posts = emu.record().posts_for(P);
    assert_eq!(posts.len(), 1);
    assert_eq!(posts[0].post_id, post_id);
    posts.remove(0)
}

/// Where the server resumes after a cut PUT: it keeps whole 256 KiB units.
fn server_offset(cut: &ChunkRecord) -> u64 {
    cut.len / CHUNK_GRANULARITY * CHUNK_GRANULARITY
}

// ---- tests ----

#[tokio::test]
async fn single_put_upload_publishes_one_video() {
    let (emu, client, account) = setup().await;
    let len = 3 * MIB + 17;
    let post = video_post("My first upload\nwith a description", len).await;
    let sessions: Arc<dyn UploadSessions> = Arc::new(MemoryUploadSessions::new());
    let published = publish(&client, &account, &post, sessions.clone())
        .await
        .unwrap();
    assert_eq!(
        published.url,
        format!("https://www.youtube.com/watch?v={}", published.post_id)
    );
    let rec = only_post(&emu, &published.post_id);
    assert_eq!(rec.title.as_deref(), Some("My first upload"));
    assert_eq!(rec.text, post.text);
    assert_eq!(rec.media[0].len, len);
    assert_eq!(rec.media[0].sha256, sha256_of(len));
    let chunks = emu.record().chunks_for(P);
    assert_eq!(chunks.len(), 1, "one streaming PUT: {chunks:?}");
    assert!(chunks[0].complete && chunks[0].len == len);
    // The session is forgotten after success.
    assert!(
        sessions
            .load("job-1:youtube:UCdemo:0")
            .await
            .unwrap()
            .is_none()
    );
    // find_recent sees it; delete removes it.
    let since = chrono::Utc::now() - chrono::Duration::minutes(1);
    let found = client.find_recent(&account, &post, since).await.unwrap();
    assert_eq!(found, Some(published.clone()));
    client.delete(&account, &published.post_id).await.unwrap();
    assert!(emu.record().posts_for(P).is_empty());
    emu.shutdown().await;
}

#[tokio::test]
async fn reset_at_40_percent_resumes_from_the_server_offset() {
    let (emu, client, account) = setup().await;
    let len = 10 * MIB;
    inject_on_put(&emu, FaultKind::ResetAfterBytes { bytes: 4 * MIB });
    let post = video_post("reset mid upload", len).await;
    let published = publish_fresh(&client, &account, &post).await.unwrap();
    let chunks = emu.record().chunks_for(P);
    assert_eq!(chunks.len(), 2, "{chunks:?}");
    assert!(!chunks[0].complete && chunks[0].offset == 0);
    // The server keeps whole 256 KiB units of the cut PUT; the client
    // continues exactly there: nothing it holds is sent again.
    let server_offset = server_offset(&chunks[0]);
    assert!(server_offset > 3 * MIB, "{chunks:?}");
    assert_eq!(chunks[1].offset, server_offset);
    assert!(chunks[1].complete && chunks[1].offset + chunks[1].len == len);
    let rec = only_post(&emu, &published.post_id);
    assert_eq!(rec.media[0].sha256, sha256_of(len));
    emu.shutdown().await;
}

#[tokio::test]
async fn a_restarted_client_resumes_the_persisted_session() {
    let emu = start(EmulatorConfig::default()).await;
    let account = account(&emu);
    let len = 6 * MIB;
    let post = video_post("survives a restart", len).await;
    let sessions: Arc<dyn UploadSessions> = Arc::new(MemoryUploadSessions::new());
    inject_on_put(&emu, FaultKind::ResetAfterBytes { bytes: 5 * MIB / 2 });
    // First process: gives up after the reset (no retries), like a crash.
    let first = client(&emu, 0);
    let err = publish(&first, &account, &post, sessions.clone())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Transport { .. }), "{err}");
    assert!(emu.record().posts_for(P).is_empty());
    let saved = sessions.load("job-1:youtube:UCdemo:0").await.unwrap();
    assert!(saved.is_some(), "the session URI was persisted");
    drop(first);

    // Second process: a new client with the same session store.
    let second = client(&emu, 5);
    let published = publish(&second, &account, &post, sessions.clone())
        .await
        .unwrap();
    let chunks = emu.record().chunks_for(P);
    assert_eq!(chunks.len(), 2, "{chunks:?}");
    let server_offset = server_offset(&chunks[0]);
    assert!(server_offset > 0);
    assert_eq!(
        chunks[1].offset, server_offset,
        "resumed at the server's offset"
    );
    assert_eq!(chunks[0].upload_id, chunks[1].upload_id, "same session");
    let rec = only_post(&emu, &published.post_id);
    assert_eq!(rec.media[0].sha256, sha256_of(len));
    emu.shutdown().await;
}

#[tokio::test]
async fn an_expired_session_starts_a_new_one() {
    let (emu, client, account) = setup().await;
    let sessions: Arc<dyn UploadSessions> = Arc::new(MemoryUploadSessions::new());
    let len = MIB;
    let stale = format!(
        "{}upload/youtube/v3/videos?uploadType=resumable&upload_id=gone",
        emu.endpoints().get(Platform::YouTube).upload
    );
    sessions
        .save(
            "job-1:youtube:UCdemo:0",
            &serde_json::json!({"uri": stale, "total": len}),
        )
        .await
        .unwrap();
    let post = video_post("fresh session", len).await;
    publish(&client, &account, &post, sessions).await.unwrap();
    assert_eq!(emu.record().posts_for(P).len(), 1);
    emu.shutdown().await;
}

#[tokio::test]
async fn chunked_mode_sends_256k_multiples() {
    let (emu, client, account) = setup().await;
    let client = client.with_upload_mode(YouTubeUploadMode::Chunked { chunk_size: MIB });
    let len = 3 * MIB + MIB / 2;
    let post = video_post("chunked", len).await;
    publish_fresh(&client, &account, &post).await.unwrap();
    let chunks = emu.record().chunks_for(P);
    let offsets: Vec<u64> = chunks.iter().map(|c| c.offset).collect();
    assert_eq!(offsets, vec![0, MIB, 2 * MIB, 3 * MIB]);
    assert!(chunks.iter().all(|c| c.complete));
    assert_eq!(emu.record().posts_for(P)[0].media[0].sha256, sha256_of(len));
    emu.shutdown().await;
}

#[tokio::test]
async fn a_lost_final_answer_is_recovered_without_a_second_video() {
    let (emu, client, account) = setup().await;
    inject_on_put(&emu, FaultKind::LoseResponse);
    let post = video_post("lost answer", 2 * MIB).await;
    let published = publish_fresh(&client, &account, &post).await.unwrap();
    only_post(&emu, &published.post_id);
    emu.shutdown().await;
}

#[tokio::test]
async fn server_errors_and_rate_limits_are_ridden_out() {
    let (emu, client, account) = setup().await;
    emu.faults().inject(
        P,
        Fault::once(FaultKind::RateLimit {
            retry_after_secs: 1,
        })
        .on_method("POST")
        .on_path("/upload/youtube/v3/videos"),
    );
    inject_on_put(&emu, FaultKind::Fail { status: 503 });
    let post = video_post("bumpy road", MIB).await;
    let t = Instant::now();
    publish_fresh(&client, &account, &post).await.unwrap();
    assert!(
        t.elapsed() >= Duration::from_millis(950),
        "Retry-After honoured"
    );
    assert_eq!(emu.record().posts_for(P).len(), 1);
    emu.shutdown().await;
}

#[tokio::test]
async fn processing_failure_is_created_unfinished_with_the_video_id() {
    let (emu, client, account) = setup().await;
    emu.faults()
        .inject(P, Fault::once(FaultKind::FailProcessing));
    let post = video_post("will fail", MIB).await;
    let err = publish_fresh(&client, &account, &post).await.unwrap_err();
    // The upload created the video; processing then failed. The video
    // exists on the channel, so the answer names it instead of inviting a
    // second upload.
    match err {
        Error::CreatedUnfinished { post_id, cause, .. } => {
            assert_eq!(emu.record().posts_for(P)[0].post_id, post_id);
            match *cause {
                Error::MediaRejected { reason, .. } => {
                    assert!(reason.contains("codec"), "{reason}")
                }
                other => panic!("expected MediaRejected as the cause, got {other}"),
            }
        }
        other => panic!("expected CreatedUnfinished, got {other}"),
    }
    emu.shutdown().await;
}

#[tokio::test]
async fn quota_and_revoked_tokens_are_typed_and_publish_nothing() {
    let (emu, client, account) = setup_with(EmulatorConfig {
        youtube_quota_units: 100,
        ..EmulatorConfig::default()
    })
    .await;
    let post = video_post("no quota", MIB).await;
    let err = publish_fresh(&client, &account, &post).await.unwrap_err();
    match &err {
        Error::QuotaExhausted { bucket, .. } => assert_eq!(bucket, "units"),
        other => panic!("expected QuotaExhausted, got {other}"),
    }
    emu.tokens().revoke_all(P, None);
    let err = publish_fresh(&client, &account, &post).await.unwrap_err();
    assert!(matches!(err, Error::ReauthRequired { .. }), "{err}");
    assert!(emu.record().posts_for(P).is_empty());
    emu.shutdown().await;
}

#[tokio::test]
async fn a_post_without_one_video_is_invalid() {
    let (emu, client, account) = setup().await;
    let err = publish_fresh(&client, &account, &Post::text("just text"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidPost { .. }), "{err}");
    emu.shutdown().await;
}

#[tokio::test]
async fn the_daily_upload_bucket_is_a_daily_limit_not_retried() {
    // Since 2026-06-01 `videos.insert` has its own bucket per day; over it
    // Google answers 429 rateLimitExceeded "... Video Uploads per day".
    let (emu, client, account) = setup_with(EmulatorConfig {
        youtube_uploads_per_day: 1,
        ..EmulatorConfig::default()
    })
    .await;
    let first = publish_fresh(
        &client,
        &account,
        &video_post("first of the day", MIB).await,
    )
    .await
    .unwrap();
    only_post(&emu, &first.post_id);
    let mark = emu.record().mark();
    let err = publish_fresh(&client, &account, &video_post("one too many", MIB).await)
        .await
        .unwrap_err();
    let Error::QuotaExhausted {
        bucket, resets_at, ..
    } = &err
    else {
        panic!("expected QuotaExhausted, got {err}");
    };
    assert_eq!(bucket, "uploads");
    // The reset is the next midnight in Los Angeles, hours away: not a
    // short limit to wait out.
    let reset = *resets_at;
    let want = chrono::Utc::now()
        .with_timezone(&chrono_tz::America::Los_Angeles)
        .date_naive()
        .succ_opt()
        .unwrap();
    assert_eq!(
        reset
            .with_timezone(&chrono_tz::America::Los_Angeles)
            .date_naive(),
        want
    );
    assert!(err.retry_after().unwrap() > std::time::Duration::from_secs(60));
    let inserts = emu
        .record()
        .requests_since(mark)
        .iter()
        .filter(|r| r.method == "POST" && r.path.contains("/upload/youtube/v3/videos"))
        .count();
    assert_eq!(inserts, 1, "the refused insert is not retried");
    only_post(&emu, &first.post_id);
    emu.shutdown().await;
}
