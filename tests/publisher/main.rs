//! The publisher against the emulator: fan-out, idempotency, reconciliation
//! after a crash, validation across targets, cancellation.

mod support;

use std::time::Duration;

use chrono::Timelike;

use creatorsync::publish_log::Lease;
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
async fn each_platform_receives_its_own_text() {
    let env = Env::new().await;
    let long = format!("A longer story for LinkedIn {}", "word ".repeat(80));
    let post = Post::text(long.trim())
        .with_text_for(Platform::X, "Short for X")
        .with_text_for(Platform::Facebook, "Friendly for Facebook");
    let report = env
        .sync
        .publish(USER, &post)
        .targets([
            Target::Platform(Platform::X),
            Target::Account {
                platform: Platform::LinkedIn,
                account_id: "li-demo-person".into(),
            },
            Target::Account {
                platform: Platform::Facebook,
                account_id: "1001".into(),
            },
        ])
        .await
        .expect("publish");
    assert_eq!(report.published().count(), 3, "{report:#?}");
    for (account, published) in report.published() {
        let rec = env
            .emu
            .record()
            .post(account.platform, &published.post_id)
            .unwrap();
        assert_eq!(
            rec.text,
            post.text_for(account.platform),
            "{}",
            account.platform
        );
    }
}

#[tokio::test]
async fn facebook_native_schedule_stays_unpublished_until_the_emulator_clock_passes() {
    let env = Env::new().await;
    let at = (chrono::Utc::now() + chrono::Duration::hours(2))
        .with_nanosecond(0)
        .unwrap();
    let mut post =
        Post::text("Doors open at noon").with_media(env.file_media("a.jpg", &jpeg(4096)).await);
    post.options.facebook.scheduled_publish_time = Some(at);
    let report = env
        .sync
        .publish(USER, &post)
        .targets([Target::Account {
            platform: Platform::Facebook,
            account_id: "1001".into(),
        }])
        .await
        .expect("publish");
    let result = &report.results[0];
    assert_eq!(result.scheduled_for, Some(at), "{report:#?}");
    let published = result.outcome.as_ref().expect("scheduled");
    let rec = env
        .emu
        .record()
        .post(Platform::Facebook, &published.post_id)
        .unwrap();
    assert_eq!(rec.scheduled_for, Some(at));
    assert_eq!(rec.media.len(), 1, "the photo rides on the scheduled post");
    assert!(!rec.is_live(env.emu.clock().now()));
    env.emu.clock().advance(Duration::from_secs(3 * 3600));
    assert!(rec.is_live(env.emu.clock().now()));

    // A time Facebook would refuse is caught before any request.
    post.options.facebook.scheduled_publish_time =
        Some(chrono::Utc::now() + chrono::Duration::minutes(5));
    let err = env
        .sync
        .publish(USER, &post)
        .targets([Platform::Facebook])
        .await
        .unwrap_err();
    let Error::InvalidPost { violations } = err else {
        panic!("{err}")
    };
    assert_eq!(violations[0].code, "scheduled_time_out_of_range");
}

#[tokio::test]
async fn youtube_publish_at_is_reported_and_goes_public_on_the_emulator_clock() {
    let env = Env::new().await;
    let at = (chrono::Utc::now() + chrono::Duration::hours(5))
        .with_nanosecond(0)
        .unwrap();
    let mut post = video_post(&env).await;
    post.options.youtube.publish_at = Some(at);
    let report = env
        .sync
        .publish(USER, &post)
        .targets([Platform::YouTube, Platform::X])
        .await
        .expect("publish");
    for r in &report.results {
        let want = (r.platform() == Platform::YouTube).then_some(at);
        assert_eq!(r.scheduled_for, want, "{}", r.platform());
    }
    let (_, published) = report
        .published()
        .find(|(a, _)| a.platform == Platform::YouTube)
        .unwrap();
    let rec = env
        .emu
        .record()
        .post(Platform::YouTube, &published.post_id)
        .unwrap();
    assert_eq!(rec.scheduled_for, Some(at));
    assert_eq!(rec.extra["privacyStatus"], "private");
    assert!(!rec.is_live(env.emu.clock().now()));
    env.emu.clock().advance(Duration::from_secs(6 * 3600));
    assert!(rec.is_live(env.emu.clock().now()));

    // In the past: refused by validation on the SDK clock.
    post.options.youtube.publish_at = Some(chrono::Utc::now() - chrono::Duration::minutes(1));
    let err = env
        .sync
        .publish(USER, &post)
        .targets([Platform::YouTube])
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidPost { .. }), "{err}");
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
    // ...and the log still says "pending, create sent" for the key being
    // retried, under a lease that ran out with its dead worker.
    let target = made.results[0].account.clone();
    let dead = Lease::new(Duration::from_millis(50));
    env.log.begin("crashed", &target, &dead).await.unwrap();
    env.log
        .mark_sent("crashed", &target, &dead, None)
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(80)).await;
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
    // The cancelled call gives its lease up on the way out (a detached
    // write), so the next call need not wait for the lease to expire.
    let mut released = false;
    for _ in 0..100 {
        let recs = env.log.list("cancel-me").await.unwrap();
        assert_eq!(recs.len(), 1);
        match &recs[0].state {
            PublishState::Pending {
                lease_owner: None,
                last_error,
                ..
            } => {
                assert_eq!(
                    last_error.as_deref(),
                    Some("CANCELLED: the publish was cancelled")
                );
                released = true;
                break;
            }
            PublishState::Pending { .. } => {
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
            other => panic!("expected Pending, got {other:?}"),
        }
    }
    assert!(released, "the cancelled call kept its lease");
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

/// A publish log that cannot record publications (its database went away
/// after the claim), for the next test.
#[derive(Debug)]
struct CannotRecord(std::sync::Arc<dyn PublishLog>);

#[async_trait::async_trait]
impl PublishLog for CannotRecord {
    async fn begin(
        &self,
        k: &str,
        t: &creatorsync::AccountKey,
        l: &Lease,
    ) -> creatorsync::Result<creatorsync::BeginOutcome> {
        self.0.begin(k, t, l).await
    }
    async fn renew(
        &self,
        k: &str,
        t: &creatorsync::AccountKey,
        l: &Lease,
    ) -> creatorsync::Result<()> {
        self.0.renew(k, t, l).await
    }
    async fn mark_sent(
        &self,
        k: &str,
        t: &creatorsync::AccountKey,
        l: &Lease,
        r: Option<&str>,
    ) -> creatorsync::Result<()> {
        self.0.mark_sent(k, t, l, r).await
    }
    async fn mark_published(
        &self,
        _: &str,
        _: &creatorsync::AccountKey,
        _: &str,
        _: Option<&str>,
    ) -> creatorsync::Result<()> {
        Err(Error::store("the database went away"))
    }
    async fn mark_failed(
        &self,
        k: &str,
        t: &creatorsync::AccountKey,
        l: &Lease,
        c: &str,
        m: &str,
        r: bool,
    ) -> creatorsync::Result<()> {
        self.0.mark_failed(k, t, l, c, m, r).await
    }
    async fn release(
        &self,
        k: &str,
        t: &creatorsync::AccountKey,
        l: &Lease,
        c: &str,
        m: &str,
    ) -> creatorsync::Result<()> {
        self.0.release(k, t, l, c, m).await
    }
    async fn get(
        &self,
        k: &str,
        t: &creatorsync::AccountKey,
    ) -> creatorsync::Result<Option<creatorsync::PublishRecord>> {
        self.0.get(k, t).await
    }
    async fn list(&self, k: &str) -> creatorsync::Result<Vec<creatorsync::PublishRecord>> {
        self.0.list(k).await
    }
}

#[tokio::test]
async fn a_post_the_log_cannot_record_is_still_reported_and_never_made_twice() {
    let env = Env::with_log_wrapper(Default::default(), |log| {
        std::sync::Arc::new(CannotRecord(log))
    })
    .await;
    let post = Post::text("recorded or not, it exists");
    let first = env
        .sync
        .publish(USER, &post)
        .targets([Platform::X])
        .idempotency_key("unrecorded")
        .await
        .unwrap();
    let id = first.results[0]
        .outcome
        .as_ref()
        .expect("the post exists, so it is reported")
        .post_id
        .clone();
    // The claim was released, so the retry looks the post up at once.
    let again = env
        .sync
        .publish(USER, &post)
        .targets([Platform::X])
        .idempotency_key("unrecorded")
        .await
        .unwrap();
    assert_eq!(again.results[0].outcome.as_ref().unwrap().post_id, id);
    assert!(again.results[0].reused);
    assert_eq!(env.emu.record().posts_for(Platform::X).len(), 1);
}

#[tokio::test]
async fn a_publish_that_outlives_its_access_token_renews_it_between_steps() {
    // TikTok processing takes longer than the 2-hour access token: the
    // emulator keeps the post processing for 3 hours of its clock.
    let env = Env::with_config(creatorsync_emulator::EmulatorConfig {
        processing_delay: Duration::from_secs(3 * 3600),
        ..Default::default()
    })
    .await;
    let before = env.emu.tokens().refresh_count(Platform::TikTok);
    let mut post = video_post(&env).await;
    post.text = "Longer than a token".into();
    // Once the client polls the status, two hours pass: the token it
    // started with expires, and processing finishes an hour later.
    let emu = &env.emu;
    let clock = async {
        loop {
            let polled = emu
                .record()
                .requests()
                .iter()
                .any(|r| r.platform == Platform::TikTok && r.route.contains("status/fetch"));
            if polled {
                emu.tokens()
                    .expire_now(Platform::TikTok, None, emu.clock().now());
                emu.clock().advance(Duration::from_secs(3 * 3600 + 1));
                return;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    };
    let publish = env
        .sync
        .publish(USER, &post)
        .targets([Target::Platform(Platform::TikTok)])
        .send();
    let (report, ()) = tokio::join!(publish, clock);
    let report = report.expect("publish");
    assert!(report.all_ok(), "{report:#?}");
    assert_eq!(env.emu.record().posts_for(Platform::TikTok).len(), 1);
    let inits = env
        .emu
        .record()
        .requests()
        .iter()
        .filter(|r| r.platform == Platform::TikTok && r.route.contains("/init/"))
        .count();
    // The refused status query is followed at once by the refresh and the
    // same query with the renewed token: one refusal, nothing else failed.
    let after_init: Vec<(String, u16)> = env
        .emu
        .record()
        .requests()
        .iter()
        .filter(|r| r.platform == Platform::TikTok)
        .skip_while(|r| !r.route.contains("/init/"))
        .map(|r| (r.route.clone(), r.status))
        .collect();
    let refused: Vec<usize> = after_init
        .iter()
        .enumerate()
        .filter(|(_, (_, status))| *status == 401)
        .map(|(i, _)| i)
        .collect();
    assert_eq!(refused.len(), 1, "{after_init:?}");
    assert!(
        after_init[refused[0] + 1].0.contains("/oauth/token/")
            && after_init[refused[0] + 2] == ("/v2/post/publish/status/fetch/".into(), 200),
        "{after_init:?}"
    );
    assert_eq!(inits, 1, "never a second init");
    assert!(
        !report.results[0].reused,
        "published by the flow itself, not found afterwards by a lookup"
    );
    assert_eq!(
        env.emu.tokens().refresh_count(Platform::TikTok) - before,
        1,
        "one refresh, between two status queries"
    );
}
