//! The publisher against the emulator: fan-out, idempotency, reconciliation
//! after a crash, validation across targets, cancellation.

mod support;

use std::time::Duration;

use creatorsync::{Error, Platform, Post, PublishLog, PublishState, Target, TikTokPrivacy};
use creatorsync_emulator::{Fault, FaultKind};
use support::{Env, USER, jpeg, mp4};

fn six_targets() -> Vec<Target> {
    vec![
        Target::Platform(Platform::X),
        Target::Account {
            platform: Platform::LinkedIn,
            account_id: "li-demo-person".into(),
        },
        Target::Account {
            platform: Platform::Facebook,
            account_id: "1001".into(),
        },
        Target::Platform(Platform::Instagram),
        Target::Platform(Platform::YouTube),
        Target::Platform(Platform::TikTok),
    ]
}

async fn video_post(env: &Env) -> Post {
    let mut post = Post::text("Launch day: our first video #creatorsync")
        .with_media(env.file_media("launch.mp4", &mp4(3 * 1024 * 1024)).await);
    post.options.tiktok.privacy_level = Some(TikTokPrivacy::SelfOnly);
    post.options.tiktok.disable_stitch = true; // the demo creator turned stitches off
    post.options.youtube.title = Some("Launch day".into());
    post
}

#[tokio::test]
async fn fan_out_to_six_with_one_failing() {
    let env = Env::new().await;
    env.emu
        .faults()
        .inject(Platform::TikTok, Fault::once(FaultKind::FailProcessing));
    let post = video_post(&env).await;
    let report = env
        .sync
        .publish(USER, &post)
        .targets(six_targets())
        .await
        .expect("publish");
    assert_eq!(report.results.len(), 6, "{report:#?}");
    let failed: Vec<_> = report.failed().collect();
    assert_eq!(failed.len(), 1, "{report:#?}");
    assert_eq!(failed[0].0.platform, Platform::TikTok);
    assert!(
        matches!(failed[0].1, Error::MediaRejected { .. }),
        "{}",
        failed[0].1
    );
    for (account, published) in report.published() {
        let recorded = env.emu.record().post(account.platform, &published.post_id);
        assert!(
            recorded.is_some(),
            "{} {} not in the emulator record",
            account.platform,
            published.post_id
        );
        assert!(!published.url.is_empty());
    }
    assert_eq!(report.published().count(), 5);
    let legacy = report.legacy();
    assert!(!legacy["tiktok"].success);
    assert!(legacy["x"].success);
}

#[tokio::test]
async fn same_idempotency_key_never_posts_twice() {
    let env = Env::new().await;
    let post =
        Post::text("Idempotent hello").with_media(env.file_media("a.jpg", &jpeg(40_000)).await);
    let targets = [
        Platform::X,
        Platform::LinkedIn,
        Platform::Facebook,
        Platform::Instagram,
    ];
    let first = env
        .sync
        .publish(USER, &post)
        .targets(targets)
        .idempotency_key("k-1")
        .await
        .unwrap();
    assert!(first.all_ok(), "{first:#?}");
    let before = env.emu.record().posts().len();
    let second = env
        .sync
        .publish(USER, &post)
        .targets(targets)
        .idempotency_key("k-1")
        .await
        .unwrap();
    assert!(second.all_ok());
    assert!(second.results.iter().all(|r| r.reused), "{second:#?}");
    assert_eq!(
        env.emu.record().posts().len(),
        before,
        "a second post appeared"
    );
    for (a, b) in first.results.iter().zip(&second.results) {
        assert_eq!(
            a.outcome.as_ref().unwrap().post_id,
            b.outcome.as_ref().unwrap().post_id
        );
    }
}

#[tokio::test]
async fn crash_between_create_and_log_is_reconciled() {
    let env = Env::new().await;
    let post = Post::text("Crash-safe announcement");
    // The post exists at the platform (made by an attempt whose process
    // died before it could record the result)...
    let made = env
        .sync
        .publish(USER, &post)
        .targets([Platform::X])
        .idempotency_key("other")
        .await
        .unwrap();
    let made_id = made.results[0].outcome.as_ref().unwrap().post_id.clone();
    // ...and the log still says "pending" for the key being retried, its
    // lease run out with the process that held it.
    let target = made.results[0].account.clone();
    let dead = creatorsync_core::publish_log::Lease::new(Duration::from_millis(20));
    env.log.begin("crashed", &target, &dead).await.unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;
    let report = env
        .sync
        .publish(USER, &post)
        .targets([Platform::X])
        .idempotency_key("crashed")
        .await
        .unwrap();
    let r = &report.results[0];
    assert!(r.reused, "{report:#?}");
    assert_eq!(r.outcome.as_ref().unwrap().post_id, made_id);
    assert_eq!(
        env.emu.record().posts_for(Platform::X).len(),
        1,
        "reconciliation re-created the post"
    );
    let rec = env.log.get("crashed", &target).await.unwrap().unwrap();
    assert!(
        matches!(rec.state, PublishState::Published { .. }),
        "{rec:?}"
    );
}

#[tokio::test]
async fn violations_of_every_target_are_reported_together() {
    let env = Env::new().await;
    let post = Post::text("x".repeat(3500));
    let err = env
        .sync
        .publish(USER, &post)
        .targets([
            Platform::X,
            Platform::LinkedIn,
            Platform::Instagram,
            Platform::YouTube,
            Platform::TikTok,
        ])
        .await
        .unwrap_err();
    let Error::InvalidPost { violations } = err else {
        panic!("expected InvalidPost, got {err}")
    };
    let platforms: std::collections::BTreeSet<_> =
        violations.iter().filter_map(|v| v.platform).collect();
    for p in [
        Platform::X,
        Platform::LinkedIn,
        Platform::Instagram,
        Platform::YouTube,
        Platform::TikTok,
    ] {
        assert!(
            platforms.contains(&p),
            "no violation for {p}: {violations:#?}"
        );
    }
    assert!(env.emu.record().posts().is_empty());

    // Opting in publishes to the valid targets only.
    let post = Post::text("short and sweet");
    let report = env
        .sync
        .publish(USER, &post)
        .targets([Platform::X, Platform::YouTube])
        .valid_targets_only()
        .await
        .unwrap();
    let yt = report
        .results
        .iter()
        .find(|r| r.platform() == Platform::YouTube)
        .unwrap();
    assert!(matches!(yt.outcome, Err(Error::InvalidPost { .. })));
    assert!(
        report
            .results
            .iter()
            .find(|r| r.platform() == Platform::X)
            .unwrap()
            .is_ok()
    );
}

#[tokio::test]
async fn cancelling_mid_upload_leaves_no_post_and_a_consistent_log() {
    let env = Env::new().await;
    let post = video_post(&env).await;
    env.emu.faults().inject(
        Platform::YouTube,
        Fault::once(FaultKind::Latency { millis: 3_000 })
            .always()
            .on_method("PUT"),
    );
    let run = env
        .sync
        .publish(USER, &post)
        .targets([Platform::YouTube])
        .idempotency_key("cancel-me");
    assert!(
        tokio::time::timeout(Duration::from_millis(800), run)
            .await
            .is_err(),
        "should still be uploading"
    );
    env.emu.faults().clear(Platform::YouTube);
    assert!(env.emu.record().posts_for(Platform::YouTube).is_empty());
    // The dropped publish gives its lease up on a spawned task: let it run.
    tokio::task::yield_now().await;
    let recs = env.log.list("cancel-me").await.unwrap();
    assert_eq!(recs.len(), 1);
    assert!(
        matches!(
            recs[0].state,
            PublishState::Pending {
                lease_owner: None,
                ..
            }
        ),
        "a cancelled publish leaves the record pending and released: {recs:?}"
    );
    // Retrying with the same key reconciles (nothing there) and publishes once.
    let report = env
        .sync
        .publish(USER, &post)
        .targets([Platform::YouTube])
        .idempotency_key("cancel-me")
        .await
        .unwrap();
    assert!(report.all_ok(), "{report:#?}");
    assert_eq!(env.emu.record().posts_for(Platform::YouTube).len(), 1);
}

#[tokio::test]
async fn a_refused_token_that_looked_valid_is_refreshed_once_and_the_publish_retried() {
    let env = Env::new().await;
    // The platform expires every access token now; the SDK still believes
    // them valid for an hour (clock skew, early revocation).
    for p in [Platform::TikTok, Platform::YouTube, Platform::LinkedIn] {
        env.emu.tokens().expire_now(p, None, env.emu.clock().now());
    }
    let before: Vec<u64> = [Platform::TikTok, Platform::YouTube, Platform::LinkedIn]
        .iter()
        .map(|p| env.emu.tokens().refresh_count(*p))
        .collect();
    let mut post = video_post(&env).await;
    post.text = "After a refused token".into();
    let report = env
        .sync
        .publish(USER, &post)
        .targets([
            Target::Platform(Platform::TikTok),
            Target::Platform(Platform::YouTube),
            Target::Account {
                platform: Platform::LinkedIn,
                account_id: "li-demo-person".into(),
            },
        ])
        .await
        .expect("publish");
    assert!(report.all_ok(), "{report:#?}");
    let after: Vec<u64> = [Platform::TikTok, Platform::YouTube, Platform::LinkedIn]
        .iter()
        .map(|p| env.emu.tokens().refresh_count(*p))
        .collect();
    let refreshed: Vec<u64> = after.iter().zip(&before).map(|(a, b)| a - b).collect();
    assert_eq!(refreshed, vec![1, 1, 1], "one refresh per platform");
    for p in [Platform::TikTok, Platform::YouTube, Platform::LinkedIn] {
        assert_eq!(
            env.emu.record().posts_for(p).len(),
            1,
            "{p}: exactly one post"
        );
    }
    let status = env.sync.tokens().status(USER).await.expect("status");
    assert!(status.iter().all(|s| !s.needs_reauth), "{status:#?}");
}

#[tokio::test]
async fn a_refused_token_whose_refresh_is_refused_needs_reauth_and_is_kept() {
    let env = Env::new().await;
    env.emu.tokens().revoke_all(Platform::TikTok, None);
    let post = video_post(&env).await;
    let report = env
        .sync
        .publish(USER, &post)
        .targets([Target::Platform(Platform::TikTok)])
        .await
        .expect("publish");
    let (_, err) = report.failed().next().expect("a failure");
    assert!(matches!(err, Error::ReauthRequired { .. }), "{err}");
    let status = env.sync.tokens().status(USER).await.expect("status");
    let tiktok = status
        .iter()
        .find(|s| s.account.key.platform == Platform::TikTok)
        .expect("the TikTok row is kept");
    assert!(tiktok.needs_reauth);
    assert!(env.emu.record().posts_for(Platform::TikTok).is_empty());
}
