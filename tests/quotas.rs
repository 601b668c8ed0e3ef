//! Quotas against the emulator, for every platform: the cap is used up →
//! the next publish fails before a single request reaches the platform,
//! with the time the quota resets; the clock moves past it → publishing
//! works again; two workers racing for the last slot → exactly one gets it.
//!
//! Caps are lowered to 2 on both sides (the emulator's knobs and the SDK's
//! `quota_limit`), so a case costs a few publishes; the SDK reads time on
//! the emulator's clock, so moving it crosses both resets.

#[path = "publisher/support.rs"]
#[allow(dead_code)]
mod support;

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use creatorsync::auth::Apps;
use creatorsync::media_host::ObjectStoreMediaHost;
use creatorsync::upload::PollConfig;
use creatorsync::{
    BytesSource, Clock, CreatorSync, Error, KeyRing, Media, Platform, Post, Target, TikTokPrivacy,
};
use creatorsync_emulator::{Emulator, EmulatorConfig, MediaServer, RunningEmulator};
use support::{jpeg, mp4};

const USER: &str = "quota-user";
const CAP: u32 = 2;

/// The SDK reads the emulator's clock.
#[derive(Debug)]
struct EmulatorClock(creatorsync_emulator::Clock);

impl Clock for EmulatorClock {
    fn now(&self) -> DateTime<Utc> {
        self.0.now()
    }
}

struct Case {
    platform: Platform,
    /// The SDK's quota name, `None` when the SDK does not count it (learned
    /// from the platform's answer).
    counted: Option<&'static str>,
    /// The quota the error names.
    bucket: &'static str,
}

const CASES: &[Case] = &[
    Case {
        platform: Platform::X,
        counted: Some("posts"),
        bucket: "posts",
    },
    Case {
        platform: Platform::YouTube,
        counted: Some("uploads"),
        bucket: "uploads",
    },
    Case {
        platform: Platform::Instagram,
        counted: Some("posts"),
        bucket: "posts",
    },
    Case {
        platform: Platform::Facebook,
        counted: Some("reels"),
        bucket: "reels",
    },
    Case {
        platform: Platform::TikTok,
        counted: Some("posts"),
        bucket: "posts",
    },
    Case {
        platform: Platform::LinkedIn,
        counted: None,
        bucket: "posts_day",
    },
];

fn emulator_config() -> EmulatorConfig {
    let cap = u64::from(CAP);
    EmulatorConfig {
        x_tweets_per_window: cap,
        youtube_uploads_per_day: cap,
        instagram_publish_limit: cap,
        facebook_reels_per_day: cap,
        tiktok_direct_posts_per_day: cap,
        linkedin_member_daily_posts: cap,
        ..EmulatorConfig::default()
    }
}

struct World {
    emu: RunningEmulator,
    dir: tempfile::TempDir,
    _media: MediaServer,
    media_root: std::path::PathBuf,
}

impl World {
    async fn new() -> World {
        let emu = Emulator::start(emulator_config()).await.expect("emulator");
        let dir = tempfile::tempdir().expect("tempdir");
        let media_root = dir.path().join("public");
        std::fs::create_dir_all(&media_root).unwrap();
        let media = MediaServer::start(&media_root).await.expect("media server");
        World {
            emu,
            dir,
            _media: media,
            media_root,
        }
    }

    /// A worker: its own client and pool on the shared SQLite file.
    async fn worker(&self) -> CreatorSync {
        self.worker_with(CAP).await
    }

    /// A worker counting `cap` for every counted quota.
    async fn worker_with(&self, cap: u32) -> CreatorSync {
        let host = ObjectStoreMediaHost::local(&self.media_root, self._media.url().clone())
            .expect("media host");
        let mut b = CreatorSync::builder()
            .apps(Apps::emulator_defaults())
            .endpoints(self.emu.endpoints().clone())
            .state_secret(*b"test-state-secret-0123456789abcdef")
            .sqlite(
                self.dir.path().join("shared.db"),
                Some(KeyRing::new("k1", &[5u8; 32]).unwrap()),
            )
            .media_host(Arc::new(host))
            .clock(Arc::new(EmulatorClock(self.emu.clock().clone())))
            .poll(PollConfig {
                initial: Duration::from_millis(20),
                max_interval: Duration::from_millis(200),
                deadline: Duration::from_secs(60),
            });
        for c in CASES {
            if let Some(name) = c.counted {
                b = b.quota_limit(c.platform, name, cap);
            }
        }
        b.build().await.expect("client")
    }

    /// Connects `platform`; the first account it gave (LinkedIn: the
    /// member, Facebook: the first Page).
    async fn connect(&self, sync: &CreatorSync, platform: Platform) -> Target {
        let req = sync
            .connector()
            .begin(USER, platform, "http://127.0.0.1:9/callback")
            .await
            .expect("begin");
        let callback = self.emu.approve(req.url.as_str()).await.expect("authorize");
        let accounts = sync
            .connector()
            .complete_from_url(USER, platform, &callback)
            .await
            .unwrap_or_else(|e| panic!("{platform}: connect failed: {e}"));
        Target::Account {
            platform,
            account_id: accounts[0].key.account_id.clone(),
        }
    }
}

/// A post `platform` accepts and that uses the quota under test.
async fn post_for(platform: Platform, n: usize) -> Post {
    let text = format!("quota post {n}");
    let mut post = Post::text(text);
    let media = |bytes: Vec<u8>| async move {
        Media::new(BytesSource::new(bytes.into(), None))
            .await
            .expect("media")
    };
    match platform {
        Platform::YouTube => {
            post = post.with_media(media(mp4(64 * 1024)).await);
            post.options.youtube.title = Some(format!("quota {n}"));
        }
        Platform::TikTok => {
            post = post.with_media(media(mp4(64 * 1024)).await);
            post.options.tiktok.privacy_level = Some(TikTokPrivacy::SelfOnly);
            post.options.tiktok.disable_stitch = true;
        }
        Platform::Facebook => {
            post = post.with_media(media(mp4(64 * 1024)).await);
            post.options.facebook.reel = true;
        }
        Platform::Instagram => post = post.with_media(media(jpeg(8 * 1024)).await),
        _ => {}
    }
    post
}

/// Publishes post `n` to `target`; the target's own outcome.
async fn publish(sync: &CreatorSync, target: &Target, n: usize) -> Result<(), Error> {
    let platform = target.platform();
    let post = post_for(platform, n).await;
    let report = sync
        .publish(USER, &post)
        .targets([target.clone()])
        .idempotency_key(format!("quota-{platform}-{n}"))
        .await
        .expect("publish call");
    let result = report.results.into_iter().next().expect("one target");
    result.outcome.map(|_| ())
}

fn quota_error(platform: Platform, e: Error) -> (String, DateTime<Utc>) {
    match e {
        Error::QuotaExhausted {
            bucket, resets_at, ..
        } => (bucket, resets_at),
        other => panic!("{platform}: expected QuotaExhausted, got {other}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_quota_fails_before_any_request_and_frees_at_its_reset() {
    for case in CASES {
        let platform = case.platform;
        let world = World::new().await;
        let sync = world.worker().await;
        let target = world.connect(&sync, platform).await;
        let first_at = world.emu.clock().now();
        for n in 0..CAP as usize {
            publish(&sync, &target, n).await.unwrap_or_else(|e| {
                panic!(
                    "{platform}: post {n} within the cap: {e}: {:#?}",
                    world.emu.record().requests_for(platform)
                )
            });
        }
        let posts_before = world.emu.record().posts_for(platform).len();
        // Over the cap. A quota the SDK does not count is learned from the
        // platform's answer once; after that, like every counted quota, the
        // SDK refuses before any request.
        if case.counted.is_none() {
            let e = publish(&sync, &target, 90).await.unwrap_err();
            assert_eq!(quota_error(platform, e).0, case.bucket, "{platform}");
        }
        let mark = world.emu.record().mark();
        let e = publish(&sync, &target, 91).await.unwrap_err();
        let (bucket, resets_at) = quota_error(platform, e);
        assert_eq!(bucket, case.bucket, "{platform}");
        let sent = world.emu.record().requests_since(mark);
        assert!(
            sent.is_empty(),
            "{platform}: a publish over the quota reached the platform: {sent:#?}"
        );
        assert_eq!(world.emu.record().posts_for(platform).len(), posts_before);
        // The reset the SDK reports is the platform's.
        let expected = match platform {
            Platform::YouTube => next_midnight(chrono_tz::America::Los_Angeles, first_at),
            Platform::LinkedIn => next_midnight(chrono_tz::UTC, first_at),
            Platform::X => first_at + chrono::Duration::minutes(15),
            _ => first_at + chrono::Duration::hours(24),
        };
        let off = (resets_at - expected).num_seconds().abs();
        assert!(
            off <= 5,
            "{platform}: resets_at {resets_at}, the platform resets at {expected}"
        );
        // `quota` shows it used up until then.
        let usage = sync.quota(USER).await.expect("quota");
        let q = usage
            .iter()
            .find(|u| u.platform == platform && u.bucket == case.bucket)
            .unwrap_or_else(|| panic!("{platform}: {usage:#?}"));
        assert_eq!(q.remaining, Some(0), "{platform}: {q:#?}");
        assert_eq!(q.resets_at, Some(resets_at), "{platform}: {q:#?}");
        // Past the reset, both sides publish again.
        let wait = (resets_at - world.emu.clock().now())
            .to_std()
            .unwrap_or_default();
        world.emu.clock().advance(wait + Duration::from_secs(2));
        publish(&sync, &target, 92)
            .await
            .unwrap_or_else(|e| panic!("{platform}: after the reset: {e}"));
        world.emu.shutdown().await;
    }
}

fn next_midnight(zone: chrono_tz::Tz, now: DateTime<Utc>) -> DateTime<Utc> {
    use chrono::TimeZone;
    let day = now.with_timezone(&zone).date_naive() + chrono::Duration::days(1);
    zone.from_local_datetime(&day.and_hms_opt(0, 0, 0).unwrap())
        .earliest()
        .unwrap()
        .with_timezone(&Utc)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_workers_racing_for_the_last_slot_get_one_post() {
    for case in CASES.iter().filter(|c| c.counted.is_some()) {
        let platform = case.platform;
        let world = World::new().await;
        let (a, b) = (world.worker().await, world.worker().await);
        let target = world.connect(&a, platform).await;
        for n in 0..(CAP as usize - 1) {
            publish(&a, &target, n).await.expect("within the cap");
        }
        let posts_before = world.emu.record().posts_for(platform).len();
        let (ra, rb) = tokio::join!(publish(&a, &target, 50), publish(&b, &target, 51));
        let won = [&ra, &rb].iter().filter(|r| r.is_ok()).count();
        assert_eq!(won, 1, "{platform}: {ra:?} / {rb:?}");
        let lost = [ra, rb].into_iter().find_map(Result::err).unwrap();
        assert_eq!(quota_error(platform, lost).0, case.bucket, "{platform}");
        assert_eq!(
            world.emu.record().posts_for(platform).len(),
            posts_before + 1,
            "{platform}: one post for the last slot: {:#?}",
            world.emu.record().posts_for(platform)
        );
        world.emu.shutdown().await;
    }
}

#[tokio::test]
async fn a_target_failing_before_its_create_gives_its_slot_back() {
    let platform = Platform::X;
    let world = World::new().await;
    let sync = world.worker().await;
    let target = world.connect(&sync, platform).await;
    // Refused before the create (a 400 on the tweet): nothing was posted,
    // so the slot is free again.
    world.emu.faults().inject(
        platform,
        creatorsync_emulator::Fault::once(creatorsync_emulator::FaultKind::Fail { status: 400 })
            .on_path("/2/tweets"),
    );
    assert!(publish(&sync, &target, 0).await.is_err());
    for n in 1..=CAP as usize {
        publish(&sync, &target, n)
            .await
            .unwrap_or_else(|e| panic!("post {n}: the refused post kept its slot: {e}"));
    }
    world.emu.shutdown().await;
}

#[tokio::test]
async fn a_cap_spent_elsewhere_is_learned_from_the_platform_once() {
    // TikTok's daily cap is shared with the creator's other apps: this SDK
    // counts 10, the platform has room for 2 only.
    let platform = Platform::TikTok;
    let world = World::new().await;
    let sync = world.worker_with(10).await;
    let target = world.connect(&sync, platform).await;
    for n in 0..CAP as usize {
        publish(&sync, &target, n)
            .await
            .expect("within the platform's cap");
    }
    let e = publish(&sync, &target, 10).await.unwrap_err();
    let (bucket, first_reset) = quota_error(platform, e);
    assert_eq!(bucket, "posts");
    // Learned: the next publish is refused before any request.
    let mark = world.emu.record().mark();
    let e = publish(&sync, &target, 11).await.unwrap_err();
    let (_, resets_at) = quota_error(platform, e);
    assert_eq!(resets_at, first_reset);
    assert!(world.emu.record().requests_since(mark).is_empty());
    world.emu.shutdown().await;
}

const RACER_ENV: &str = "CREATORSYNC_QUOTA_RACER";

/// A worker process of `two_processes_racing_for_the_last_slot_get_one_post`.
async fn racer_client(dir: &std::path::Path) -> CreatorSync {
    let endpoints: creatorsync::EndpointSet =
        serde_json::from_str(&std::fs::read_to_string(dir.join("endpoints.json")).unwrap())
            .unwrap();
    CreatorSync::builder()
        .apps(Apps::emulator_defaults())
        .endpoints(endpoints)
        .state_secret(*b"test-state-secret-0123456789abcdef")
        .sqlite(
            dir.join("shared.db"),
            Some(KeyRing::new("k1", &[5u8; 32]).unwrap()),
        )
        .quota_limit(Platform::X, "posts", CAP)
        .build()
        .await
        .expect("client")
}

/// The child role: wait for the start file, publish, print the outcome.
#[tokio::test]
#[ignore = "run by two_processes_racing_for_the_last_slot_get_one_post as a child process"]
async fn racer_publishes() {
    let Ok(dir) = std::env::var(RACER_ENV) else {
        return;
    };
    let dir = std::path::Path::new(&dir);
    let sync = racer_client(dir).await;
    let target = Target::Account {
        platform: Platform::X,
        account_id: std::env::var("RACER_ACCOUNT").unwrap(),
    };
    let n: usize = std::env::var("RACER_N").unwrap().parse().unwrap();
    while !dir.join("go").exists() {
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    let outcome = match publish(&sync, &target, n).await {
        Ok(()) => "ok".to_owned(),
        Err(Error::QuotaExhausted { bucket, .. }) => format!("quota {bucket}"),
        Err(e) => format!("error {e}"),
    };
    eprintln!("RESULT {outcome}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_processes_racing_for_the_last_slot_get_one_post() {
    let platform = Platform::X;
    let world = World::new().await;
    let dir = world.dir.path();
    std::fs::write(
        dir.join("endpoints.json"),
        serde_json::to_string(world.emu.endpoints()).unwrap(),
    )
    .unwrap();
    let sync = racer_client(dir).await;
    let target = world.connect(&sync, platform).await;
    for n in 0..(CAP as usize - 1) {
        publish(&sync, &target, n).await.expect("within the cap");
    }
    let posts_before = world.emu.record().posts_for(platform).len();
    let Target::Account { account_id, .. } = &target else {
        unreachable!("connect names an account")
    };
    let children: Vec<_> = (0..2)
        .map(|i| {
            std::process::Command::new(std::env::current_exe().unwrap())
                .args(["--exact", "racer_publishes", "--ignored", "--nocapture"])
                .env(RACER_ENV, dir)
                .env("RACER_ACCOUNT", account_id)
                .env("RACER_N", (100 + i).to_string())
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .expect("child")
        })
        .collect();
    // Both processes are up and polling before the start.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    std::fs::write(dir.join("go"), b"").unwrap();
    let outcomes = tokio::task::spawn_blocking(move || {
        children
            .into_iter()
            .map(|c| {
                let out = c.wait_with_output().unwrap();
                let text = String::from_utf8_lossy(&out.stderr).into_owned();
                text.lines()
                    .find_map(|l| l.strip_prefix("RESULT ").map(str::to_owned))
                    .unwrap_or_else(|| panic!("no result from a racer: {text}"))
            })
            .collect::<Vec<_>>()
    })
    .await
    .unwrap();
    let won = outcomes.iter().filter(|o| *o == "ok").count();
    let refused = outcomes.iter().filter(|o| *o == "quota posts").count();
    assert_eq!((won, refused), (1, 1), "{outcomes:?}");
    assert_eq!(
        world.emu.record().posts_for(platform).len(),
        posts_before + 1
    );
    world.emu.shutdown().await;
}
