//! Publish calls and fault scenarios that the Facebook, LinkedIn and X
//! suites run alike: each takes the platform's client and asserts what every
//! platform must do (the platform is the client's own).

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use creatorsync::upload::MemoryUploadSessions;
use creatorsync::{
    ClientConfig, Error, Platform, PlatformClient, Post, Published, RetryConfig, StoredToken,
};
use creatorsync_emulator::{ChunkRecord, Fault, FaultKind, RunningEmulator};

use super::{config, connect, image, request, sessions, video, video_with_limit};

/// Publishes `post` with fresh upload sessions; it must succeed.
pub async fn publish(
    client: &impl PlatformClient,
    account: &StoredToken,
    post: &Post,
) -> Published {
    publish_in(client, account, post, sessions()).await.unwrap()
}

/// Publishes `post` with fresh upload sessions; it must fail.
pub async fn publish_err(
    client: &impl PlatformClient,
    account: &StoredToken,
    post: &Post,
) -> Error {
    publish_in(client, account, post, sessions())
        .await
        .unwrap_err()
}

/// Publishes `post` with the given upload sessions (a process that shares
/// them with another, for resume tests).
pub async fn publish_in(
    client: &impl PlatformClient,
    account: &StoredToken,
    post: &Post,
    store: Arc<MemoryUploadSessions>,
) -> creatorsync::Result<Published> {
    client.publish(request(account, post, store)).await
}

/// Publishes `post`; it must fail with `ReauthRequired`.
pub async fn assert_needs_reauth(client: &impl PlatformClient, account: &StoredToken, post: &Post) {
    let err = publish_err(client, account, post).await;
    assert!(matches!(err, Error::ReauthRequired { .. }), "{err}");
}

/// The client config of a process that gives up on the first failure: one
/// chunk attempt, no HTTP retries (a crash mid-upload, for resume tests).
pub fn config_without_retries(emu: &RunningEmulator, client: &impl PlatformClient) -> ClientConfig {
    let mut cfg = config(emu, client.platform());
    cfg.upload.chunk_retries = 1;
    cfg.http = cfg.http.with_retry(RetryConfig::disabled());
    cfg
}

/// A process dies mid-upload and the next one resumes: `first` (see
/// [`config_without_retries`]) publishes a `len`-byte video with `text`
/// whose reads past `limit` fail; `after_crash` checks its error; then the
/// reads succeed and `client` publishes the same post with the same
/// sessions.
pub async fn crash_then_resume(
    first: &impl PlatformClient,
    client: &impl PlatformClient,
    account: &StoredToken,
    (text, len, limit): (&str, usize, u64),
    after_crash: impl FnOnce(&Error),
) -> Published {
    let (media, readable) = video_with_limit(len, limit).await;
    let post = Post::text(text).with_media(media);
    let store = sessions();
    let err = publish_in(first, account, &post, store.clone())
        .await
        .unwrap_err();
    after_crash(&err);
    readable.store(u64::MAX, Ordering::SeqCst);
    publish_in(client, account, &post, store).await.unwrap()
}

/// Every complete chunk covers a distinct offset (nothing was sent twice),
/// and there are `parts` of them.
pub fn assert_each_part_sent_once(chunks: &[ChunkRecord], parts: usize) {
    let mut complete: BTreeMap<u64, usize> = BTreeMap::new();
    for c in chunks.iter().filter(|c| c.complete) {
        *complete.entry(c.offset).or_default() += 1;
    }
    assert_eq!(complete.len(), parts, "{chunks:?}");
    assert!(complete.values().all(|n| *n == 1), "re-sent: {chunks:?}");
}

/// The one chunk a reset cut short (asserts there is exactly one).
pub fn the_cut_chunk(chunks: &[ChunkRecord]) -> &ChunkRecord {
    let cut: Vec<_> = chunks.iter().filter(|c| !c.complete).collect();
    assert_eq!(cut.len(), 1, "{chunks:?}");
    cut[0]
}

/// The bytes of all complete chunks.
pub fn complete_bytes(chunks: &[ChunkRecord]) -> u64 {
    chunks.iter().filter(|c| c.complete).map(|c| c.len).sum()
}

/// Injects `kind` once on the create call (`create_path`, POST).
fn inject_on_create(emu: &RunningEmulator, platform: Platform, kind: FaultKind, create_path: &str) {
    emu.faults().inject(
        platform,
        Fault::once(kind).on_path(create_path).on_method("POST"),
    );
}

/// A 429 with `Retry-After: 1` on the create call (`create_path`, POST): the
/// publish waits it out and posts exactly once.
pub async fn assert_rate_limit_honoured(
    emu: &RunningEmulator,
    client: &impl PlatformClient,
    account: &StoredToken,
    create_path: &str,
) {
    let platform = client.platform();
    let rate_limit = FaultKind::RateLimit {
        retry_after_secs: 1,
    };
    inject_on_create(emu, platform, rate_limit, create_path);
    let started = Instant::now();
    publish(client, account, &Post::text("after a 429")).await;
    assert!(started.elapsed() >= Duration::from_secs(1));
    assert_eq!(emu.record().posts_for(platform).len(), 1);
}

/// The response of the create call (`create_path`, POST) is lost: the
/// client finds the post it made instead of posting again.
pub async fn assert_lost_create_reconciled(
    emu: &RunningEmulator,
    client: &impl PlatformClient,
    account: &StoredToken,
    create_path: &str,
) {
    let platform = client.platform();
    inject_on_create(emu, platform, FaultKind::LoseResponse, create_path);
    let p = publish(client, account, &Post::text("exactly once")).await;
    let posts = emu.record().posts_for(platform);
    assert_eq!(posts.len(), 1);
    assert_eq!(posts[0].post_id, p.post_id);
}

/// A revoked token, then (reconnected) an expired one: both publishes need
/// re-authorization and nothing is posted.
pub async fn assert_revoked_then_expired_need_reauth(
    emu: &RunningEmulator,
    client: &impl PlatformClient,
    account: &StoredToken,
) {
    let platform = client.platform();
    emu.tokens().revoke_all(platform, None);
    let post = Post::text("revoked").with_media(image(1000, 1).await);
    assert_needs_reauth(client, account, &post).await;
    let account = connect(emu, platform).await;
    emu.tokens().expire_now(platform, None, emu.clock().now());
    assert_needs_reauth(client, &account, &Post::text("expired")).await;
    assert!(emu.record().posts_for(platform).is_empty());
}

/// Publishes a `len`-byte video whose processing the platform fails; returns
/// the error.
pub async fn failed_processing_error(
    emu: &RunningEmulator,
    client: &impl PlatformClient,
    account: &StoredToken,
    len: usize,
) -> Error {
    emu.faults()
        .inject(client.platform(), Fault::once(FaultKind::FailProcessing));
    let post = Post::text("bad video").with_media(video(len).await);
    publish_err(client, account, &post).await
}
