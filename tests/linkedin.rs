//! LinkedIn client against the emulator: member and organization posts,
//! images, multi-image, multi-part video, version fallback and faults.

mod common;

use std::collections::BTreeMap;

use common::{
    accounts, assert_each_part_sent_once, assert_lost_create_reconciled,
    assert_rate_limit_honoured, assert_revoked_then_expired_need_reauth, complete_bytes, config,
    config_without_retries, connect, crash_then_resume, failed_processing_error, image, publish,
    publish_err, the_cut_chunk, video,
};
use creatorsync::platforms::linkedin::{LinkedInClient, escape_commentary};
use creatorsync::{
    Error, LinkedInOptions, LinkedInVisibility, Platform, PlatformClient, PlatformOptions, Post,
    StoredToken,
};
use creatorsync_emulator::{Emulator, EmulatorConfig, Fault, FaultKind, RunningEmulator};

async fn setup_with(cfg: EmulatorConfig) -> (RunningEmulator, LinkedInClient, StoredToken) {
    let emu = Emulator::start(cfg).await.unwrap();
    let client = LinkedInClient::new(config(&emu, Platform::LinkedIn));
    let account = connect(&emu, Platform::LinkedIn).await;
    (emu, client, account)
}

async fn setup() -> (RunningEmulator, LinkedInClient, StoredToken) {
    setup_with(EmulatorConfig::default()).await
}

const MIB: usize = 1024 * 1024;

#[tokio::test]
async fn member_text_post_escaped_find_and_delete() {
    let (emu, client, account) = setup().await;
    let text = "Launch (beta) with #rust_lang and C# <3";
    let options = PlatformOptions {
        linkedin: LinkedInOptions {
            visibility: LinkedInVisibility::Connections,
            ..LinkedInOptions::default()
        },
        ..PlatformOptions::default()
    };
    let post = Post::text(text).with_options(options);
    let p = publish(&client, &account, &post).await;
    assert_eq!(
        p.url,
        format!("https://www.linkedin.com/feed/update/{}/", p.post_id)
    );
    let rec = emu.record().post(Platform::LinkedIn, &p.post_id).unwrap();
    assert_eq!(rec.account_id, "li-demo-person");
    assert_eq!(rec.text, escape_commentary(text));
    assert!(rec.text.contains("#rust_lang") && rec.text.contains("C\\#"));
    assert_eq!(rec.extra["visibility"], "CONNECTIONS");

    let since = chrono::Utc::now() - chrono::Duration::minutes(1);
    let found = client.find_recent(&account, &post, since).await.unwrap();
    assert_eq!(found, Some(p.clone()));
    client.delete(&account, &p.post_id).await.unwrap();
    assert!(
        emu.record()
            .post(Platform::LinkedIn, &p.post_id)
            .unwrap()
            .deleted
    );
}

#[tokio::test]
async fn organizations_publish_to_the_right_one() {
    let (emu, client, _) = setup().await;
    let all = accounts(&emu, Platform::LinkedIn).await;
    let by_id: BTreeMap<String, StoredToken> = all
        .into_iter()
        .map(|t| (t.key.account_id.clone(), t))
        .collect();
    for org in ["10001", "10002"] {
        let post = Post::text(format!("hello from org {org}"));
        let p = publish(&client, &by_id[org], &post).await;
        let rec = emu.record().post(Platform::LinkedIn, &p.post_id).unwrap();
        assert_eq!(rec.account_id, org);
        assert_eq!(rec.extra["author"], format!("urn:li:organization:{org}"));
    }
}

#[tokio::test]
async fn single_and_multi_image_posts() {
    let (emu, client, account) = setup().await;
    let post = Post::text("one image").with_media(image(200_000, 1).await.with_alt_text("a cat"));
    let p = publish(&client, &account, &post).await;
    let rec = emu.record().post(Platform::LinkedIn, &p.post_id).unwrap();
    assert_eq!(rec.media.len(), 1);
    assert_eq!(rec.media[0].len, 200_000);
    assert!(rec.extra["content"].contains("a cat"));

    let mut post = Post::text("three images");
    for i in 0..3 {
        post = post.with_media(image(100_000 + i, i as u8).await);
    }
    let p = publish(&client, &account, &post).await;
    let rec = emu.record().post(Platform::LinkedIn, &p.post_id).unwrap();
    assert_eq!(rec.media.len(), 3);
    assert!(rec.extra["content"].contains("multiImage"));
}

#[tokio::test]
async fn multi_part_video_with_etags() {
    let (emu, client, account) = setup().await;
    let len = 9 * MIB + 17;
    let post = Post::text("a video").with_media(video(len).await);
    let p = publish(&client, &account, &post).await;
    let rec = emu.record().post(Platform::LinkedIn, &p.post_id).unwrap();
    assert_eq!(rec.media[0].len, len as u64);
    let chunks = emu.record().chunks_for(Platform::LinkedIn);
    assert_eq!(chunks.len(), 3, "{chunks:?}");
    assert!(chunks.iter().all(|c| c.complete));
}

#[tokio::test]
async fn reset_mid_part_resends_only_that_part() {
    let (emu, client, account) = setup().await;
    emu.faults().inject(
        Platform::LinkedIn,
        Fault::once(FaultKind::ResetAfterBytes { bytes: 1_000_000 }).on_path("/dms-uploads/video"),
    );
    let len = 10 * MIB;
    let post = Post::text("video despite a reset").with_media(video(len).await);
    publish(&client, &account, &post).await;
    let chunks = emu.record().chunks_for(Platform::LinkedIn);
    let cut = the_cut_chunk(&chunks);
    assert_eq!(chunks.len(), 4, "{chunks:?}");
    let again = chunks
        .iter()
        .filter(|c| c.complete && c.offset == cut.offset)
        .count();
    assert_eq!(again, 1);
    assert_eq!(complete_bytes(&chunks), len as u64);
}

#[tokio::test]
async fn processing_failure_is_media_rejected() {
    let (emu, client, account) = setup().await;
    let err = failed_processing_error(&emu, &client, &account, 300_000).await;
    assert!(matches!(err, Error::MediaRejected { .. }), "{err}");
    assert!(emu.record().posts_for(Platform::LinkedIn).is_empty());
}

#[tokio::test]
async fn rate_limit_retry_after_is_honoured() {
    let (emu, client, account) = setup().await;
    assert_rate_limit_honoured(&emu, &client, &account, "/rest/posts").await;
}

#[tokio::test]
async fn revoked_or_expired_token_needs_reauth() {
    let (emu, client, account) = setup().await;
    assert_revoked_then_expired_need_reauth(&emu, &client, &account).await;
}

#[tokio::test]
async fn lost_create_response_is_reconciled_not_reposted() {
    let (emu, client, account) = setup().await;
    assert_lost_create_reconciled(&emu, &client, &account, "/rest/posts").await;
}

/// The 426 answers LinkedIn gave so far.
fn retired_answers(emu: &RunningEmulator) -> usize {
    emu.record()
        .requests()
        .iter()
        .filter(|r| r.platform == Platform::LinkedIn && r.status == 426)
        .count()
}

#[tokio::test]
async fn retired_versions_are_walked_past_and_remembered() {
    let cfg = EmulatorConfig {
        // The pinned version (202607) is refused; only 202608 answers.
        linkedin_versions: Some(["202608"].iter().map(|s| (*s).to_owned()).collect()),
        ..EmulatorConfig::default()
    };
    let (emu, client, account) = setup_with(cfg).await;
    let post = Post::text("on another version").with_media(image(5000, 2).await);
    let p = publish(&client, &account, &post).await;
    assert!(emu.record().post(Platform::LinkedIn, &p.post_id).is_some());
    let walked = retired_answers(&emu);
    assert!(walked >= 1, "the pinned version was refused first");
    // The accepted version is remembered: no more 426 in this process.
    let p = publish(&client, &account, &Post::text("straight to 202608")).await;
    assert!(emu.record().post(Platform::LinkedIn, &p.post_id).is_some());
    assert_eq!(retired_answers(&emu), walked);

    // Nothing active: the walk is bounded (newer months up to this one,
    // then twelve older) and the 426 reaches the caller.
    let cfg = EmulatorConfig {
        linkedin_versions: Some(["202401"].iter().map(|s| (*s).to_owned()).collect()),
        ..EmulatorConfig::default()
    };
    let (emu2, client2, account2) = setup_with(cfg).await;
    let err = publish_err(&client2, &account2, &Post::text("nothing active")).await;
    assert_eq!(err.status(), Some(426), "{err}");
    let tried = retired_answers(&emu2);
    assert!(
        (2..=1 + 12 + 12 + 60).contains(&tried),
        "{tried} versions tried"
    );
    assert!(emu2.record().posts_for(Platform::LinkedIn).is_empty());
}

#[tokio::test]
async fn publishing_recovers_when_the_pinned_version_is_retired() {
    // The emulator follows LinkedIn's calendar on its clock: 225 days from
    // 2026-12-04 is two days past the pinned 202607's sunset (2027-07-15).
    // Connecting (discovery reads versioned /rest/ routes) and publishing
    // both walk to an active version.
    let emu = Emulator::start(EmulatorConfig::default()).await.unwrap();
    emu.clock()
        .advance(std::time::Duration::from_secs(225 * 86_400));
    let client = LinkedInClient::new(config(&emu, Platform::LinkedIn));
    let account = connect(&emu, Platform::LinkedIn).await;
    let post = Post::text("after the sunset").with_media(image(5000, 2).await);
    let p = publish(&client, &account, &post).await;
    assert!(emu.record().post(Platform::LinkedIn, &p.post_id).is_some());
    assert!(retired_answers(&emu) >= 1, "the pinned version was refused");
}

#[tokio::test]
async fn restarted_video_upload_sends_only_missing_parts() {
    let (emu, client, account) = setup().await;
    let mut cfg = config_without_retries(&emu, &client);
    cfg.upload.concurrency = 1;
    let first = LinkedInClient::new(cfg);
    // The first process dies while reading the third 4 MiB part.
    let video = ("resumed video", 10 * MIB, 9 * MIB as u64);
    crash_then_resume(&first, &client, &account, video, |_| {
        assert!(emu.record().posts_for(Platform::LinkedIn).is_empty());
    })
    .await;
    assert_each_part_sent_once(&emu.record().chunks_for(Platform::LinkedIn), 3);
}
