//! Facebook Pages client against the emulator: text + link, photos (upload
//! and by URL), multi-photo, video through the Resumable Upload API, Page
//! Reels, several pages, faults.

mod common;

use std::collections::BTreeMap;

use common::{
    accounts, assert_each_part_sent_once, assert_lost_create_reconciled,
    assert_rate_limit_honoured, assert_revoked_then_expired_need_reauth, complete_bytes, config,
    config_without_retries, connect, crash_then_resume, failed_processing_error, image, image_at,
    pattern, publish, publish_err, the_cut_chunk, video,
};
use creatorsync::platforms::facebook::FacebookClient;
use creatorsync::{
    Credential, Error, FacebookOptions, Platform, PlatformClient, PlatformOptions, Post,
    StoredToken,
};
use creatorsync_emulator::{Emulator, EmulatorConfig, Fault, FaultKind, RunningEmulator};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

async fn setup() -> (RunningEmulator, FacebookClient, StoredToken) {
    let emu = Emulator::start(EmulatorConfig::default()).await.unwrap();
    let client = FacebookClient::new(config(&emu, Platform::Facebook));
    let account = connect(&emu, Platform::Facebook).await;
    (emu, client, account)
}

const MIB: usize = 1024 * 1024;

#[tokio::test]
async fn text_with_link_find_and_delete() {
    let (emu, client, account) = setup().await;
    let options = PlatformOptions {
        facebook: FacebookOptions {
            link: Some("https://example.com/launch".into()),
            ..FacebookOptions::default()
        },
        ..PlatformOptions::default()
    };
    let post = Post::text("we launched").with_options(options);
    let p = publish(&client, &account, &post).await;
    let rec = emu.record().post(Platform::Facebook, &p.post_id).unwrap();
    assert_eq!(rec.account_id, account.key.account_id);
    assert_eq!(p.url, rec.url);
    assert!(p.url.starts_with("https://www.facebook.com/"), "{}", p.url);

    let since = chrono::Utc::now() - chrono::Duration::minutes(1);
    let found = client.find_recent(&account, &post, since).await.unwrap();
    assert_eq!(found, Some(p.clone()));
    client.delete(&account, &p.post_id).await.unwrap();
    assert!(
        emu.record()
            .post(Platform::Facebook, &p.post_id)
            .unwrap()
            .deleted
    );
}

#[tokio::test]
async fn each_page_gets_its_own_post() {
    let (emu, client, _) = setup().await;
    let pages: BTreeMap<String, StoredToken> = accounts(&emu, Platform::Facebook)
        .await
        .into_iter()
        .map(|t| (t.key.account_id.clone(), t))
        .collect();
    for page in ["1001", "1002"] {
        let post = Post::text(format!("hello from page {page}"));
        let p = publish(&client, &pages[page], &post).await;
        let rec = emu.record().post(Platform::Facebook, &p.post_id).unwrap();
        assert_eq!(rec.account_id, page);
    }
}

#[tokio::test]
async fn uploaded_photo_and_multi_photo() {
    let (emu, client, account) = setup().await;
    let post = Post::text("one photo").with_media(image(250_000, 4).await);
    let p = publish(&client, &account, &post).await;
    let rec = emu.record().post(Platform::Facebook, &p.post_id).unwrap();
    assert_eq!(rec.media.len(), 1);
    assert_eq!(rec.media[0].len, 250_000);

    let mut post = Post::text("three photos");
    for i in 0..3 {
        post = post.with_media(image(50_000 + i, i as u8).await);
    }
    let p = publish(&client, &account, &post).await;
    let rec = emu.record().post(Platform::Facebook, &p.post_id).unwrap();
    let lens: Vec<u64> = rec.media.iter().map(|m| m.len).collect();
    assert_eq!(lens, vec![50_000, 50_001, 50_002]);
}

/// Serves `body` to every request on a loopback port (a public image host).
async fn serve(body: bytes::Bytes) -> url::Url {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut sock, _)) = listener.accept().await {
            let body = body.clone();
            tokio::spawn(async move {
                let mut buf = [0u8; 4096];
                let _ = sock.read(&mut buf).await;
                let head = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: image/jpeg\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                    body.len()
                );
                let _ = sock.write_all(head.as_bytes()).await;
                let _ = sock.write_all(&body).await;
            });
        }
    });
    url::Url::parse(&format!("http://{addr}/photo.jpg")).unwrap()
}

#[tokio::test]
async fn photo_by_public_url() {
    let (emu, client, account) = setup().await;
    let url = serve(pattern(40_000, 7)).await;
    let post = Post::text("fetched by facebook").with_media(image_at(40_000, url).await);
    let p = publish(&client, &account, &post).await;
    let rec = emu.record().post(Platform::Facebook, &p.post_id).unwrap();
    assert_eq!(rec.media[0].len, 40_000);
}

#[tokio::test]
async fn video_through_the_resumable_upload_api() {
    let (emu, client, account) = setup().await;
    let len = 9 * MIB + 5;
    let options = PlatformOptions {
        facebook: FacebookOptions {
            video_title: Some("My video".into()),
            ..FacebookOptions::default()
        },
        ..PlatformOptions::default()
    };
    let post = Post::text("a page video")
        .with_media(video(len).await)
        .with_options(options);
    let p = publish(&client, &account, &post).await;
    let rec = emu.record().post(Platform::Facebook, &p.post_id).unwrap();
    assert_eq!(rec.media[0].len, len as u64);
    assert_eq!(rec.media[0].sha256, sha(&pattern(len, 9)));
    assert_eq!(rec.title.as_deref(), Some("My video"));
    assert_eq!(p.url, rec.url);
    // 1 MiB chunks (the test config's chunk size) to one upload:<id>
    // session; nothing on the legacy start/transfer/finish flow.
    let chunks = emu.record().chunks_for(Platform::Facebook);
    assert!(
        chunks.iter().all(|c| c.upload_id.starts_with("upload:")),
        "{chunks:?}"
    );
    let offsets: Vec<u64> = chunks.iter().map(|c| c.offset).collect();
    let want: Vec<u64> = (0..10).map(|i| i * MIB as u64).collect();
    assert_eq!(offsets, want);
}

#[tokio::test]
async fn reset_mid_chunk_resumes_from_the_server_offset() {
    let (emu, client, account) = setup().await;
    emu.faults().inject(
        Platform::Facebook,
        Fault::once(FaultKind::ResetAfterBytes { bytes: 300_000 }).on_path("upload:"),
    );
    let len = 3 * MIB;
    let post = Post::text("video despite a reset").with_media(video(len).await);
    publish(&client, &account, &post).await;
    let chunks = emu.record().chunks_for(Platform::Facebook);
    let cut = the_cut_chunk(&chunks).clone();
    assert_eq!(cut.offset, 0);
    // The server kept what arrived; the next send starts there, not at 0.
    let next = chunks.iter().find(|c| c.complete).unwrap();
    assert_eq!(next.offset, cut.len, "{chunks:?}");
    assert!(cut.len > 0);
    assert_eq!(complete_bytes(&chunks) + cut.len, len as u64);
    assert_eq!(emu.record().posts_for(Platform::Facebook).len(), 1);
}

#[tokio::test]
async fn restarted_video_upload_resumes_at_the_server_offset() {
    let (emu, client, account) = setup().await;
    let first = FacebookClient::new(config_without_retries(&emu, &client));
    let video = ("resumed page video", 10 * MIB, 9 * MIB as u64);
    crash_then_resume(&first, &client, &account, video, |_| {}).await;
    // The 9 MiB sent before the crash are never sent again; one post.
    assert_each_part_sent_once(&emu.record().chunks_for(Platform::Facebook), 10);
    assert_eq!(emu.record().posts_for(Platform::Facebook).len(), 1);
}

#[tokio::test]
async fn a_page_row_without_the_user_token_must_reconnect_for_video() {
    let (emu, client, mut account) = setup().await;
    if let Credential::OAuth2 { user_token, .. } = &mut account.credential {
        *user_token = None;
    }
    let post = Post::text("no user token").with_media(video(1000).await);
    let err = common::publish_in(&client, &account, &post, common::sessions())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Unsupported { .. }), "{err}");
    assert!(err.to_string().contains("reconnect"), "{err}");
    assert!(emu.record().chunks_for(Platform::Facebook).is_empty());
    assert!(emu.record().posts_for(Platform::Facebook).is_empty());
    // Nothing else is stopped: a text post on the same row goes out.
    let p = publish(&client, &account, &Post::text("text still works")).await;
    assert!(emu.record().post(Platform::Facebook, &p.post_id).is_some());
}

fn reel_options() -> PlatformOptions {
    PlatformOptions {
        facebook: FacebookOptions {
            reel: true,
            ..FacebookOptions::default()
        },
        ..PlatformOptions::default()
    }
}

#[tokio::test]
async fn page_reel_is_published_and_resumes_after_a_reset() {
    let (emu, client, account) = setup().await;
    emu.faults().inject(
        Platform::Facebook,
        Fault::once(FaultKind::ResetAfterBytes { bytes: 200_000 }).on_path("/video-upload/"),
    );
    let len = 2 * MIB;
    let post = Post::text("a reel")
        .with_media(video(len).await)
        .with_options(reel_options());
    let p = publish(&client, &account, &post).await;
    let posts = emu.record().posts_for(Platform::Facebook);
    assert_eq!(posts.len(), 1);
    assert_eq!(posts[0].extra.get("reel").map(String::as_str), Some("true"));
    assert_eq!(posts[0].media[0].sha256, sha(&pattern(len, 9)));
    assert!(
        p.url.starts_with("https://www.facebook.com/reel/"),
        "{}",
        p.url
    );
    let chunks = emu.record().chunks_for(Platform::Facebook);
    let cut = the_cut_chunk(&chunks).clone();
    assert!(
        chunks.iter().any(|c| c.complete && c.offset == cut.len),
        "{chunks:?}"
    );
}

#[tokio::test]
async fn a_reel_needs_exactly_one_video() {
    let (emu, client, account) = setup().await;
    let post = Post::text("not a reel")
        .with_media(image(1000, 1).await)
        .with_options(reel_options());
    let v = creatorsync::validate(&post, Platform::Facebook);
    assert!(
        v.iter().any(|v| v.code == "reel_requires_one_video"),
        "{v:?}"
    );
    let err = common::publish_in(&client, &account, &post, common::sessions())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidPost { .. }), "{err}");
    assert!(emu.record().posts_for(Platform::Facebook).is_empty());
}

#[tokio::test]
async fn processing_failure_is_media_rejected() {
    let (emu, client, account) = setup().await;
    // The finish created the page post; its video then failed processing:
    // the post exists, so it is reported as created but unfinished, with
    // the video id, never as a failure that invites a second post.
    let err = failed_processing_error(&emu, &client, &account, 300_000).await;
    match err {
        Error::CreatedUnfinished { post_id, cause, .. } => {
            assert!(!post_id.is_empty());
            assert!(matches!(*cause, Error::MediaRejected { .. }), "{cause}");
        }
        other => panic!("expected CreatedUnfinished, got {other}"),
    }
}

#[tokio::test]
async fn rate_limit_retry_after_is_honoured() {
    let (emu, client, account) = setup().await;
    assert_rate_limit_honoured(&emu, &client, &account, "/feed").await;
}

#[tokio::test]
async fn revoked_or_expired_token_needs_reauth() {
    let (emu, client, account) = setup().await;
    assert_revoked_then_expired_need_reauth(&emu, &client, &account).await;
}

#[tokio::test]
async fn lost_create_response_is_reconciled_not_reposted() {
    let (emu, client, account) = setup().await;
    assert_lost_create_reconciled(&emu, &client, &account, "/feed").await;
}

/// The emulator's clock moved past the pinned Graph version's expiry
/// (v25.0: 2028-07-29). When Meta refuses the retired version the page is
/// connected before (the dialog is versioned too); otherwise after, so its
/// tokens are fresh on the moved clock.
async fn after_graph_expiry(refuse: bool) -> (RunningEmulator, FacebookClient, StoredToken) {
    let emu = Emulator::start(EmulatorConfig {
        graph_expired_refuse: refuse,
        ..EmulatorConfig::default()
    })
    .await
    .unwrap();
    let client = FacebookClient::new(config(&emu, Platform::Facebook));
    let before = if refuse {
        Some(connect(&emu, Platform::Facebook).await)
    } else {
        None
    };
    let expiry = chrono::NaiveDate::from_ymd_opt(2028, 7, 30)
        .unwrap()
        .and_hms_opt(0, 0, 0)
        .unwrap()
        .and_utc();
    emu.clock()
        .advance((expiry - emu.clock().now()).to_std().unwrap());
    let account = match before {
        Some(a) => a,
        None => connect(&emu, Platform::Facebook).await,
    };
    (emu, client, account)
}

#[tokio::test]
async fn a_retired_graph_version_is_refused_clearly_or_served_and_noticed() {
    // Meta refusing the retired version: a typed error that says what to do.
    let (emu, client, account) = after_graph_expiry(true).await;
    let err = publish_err(&client, &account, &Post::text("after the expiry")).await;
    assert!(
        matches!(&err, Error::Platform { code: Some(c), .. } if c == "2635"),
        "{err:?}"
    );
    assert!(err.to_string().contains("upgrade creatorsync"), "{err}");
    assert!(emu.record().posts_for(Platform::Facebook).is_empty());

    // Meta serving the oldest live version instead (its real behaviour):
    // the post goes out, and the answer shows another version was used.
    let (emu, client, account) = after_graph_expiry(false).await;
    let p = publish(&client, &account, &Post::text("served by another version")).await;
    assert!(emu.record().post(Platform::Facebook, &p.post_id).is_some());
    let served: Vec<String> = emu
        .record()
        .requests()
        .iter()
        .filter_map(|r| r.version_served.clone())
        .collect();
    assert!(
        !served.is_empty() && served.iter().all(|v| v != "v25.0"),
        "{served:?}"
    );
}

fn sha(b: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(b))
}

#[tokio::test]
async fn a_scheduled_post_is_hidden_from_the_feed_until_live_and_a_lost_create_is_reconciled() {
    let (emu, client, account) = setup().await;
    let at = chrono::Utc::now() + chrono::Duration::minutes(15);
    let mut post = Post::text("Scheduled for later");
    post.options.facebook.scheduled_publish_time = Some(at);
    // The create's answer is lost: the client finds the scheduled post
    // (under scheduled_posts, not yet in the feed) instead of posting again.
    emu.faults().inject(
        Platform::Facebook,
        Fault::once(FaultKind::LoseResponse)
            .on_path("/v25.0/1001/feed")
            .on_method("POST"),
    );
    let p = publish(&client, &account, &post).await;
    let posts = emu.record().posts_for(Platform::Facebook);
    assert_eq!(posts.len(), 1, "exactly one post");
    assert_eq!(posts[0].post_id, p.post_id);
    assert_eq!(
        posts[0].extra["scheduled_publish_time"],
        at.timestamp().to_string()
    );

    // The feed (what an unscheduled lookup reads) shows it only once live.
    let since = chrono::Utc::now() - chrono::Duration::minutes(1);
    let mut unscheduled = post.clone();
    unscheduled.options.facebook.scheduled_publish_time = None;
    assert_eq!(
        client
            .find_recent(&account, &unscheduled, since)
            .await
            .unwrap(),
        None
    );
    emu.clock().advance(std::time::Duration::from_secs(20 * 60));
    let found = client
        .find_recent(&account, &unscheduled, since)
        .await
        .unwrap();
    assert_eq!(found.map(|f| f.post_id), Some(p.post_id));
}
