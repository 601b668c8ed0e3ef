//! X client against the emulator: every media path, OAuth 2.0 and OAuth
//! 1.0a, resume, faults, reconciliation of a lost create.

mod common;

use std::collections::BTreeMap;

use common::{
    accounts, assert_each_part_sent_once, assert_lost_create_reconciled, assert_needs_reauth,
    assert_rate_limit_honoured, complete_bytes, config, config_without_retries, connect,
    crash_then_resume, failed_processing_error, gif, image, publish, publish_err, the_cut_chunk,
    video,
};
use creatorsync::auth::{OAuth1Signer, SignInput};
use creatorsync::platforms::x::XClient;
use creatorsync::{
    Credential, Error, Platform, PlatformClient, PlatformOptions, Post, Secret, StoredToken,
    XOptions,
};
use creatorsync_emulator::{Emulator, EmulatorConfig, Fault, FaultKind, RunningEmulator};

async fn setup() -> (RunningEmulator, XClient, StoredToken) {
    let emu = Emulator::start(EmulatorConfig::default()).await.unwrap();
    let client = XClient::new(config(&emu, Platform::X));
    let account = connect(&emu, Platform::X).await;
    (emu, client, account)
}

fn media_id_of(emu: &RunningEmulator, post_id: &str) -> String {
    emu.record().post(Platform::X, post_id).unwrap().media[0]
        .media_id
        .clone()
}

#[tokio::test]
async fn text_reply_quote_find_and_delete() {
    let (emu, client, account) = setup().await;
    let first = publish(&client, &account, &Post::text("hello from creatorsync")).await;
    assert_eq!(
        first.url,
        format!("https://x.com/creatorsync_demo/status/{}", first.post_id)
    );
    let options = PlatformOptions {
        x: XOptions {
            reply_to: Some(first.post_id.clone()),
            quote: Some(first.post_id.clone()),
        },
        ..PlatformOptions::default()
    };
    let reply = Post::text("a reply that quotes").with_options(options);
    let second = publish(&client, &account, &reply).await;
    let rec = emu.record().post(Platform::X, &second.post_id).unwrap();
    assert_eq!(rec.account_id, "2244994945");
    assert_eq!(rec.extra["in_reply_to_tweet_id"], first.post_id);
    assert_eq!(rec.extra["quote_tweet_id"], first.post_id);

    let since = chrono::Utc::now() - chrono::Duration::minutes(1);
    let found = client
        .find_recent(&account, &Post::text("hello  from creatorsync"), since)
        .await
        .unwrap();
    assert_eq!(found, Some(first.clone()));
    client.delete(&account, &first.post_id).await.unwrap();
    assert!(
        emu.record()
            .post(Platform::X, &first.post_id)
            .unwrap()
            .deleted
    );
    // Duplicate text is the platform's Duplicate error.
    let dup = publish_err(&client, &account, &Post::text("a reply that quotes")).await;
    assert!(matches!(dup, Error::Duplicate { .. }), "{dup}");
}

#[tokio::test]
async fn four_images_with_alt_text_and_a_gif() {
    let (emu, client, account) = setup().await;
    let mut post = Post::text("four images");
    for i in 0..4 {
        post = post.with_media(
            image(300_000 + i * 1000, i as u8)
                .await
                .with_alt_text(format!("image {i}")),
        );
    }
    let p = publish(&client, &account, &post).await;
    let rec = emu.record().post(Platform::X, &p.post_id).unwrap();
    let lens: Vec<u64> = rec.media.iter().map(|m| m.len).collect();
    assert_eq!(lens, vec![300_000, 301_000, 302_000, 303_000]);

    let post = Post::text("a gif").with_media(gif(2_500_000).await);
    let p = publish(&client, &account, &post).await;
    let rec = emu.record().post(Platform::X, &p.post_id).unwrap();
    assert_eq!(rec.media.len(), 1);
    assert_eq!(rec.media[0].len, 2_500_000);
    assert!(rec.media[0].media_id.len() > 5);
}

#[tokio::test]
async fn chunked_video_segments_in_parallel() {
    let (emu, client, account) = setup().await;
    let len = 5 * 1024 * 1024 + 123;
    let post = Post::text("a video").with_media(video(len).await);
    let p = publish(&client, &account, &post).await;
    let id = media_id_of(&emu, &p.post_id);
    let chunks = emu.record().chunks(&id);
    assert_eq!(chunks.len(), 6, "{chunks:?}");
    assert!(chunks.iter().all(|c| c.complete && c.len <= 1024 * 1024));
    assert_eq!(chunks.iter().map(|c| c.len).sum::<u64>(), len as u64);
}

#[tokio::test]
async fn reset_mid_segment_resends_only_that_segment() {
    let (emu, client, account) = setup().await;
    emu.faults().inject(
        Platform::X,
        Fault::once(FaultKind::ResetAfterBytes { bytes: 300_000 }).on_path("/append"),
    );
    let len = 4 * 1024 * 1024;
    let post = Post::text("video despite a reset").with_media(video(len).await);
    let p = publish(&client, &account, &post).await;
    let chunks = emu.record().chunks(&media_id_of(&emu, &p.post_id));
    the_cut_chunk(&chunks);
    assert_eq!(
        chunks.len(),
        5,
        "only the cut segment is sent again: {chunks:?}"
    );
    assert_eq!(complete_bytes(&chunks), len as u64);
}

#[tokio::test]
async fn restarted_upload_sends_only_missing_segments() {
    let (emu, client, account) = setup().await;
    let mut cfg = config_without_retries(&emu, &client);
    cfg.upload.concurrency = 1;
    let client1 = XClient::new(cfg);
    let mib = 1024 * 1024;
    // The first process dies while reading the third segment.
    let video = ("resumed video", 4 * mib, 2 * mib as u64);
    let p = crash_then_resume(&client1, &client, &account, video, |err| {
        assert!(emu.record().posts_for(Platform::X).is_empty(), "{err}");
    })
    .await;
    let chunks = emu.record().chunks(&media_id_of(&emu, &p.post_id));
    assert_each_part_sent_once(&chunks, 4);
}

#[tokio::test]
async fn rate_limit_retry_after_is_honoured() {
    let (emu, client, account) = setup().await;
    assert_rate_limit_honoured(&emu, &client, &account, "/2/tweets").await;
}

#[tokio::test]
async fn processing_failure_is_media_rejected() {
    let (emu, client, account) = setup().await;
    let err = failed_processing_error(&emu, &client, &account, 200_000).await;
    match err {
        Error::MediaRejected { reason, .. } => assert!(!reason.is_empty()),
        other => panic!("expected MediaRejected, got {other}"),
    }
    assert!(emu.record().posts_for(Platform::X).is_empty());
}

#[tokio::test]
async fn expired_or_revoked_token_needs_reauth() {
    let (emu, client, account) = setup().await;
    emu.tokens()
        .expire_now(Platform::X, None, emu.clock().now());
    assert_needs_reauth(&client, &account, &Post::text("expired")).await;
    let account = connect(&emu, Platform::X).await;
    emu.tokens().revoke_all(Platform::X, None);
    let post = Post::text("revoked").with_media(image(1000, 1).await);
    assert_needs_reauth(&client, &account, &post).await;
    assert!(emu.record().posts_for(Platform::X).is_empty());
}

#[tokio::test]
async fn lost_create_response_is_reconciled_not_reposted() {
    let (emu, client, account) = setup().await;
    assert_lost_create_reconciled(&emu, &client, &account, "/2/tweets").await;
}

/// OAuth 1.0a three-legged flow, driven with the SDK's signer.
async fn oauth1_account(emu: &RunningEmulator) -> StoredToken {
    let e = &emu.endpoints().get(Platform::X);
    let app = emu.app(Platform::X);
    let (ck, cs) = (app.consumer_key.unwrap(), app.consumer_secret.unwrap());
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let sign = |signer: &OAuth1Signer, url: &url::Url, extra: &[(&str, &str)]| {
        let mut out = String::new();
        signer.write_authorization(
            &SignInput {
                method: "POST",
                url,
                form: &[],
                oauth_extra: extra,
            },
            &mut out,
        );
        out
    };
    let form = |s: String| -> BTreeMap<String, String> {
        url::form_urlencoded::parse(s.as_bytes())
            .into_owned()
            .collect()
    };
    let url = e.api.join("/oauth/request_token").unwrap();
    let app_signer = OAuth1Signer::new(ck.clone(), &cs);
    let cb = "http://127.0.0.1:1/cb";
    let r = http
        .post(url.clone())
        .header(
            "authorization",
            sign(&app_signer, &url, &[("oauth_callback", cb)]),
        )
        .send()
        .await
        .unwrap();
    let rt = form(r.text().await.unwrap());
    let mut auth = e.auth.join("/oauth/authorize").unwrap();
    auth.query_pairs_mut()
        .append_pair("oauth_token", &rt["oauth_token"]);
    let r = http.get(auth).send().await.unwrap();
    let loc = url::Url::parse(r.headers()["location"].to_str().unwrap()).unwrap();
    let verifier = loc
        .query_pairs()
        .find(|(k, _)| k == "oauth_verifier")
        .unwrap()
        .1
        .into_owned();
    let url = e.api.join("/oauth/access_token").unwrap();
    let req_signer =
        OAuth1Signer::new(ck, &cs).with_token(&rt["oauth_token"], &rt["oauth_token_secret"]);
    let r = http
        .post(url.clone())
        .header(
            "authorization",
            sign(&req_signer, &url, &[("oauth_verifier", &verifier)]),
        )
        .send()
        .await
        .unwrap();
    let at = form(r.text().await.unwrap());
    let mut t = accounts(emu, Platform::X).await.remove(0);
    t.credential = Credential::OAuth1 {
        token: Secret::new(at["oauth_token"].clone()),
        secret: Secret::new(at["oauth_token_secret"].clone()),
    };
    t
}

#[tokio::test]
async fn oauth1_user_token_publishes_video() {
    let (emu, client, _) = setup().await;
    let account = oauth1_account(&emu).await;
    let post = Post::text("signed with OAuth 1.0a")
        .with_media(video(1_500_000).await.with_alt_text("alt"));
    let p = publish(&client, &account, &post).await;
    let rec = emu.record().post(Platform::X, &p.post_id).unwrap();
    assert_eq!(rec.media[0].len, 1_500_000);
    client.delete(&account, &p.post_id).await.unwrap();
}
