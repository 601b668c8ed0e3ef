//! Post metrics against the emulator, per platform: raw fields map to the
//! normalised ones exactly, what a platform does not report is `None`
//! (never 0), a batch of 250 posts takes the fewest calls the platform
//! allows (counted in the emulator's request record), one missing post
//! fails alone, the analytics scope is checked before any request, X reads
//! are cached, and history grows with the clock.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use creatorsync::analytics::{PostMetrics, PostRef, RefreshPolicy};
use creatorsync::auth::{Apps, ScopeUse};
use creatorsync::{
    BytesSource, Clock, CreatorSync, KeyRing, Media, MemoryKeyValueStore, Platform, Post,
};
use creatorsync_emulator::{Emulator, EmulatorConfig, RecordedPost, RunningEmulator};
use serde_json::Value;

const USER: &str = "user-1";

#[derive(Debug)]
struct EmulatorClock(creatorsync_emulator::Clock);

impl Clock for EmulatorClock {
    fn now(&self) -> DateTime<Utc> {
        self.0.now()
    }
}

struct Env {
    emu: RunningEmulator,
    sync: CreatorSync,
}

/// A client whose apps ask for analytics on every platform (`uses`), on
/// the emulator's clock.
async fn env_with(uses: &[ScopeUse]) -> Env {
    let emu = Emulator::start(EmulatorConfig::default()).await.unwrap();
    let mut apps = Apps::emulator_defaults();
    for p in Platform::ALL {
        apps = apps.uses(p, uses);
    }
    let sync = CreatorSync::builder()
        .apps(apps)
        .endpoints(emu.endpoints().clone())
        .state_secret(*b"test-state-secret-0123456789abcdef")
        .key_value_store(
            Arc::new(MemoryKeyValueStore::new()),
            Some(KeyRing::new("k1", &[7u8; 32]).unwrap()),
        )
        .clock(Arc::new(EmulatorClock(emu.clock().clone())))
        .build()
        .await
        .expect("client");
    Env { emu, sync }
}

async fn env() -> Env {
    env_with(&[ScopeUse::Publish, ScopeUse::Analytics]).await
}

impl Env {
    /// Connects `platform` through the SDK; the first account's id.
    async fn connect(&self, platform: Platform) -> String {
        self.connect_all(platform).await.remove(0)
    }

    /// Connects `platform` through the SDK; every account's id.
    async fn connect_all(&self, platform: Platform) -> Vec<String> {
        let req = self
            .sync
            .connector()
            .begin(USER, platform, "http://127.0.0.1:9/callback")
            .await
            .unwrap();
        let callback = self.emu.approve(req.url.as_str()).await.unwrap();
        let accounts = self
            .sync
            .connector()
            .complete_from_url(USER, platform, &callback)
            .await
            .unwrap_or_else(|e| panic!("{platform}: connect failed: {e}"));
        accounts.into_iter().map(|a| a.key.account_id).collect()
    }

    /// `n` posts of `account` as the platform holds them, three hours old.
    fn posts(&self, platform: Platform, account: &str, n: usize) -> Vec<PostRef> {
        let created = self.emu.clock().now() - chrono::Duration::hours(3);
        // Ids never seen before in this emulator.
        let first = self.emu.record().posts().len();
        (first..first + n)
            .map(|i| {
                let id = match platform {
                    Platform::LinkedIn => format!("urn:li:share:{}", 7_000_000 + i),
                    Platform::Facebook => format!("{account}_{}", 900_000 + i),
                    _ => format!("{}", 1_790_000_000_000_000_000u64 + i as u64),
                };
                let mut extra = std::collections::BTreeMap::new();
                if platform == Platform::LinkedIn {
                    // Organization ids are numeric, the emulator's member id is not.
                    let kind = if account.parse::<u64>().is_ok() {
                        "organization"
                    } else {
                        "person"
                    };
                    extra.insert("author".to_owned(), format!("urn:li:{kind}:{account}"));
                }
                self.emu.record().add_post(RecordedPost {
                    platform,
                    account_id: account.to_owned(),
                    post_id: id.clone(),
                    text: format!("post {i}"),
                    title: None,
                    media: Vec::new(),
                    url: format!("https://example.invalid/{id}"),
                    created_at: created,
                    deleted: false,
                    scheduled_for: None,
                    extra,
                });
                PostRef::new(platform, id).on_account(account)
            })
            .collect()
    }

    /// Requests `platform`'s listener received since `mark`.
    fn calls_since(&self, platform: Platform, mark: u64) -> Vec<String> {
        self.emu
            .record()
            .requests_since(mark)
            .into_iter()
            .filter(|r| r.platform == platform)
            .map(|r| format!("{} {}", r.method, r.route))
            .collect()
    }
}

/// A tiny video published to YouTube through the SDK; its reference.
async fn youtube_video(env: &Env) -> PostRef {
    let mut v = vec![
        0, 0, 0, 0x20, b'f', b't', b'y', b'p', b'i', b's', b'o', b'm', 0, 0, 2, 0,
    ];
    v.extend_from_slice(b"isomiso2avc1mp41");
    v.resize(64 * 1024, 0x42);
    let media = Media::new(BytesSource::new(v.into(), None)).await.unwrap();
    let mut post = Post::text("metrics video").with_media(media);
    post.options.youtube.title = Some("metrics".into());
    let report = env
        .sync
        .publish(USER, &post)
        .targets([Platform::YouTube])
        .await
        .unwrap();
    assert!(report.all_ok(), "{:?}", report.results[0].outcome);
    PostRef::from_report(&report).remove(0)
}

/// The counter at `pointer` of the raw answer, as the platform wrote it.
fn at(raw: &Value, pointer: &str) -> Option<u64> {
    let v = raw.pointer(pointer)?;
    v.as_u64().or_else(|| v.as_str()?.parse().ok())
}

/// A Graph insights value.
fn insight(raw: &Value, name: &str) -> Option<u64> {
    raw["insights"]["data"]
        .as_array()?
        .iter()
        .find(|m| m["name"] == name)?["values"][0]["value"]
        .as_u64()
}

/// `(views, reach, likes, comments, shares, saves, clicks, watch time)`
/// read straight from the raw answer, per the table in docs/analytics.md.
fn expected(platform: Platform, raw: &Value) -> [Option<u64>; 8] {
    match platform {
        Platform::X => [
            at(raw, "/public_metrics/impression_count"),
            None,
            at(raw, "/public_metrics/like_count"),
            at(raw, "/public_metrics/reply_count"),
            at(raw, "/public_metrics/retweet_count"),
            at(raw, "/public_metrics/bookmark_count"),
            at(raw, "/non_public_metrics/url_link_clicks"),
            None,
        ],
        Platform::LinkedIn => [
            at(raw, "/IMPRESSION/elements/0/count"),
            at(raw, "/MEMBERS_REACHED/elements/0/count"),
            at(raw, "/REACTION/elements/0/count"),
            at(raw, "/COMMENT/elements/0/count"),
            at(raw, "/RESHARE/elements/0/count"),
            at(raw, "/POST_SAVE/elements/0/count"),
            None,
            None,
        ],
        Platform::Facebook => [
            insight(raw, "post_media_view"),
            insight(raw, "post_total_media_view_unique"),
            at(raw, "/reactions/summary/total_count"),
            at(raw, "/comments/summary/total_count"),
            Some(at(raw, "/shares/count").unwrap_or(0)),
            None,
            insight(raw, "post_clicks"),
            None,
        ],
        Platform::Instagram => [
            insight(raw, "views"),
            insight(raw, "reach"),
            at(raw, "/like_count"),
            at(raw, "/comments_count"),
            insight(raw, "shares"),
            insight(raw, "saved"),
            None,
            None,
        ],
        Platform::YouTube => [
            at(raw, "/statistics/viewCount"),
            None,
            at(raw, "/statistics/likeCount"),
            at(raw, "/statistics/commentCount"),
            None,
            None,
            None,
            at(raw, "/analytics/estimatedMinutesWatched").map(|m| m * 60),
        ],
        Platform::TikTok => [
            at(raw, "/view_count"),
            None,
            at(raw, "/like_count"),
            at(raw, "/comment_count"),
            at(raw, "/share_count"),
            None,
            None,
            None,
        ],
    }
}

fn fields(m: &PostMetrics) -> [Option<u64>; 8] {
    [
        m.views,
        m.reach,
        m.likes,
        m.comments,
        m.shares,
        m.saves,
        m.clicks,
        m.watch_time_secs,
    ]
}

/// What each platform leaves unreported (index into [`fields`]).
fn unreported(platform: Platform) -> &'static [usize] {
    match platform {
        Platform::X => &[1, 7],
        Platform::LinkedIn => &[6, 7],
        Platform::Facebook => &[5, 7],
        Platform::Instagram => &[6, 7],
        Platform::YouTube => &[1, 4, 5, 6],
        Platform::TikTok => &[1, 5, 6, 7],
    }
}

fn check_mapping(platform: Platform, m: &PostMetrics) {
    let want = expected(platform, &m.raw);
    assert_eq!(fields(m), want, "{platform}: raw {}", m.raw);
    for (i, got) in fields(m).iter().enumerate() {
        if unreported(platform).contains(&i) {
            assert_eq!(*got, None, "{platform}: field {i} must be unreported");
        } else {
            assert!(
                got.is_some(),
                "{platform}: field {i} is reported: raw {}",
                m.raw
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn raw_fields_map_exactly_and_what_a_platform_omits_is_none() {
    let env = env().await;
    for platform in [
        Platform::X,
        Platform::LinkedIn,
        Platform::Facebook,
        Platform::Instagram,
        Platform::TikTok,
    ] {
        let account = env.connect(platform).await;
        let posts = env.posts(platform, &account, 1);
        let r = env.sync.metrics(USER, &posts).await.unwrap().remove(0);
        let m = r.outcome.unwrap_or_else(|e| panic!("{platform}: {e}"));
        assert_eq!(
            (m.platform, m.account_id.as_str(), m.post_id.as_str()),
            (platform, account.as_str(), posts[0].post_id.as_str())
        );
        let age = env.emu.clock().now() - m.fetched_at;
        assert!(
            (0..5).contains(&age.num_seconds()),
            "fetched on the client's clock: {age}"
        );
        check_mapping(platform, &m);
        assert!(m.views.unwrap() > 0, "{platform}: three hours of views");
    }
    env.connect(Platform::YouTube).await;
    let video = youtube_video(&env).await;
    let m = env
        .sync
        .metrics(USER, &[video])
        .await
        .unwrap()
        .remove(0)
        .outcome
        .unwrap();
    check_mapping(Platform::YouTube, &m);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_of_250_posts_takes_the_fewest_calls_each_platform_allows() {
    let env = env().await;
    // LinkedIn: one post and one metric per call (7 metrics at 202607).
    for (platform, calls) in [
        (Platform::X, 3),
        (Platform::TikTok, 13),
        (Platform::Facebook, 5),
        (Platform::Instagram, 5),
        (Platform::LinkedIn, 250 * 7),
    ] {
        let account = env.connect(platform).await;
        let posts = env.posts(platform, &account, 250);
        let mark = env.emu.record().mark();
        let results = env.sync.metrics(USER, &posts).await.unwrap();
        assert_eq!(results.len(), 250);
        for (r, p) in results.iter().zip(&posts) {
            assert_eq!(&r.post, p, "{platform}: results in order");
            let m = r
                .outcome
                .as_ref()
                .unwrap_or_else(|e| panic!("{platform}: {e}"));
            assert_eq!(m.post_id, p.post_id);
        }
        let seen = env.calls_since(platform, mark);
        assert_eq!(
            seen.len(),
            calls,
            "{platform}: {:?}",
            &seen[..seen.len().min(5)]
        );
    }
    // YouTube: one real video and 249 ids it does not know, 50 per call;
    // the watch-time report only for the batch with a known video.
    env.connect(Platform::YouTube).await;
    let video = youtube_video(&env).await;
    let mut posts = vec![video];
    posts.extend((1..250).map(|i| PostRef::new(Platform::YouTube, format!("unknownvid{i}"))));
    let mark = env.emu.record().mark();
    let results = env.sync.metrics(USER, &posts).await.unwrap();
    let mut want = vec!["GET /youtube/v3/videos", "GET /v2/reports"];
    want.extend(["GET /youtube/v3/videos"; 4]);
    assert_eq!(env.calls_since(Platform::YouTube, mark), want);
    assert!(results[0].outcome.is_ok());
    for r in &results[1..] {
        let e = r.outcome.as_ref().unwrap_err();
        assert_eq!(e.code(), "INVALID_INPUT", "{e}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deleted_post_fails_alone() {
    let env = env().await;
    for platform in [Platform::Facebook, Platform::X, Platform::TikTok] {
        let account = env.connect(platform).await;
        let mut posts = env.posts(platform, &account, 3);
        let gone = match platform {
            Platform::Facebook => format!("{account}_1"),
            _ => "1".to_owned(),
        };
        posts.insert(1, PostRef::new(platform, gone).on_account(&account));
        let results = env.sync.metrics(USER, &posts).await.unwrap();
        let ok: Vec<bool> = results.iter().map(|r| r.outcome.is_ok()).collect();
        assert_eq!(ok, [true, false, true, true], "{platform}");
        let e = results[1].outcome.as_ref().unwrap_err();
        assert_eq!(e.code(), "INVALID_INPUT", "{platform}: {e}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_the_analytics_scope_metrics_names_it_and_sends_nothing() {
    let env = env_with(&[ScopeUse::Publish]).await;
    let account = env.connect(Platform::LinkedIn).await;
    let posts = env.posts(Platform::LinkedIn, &account, 2);
    let mark = env.emu.record().mark();
    let results = env.sync.metrics(USER, &posts).await.unwrap();
    for r in &results {
        let e = r.outcome.as_ref().unwrap_err();
        assert_eq!(e.code(), "MISSING_SCOPE", "{e}");
        assert!(e.to_string().contains("r_member_postAnalytics"), "{e}");
    }
    assert!(env.calls_since(Platform::LinkedIn, mark).is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn x_reads_are_cached_briefly() {
    let env = env().await;
    let account = env.connect(Platform::X).await;
    let posts = env.posts(Platform::X, &account, 3);
    let mark = env.emu.record().mark();
    let first = env.sync.metrics(USER, &posts).await.unwrap();
    let again = env.sync.metrics(USER, &posts).await.unwrap();
    assert_eq!(
        env.calls_since(Platform::X, mark).len(),
        1,
        "the second read is served from memory"
    );
    for (a, b) in first.iter().zip(&again) {
        assert_eq!(
            a.outcome.as_ref().unwrap().views,
            b.outcome.as_ref().unwrap().views
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn history_grows_with_the_clock_on_the_refresh_cadence() {
    let env = env().await;
    let account = env.connect(Platform::TikTok).await;
    let posts = env.posts(Platform::TikTok, &account, 2);
    let t0 = env.emu.clock().now();
    env.sync.metrics(USER, &posts).await.unwrap();
    let policy = RefreshPolicy::default();

    // Nothing is due before the hour is up.
    env.emu.clock().advance(Duration::from_secs(30 * 60));
    let r = env
        .sync
        .refresh_due_metrics(None, env.emu.clock().now(), &policy)
        .await
        .unwrap();
    assert!(r.results.is_empty());
    let due = r.next_due.expect("tracked posts fall due") - (t0 + chrono::Duration::hours(1));
    assert!(
        (0..5).contains(&due.num_seconds()),
        "due an hour after the first read: {due}"
    );

    env.emu.clock().advance(Duration::from_secs(31 * 60));
    let r = env
        .sync
        .refresh_due_metrics(Some(USER), env.emu.clock().now(), &policy)
        .await
        .unwrap();
    assert_eq!(r.results.len(), 2);
    assert!(r.results.iter().all(|x| x.outcome.is_ok()));

    let history = env.sync.metrics_history(USER, &posts[0], ..).await.unwrap();
    assert_eq!(history.len(), 2);
    assert!(history[1].fetched_at > history[0].fetched_at);
    assert!(
        history[1].views > history[0].views,
        "{:?} then {:?}",
        history[0].views,
        history[1].views
    );
    let later = env
        .sync
        .metrics_history(
            USER,
            &PostRef::new(Platform::TikTok, posts[0].post_id.clone()),
            t0 + chrono::Duration::minutes(1)..,
        )
        .await
        .unwrap();
    assert_eq!(later.len(), 1, "the range bounds the snapshots");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn youtube_units_used_up_stop_reads_before_any_request() {
    let emu = Emulator::start(EmulatorConfig {
        youtube_quota_units: 4,
        ..EmulatorConfig::default()
    })
    .await
    .unwrap();
    let mut apps = Apps::emulator_defaults();
    apps = apps.uses(Platform::YouTube, &[ScopeUse::Publish, ScopeUse::Analytics]);
    let sync = CreatorSync::builder()
        .apps(apps)
        .endpoints(emu.endpoints().clone())
        .state_secret(*b"test-state-secret-0123456789abcdef")
        .key_value_store(
            Arc::new(MemoryKeyValueStore::new()),
            Some(KeyRing::new("k1", &[7u8; 32]).unwrap()),
        )
        .build()
        .await
        .unwrap();
    let env = Env { emu, sync };
    env.connect(Platform::YouTube).await;
    let post = [PostRef::new(Platform::YouTube, "somevideo01")];
    let mut exhausted = None;
    for _ in 0..6 {
        let r = env.sync.metrics(USER, &post).await.unwrap().remove(0);
        if let Err(e) = r.outcome
            && e.code() == "QUOTA_EXHAUSTED"
        {
            exhausted = Some(e);
            break;
        }
    }
    let e = exhausted.expect("the emulator's 4 units run out");
    assert!(e.to_string().contains("units"), "{e}");
    let mark = env.emu.record().mark();
    let r = env.sync.metrics(USER, &post).await.unwrap().remove(0);
    assert_eq!(r.outcome.unwrap_err().code(), "QUOTA_EXHAUSTED");
    assert!(
        env.calls_since(Platform::YouTube, mark).is_empty(),
        "the ledger stops the read before Google is asked"
    );
}

/// X posts as the platform holds them, three hours old, each with the
/// given media keys attached.
fn x_posts_with_media(env: &Env, account: &str, keys: &[&[&str]]) -> Vec<PostRef> {
    let created = env.emu.clock().now() - chrono::Duration::hours(3);
    keys.iter()
        .enumerate()
        .map(|(i, keys)| {
            let id = format!("{}", 1_795_000_000_000_000_000u64 + i as u64);
            let mut extra = std::collections::BTreeMap::new();
            extra.insert("media_keys".to_owned(), keys.join(","));
            env.emu.record().add_post(RecordedPost {
                platform: Platform::X,
                account_id: account.to_owned(),
                post_id: id.clone(),
                text: format!("media post {i}"),
                title: None,
                media: Vec::new(),
                url: format!("https://example.invalid/{id}"),
                created_at: created,
                deleted: false,
                scheduled_for: None,
                extra,
            });
            PostRef::new(Platform::X, id).on_account(account)
        })
        .collect()
}

/// The sum of `watch_time_ms` in a post's raw media analytics, in seconds.
fn x_watch_secs(raw: &Value) -> Option<u64> {
    let items = raw["media_analytics"].as_array()?;
    let ms: u64 = items
        .iter()
        .flat_map(|i| i["timestamped_metrics"].as_array().unwrap().iter())
        .map(|b| b["metrics"]["watch_time_ms"].as_u64().unwrap())
        .sum();
    Some(ms / 1000)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn x_watch_time_comes_from_media_analytics_for_video_posts_only() {
    let env = env().await;
    let account = env.connect(Platform::X).await;
    let posts = x_posts_with_media(
        &env,
        &account,
        &[&["7_1001"], &["3_1002"], &["7_1003", "16_1004"], &[]],
    );
    let mark = env.emu.record().mark();
    let results = env.sync.metrics(USER, &posts).await.unwrap();
    assert_eq!(
        env.calls_since(Platform::X, mark),
        ["GET /2/tweets", "GET /2/media/analytics"],
        "one lookup and one media analytics call for the whole batch"
    );
    let m: Vec<&PostMetrics> = results
        .iter()
        .map(|r| r.outcome.as_ref().unwrap())
        .collect();
    for (i, m) in m.iter().enumerate() {
        assert_eq!(
            m.watch_time_secs,
            x_watch_secs(&m.raw),
            "post {i}: {}",
            m.raw
        );
    }
    assert!(m[0].watch_time_secs.unwrap() > 0, "three hours of watching");
    assert_eq!(m[1].watch_time_secs, None, "a photo has no watch time");
    assert_eq!(
        m[2].raw["media_analytics"].as_array().unwrap().len(),
        2,
        "a video and a GIF, summed"
    );
    assert_eq!(m[3].watch_time_secs, None, "no media: not reported, not 0");
    // The other counters still map as before.
    check_mapping_but_watch_time(Platform::X, m[0]);
}

/// [`check_mapping`] for the fields other than watch time.
fn check_mapping_but_watch_time(platform: Platform, m: &PostMetrics) {
    let want = expected(platform, &m.raw);
    assert_eq!(fields(m)[..7], want[..7], "{platform}: raw {}", m.raw);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn youtube_without_the_analytics_scope_names_it_and_sends_nothing() {
    let env = env_with(&[ScopeUse::Publish]).await;
    env.connect(Platform::YouTube).await;
    let mark = env.emu.record().mark();
    let r = env
        .sync
        .metrics(USER, &[PostRef::new(Platform::YouTube, "somevideo01")])
        .await
        .unwrap()
        .remove(0);
    let e = r.outcome.unwrap_err();
    assert_eq!(e.code(), "MISSING_SCOPE", "{e}");
    assert!(e.to_string().contains("yt-analytics.readonly"), "{e}");
    assert!(env.calls_since(Platform::YouTube, mark).is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn linkedin_organization_posts_read_share_statistics_in_batches() {
    let env = env_with(&[
        ScopeUse::Publish,
        ScopeUse::Analytics,
        ScopeUse::Organizations,
    ])
    .await;
    let accounts = env.connect_all(Platform::LinkedIn).await;
    let org = "10001";
    assert!(accounts.iter().any(|a| a == org), "{accounts:?}");
    let person = accounts.iter().find(|a| a.parse::<u64>().is_err()).unwrap();
    let posts = env.posts(Platform::LinkedIn, org, 250);
    let mark = env.emu.record().mark();
    let results = env.sync.metrics(USER, &posts).await.unwrap();
    assert_eq!(
        env.calls_since(Platform::LinkedIn, mark),
        vec!["GET /rest/organizationalEntityShareStatistics"; 13],
        "20 posts a call"
    );
    for (r, p) in results.iter().zip(&posts) {
        let m = r.outcome.as_ref().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(m.post_id, p.post_id);
        let t = "/totalShareStatistics";
        assert_eq!(
            fields(m),
            [
                at(&m.raw, &format!("{t}/impressionCount")),
                at(&m.raw, &format!("{t}/uniqueImpressionsCount")),
                at(&m.raw, &format!("{t}/likeCount")),
                at(&m.raw, &format!("{t}/commentCount")),
                at(&m.raw, &format!("{t}/shareCount")),
                None,
                at(&m.raw, &format!("{t}/clickCount")),
                None,
            ],
            "{}",
            m.raw
        );
        assert!(m.views.unwrap() > 0 && m.clicks.is_some());
    }
    // A member post of the same user still goes through the member API.
    let member = env.posts(Platform::LinkedIn, person, 1);
    let mark = env.emu.record().mark();
    let r = env.sync.metrics(USER, &member).await.unwrap().remove(0);
    r.outcome.unwrap();
    assert!(
        env.calls_since(Platform::LinkedIn, mark)
            .iter()
            .all(|c| c == "GET /rest/memberCreatorPostAnalytics")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn linkedin_organization_posts_need_the_admin_scope() {
    // Without the organizations use the connection lacks
    // `rw_organization_admin`: organization posts fail before any request.
    let env = env_with(&[ScopeUse::Publish, ScopeUse::Analytics]).await;
    let accounts = env.connect_all(Platform::LinkedIn).await;
    let org = accounts
        .iter()
        .find(|a| a.parse::<u64>().is_ok())
        .expect("the emulator's member administers organizations");
    let posts = env.posts(Platform::LinkedIn, org, 2);
    let mark = env.emu.record().mark();
    for r in env.sync.metrics(USER, &posts).await.unwrap() {
        let e = r.outcome.unwrap_err();
        assert_eq!(e.code(), "MISSING_SCOPE", "{e}");
        assert!(e.to_string().contains("rw_organization_admin"), "{e}");
    }
    assert!(env.calls_since(Platform::LinkedIn, mark).is_empty());
}

/// A post of `account` as the platform holds it, three hours old, with
/// the platform details `extra`.
fn add_post(env: &Env, platform: Platform, account: &str, id: &str, extra: &[(&str, &str)]) {
    env.emu.record().add_post(RecordedPost {
        platform,
        account_id: account.to_owned(),
        post_id: id.to_owned(),
        text: format!("post {id}"),
        title: None,
        media: Vec::new(),
        url: format!("https://example.invalid/{id}"),
        created_at: env.emu.clock().now() - chrono::Duration::hours(3),
        deleted: false,
        scheduled_for: None,
        extra: extra
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect(),
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn meta_watch_time_is_read_for_videos_and_reels_only() {
    let env = env().await;
    // Facebook: a video post and a text post.
    let page = env.connect(Platform::Facebook).await;
    let (video_post, text_post) = (format!("{page}_880001"), format!("{page}_880002"));
    add_post(
        &env,
        Platform::Facebook,
        &page,
        &video_post,
        &[("video_id", "5550001")],
    );
    add_post(&env, Platform::Facebook, &page, &text_post, &[]);
    let posts = [
        PostRef::new(Platform::Facebook, video_post).on_account(&page),
        PostRef::new(Platform::Facebook, text_post).on_account(&page),
    ];
    let mark = env.emu.record().mark();
    let r = env.sync.metrics(USER, &posts).await.unwrap();
    assert_eq!(
        env.calls_since(Platform::Facebook, mark).len(),
        2,
        "posts, then videos"
    );
    let video = r[0].outcome.as_ref().unwrap();
    let ms = video.raw["watch_video_insights"]["data"][0]["values"][0]["value"]
        .as_u64()
        .unwrap();
    assert!(ms > 0);
    assert_eq!(
        video.watch_time_secs,
        Some(ms / 1000),
        "milliseconds to seconds"
    );
    check_mapping_but_watch_time(Platform::Facebook, video);
    assert_eq!(r[1].outcome.as_ref().unwrap().watch_time_secs, None);

    // Instagram: a reel and a feed photo.
    let ig = env.connect(Platform::Instagram).await;
    add_post(
        &env,
        Platform::Instagram,
        &ig,
        "17900000000000001",
        &[("media_type", "REELS")],
    );
    add_post(
        &env,
        Platform::Instagram,
        &ig,
        "17900000000000002",
        &[("media_type", "IMAGE")],
    );
    let posts = [
        PostRef::new(Platform::Instagram, "17900000000000001").on_account(&ig),
        PostRef::new(Platform::Instagram, "17900000000000002").on_account(&ig),
    ];
    let mark = env.emu.record().mark();
    let r = env.sync.metrics(USER, &posts).await.unwrap();
    assert_eq!(
        env.calls_since(Platform::Instagram, mark).len(),
        2,
        "media, then reels"
    );
    let reel = r[0].outcome.as_ref().unwrap();
    assert_eq!(reel.raw["media_product_type"], "REELS");
    let ms = insight(
        &serde_json::json!({ "insights": reel.raw["watch_insights"] }),
        "ig_reels_video_view_total_time",
    );
    assert_eq!(reel.watch_time_secs, ms.map(|ms| ms / 1000));
    assert!(reel.watch_time_secs.is_some());
    check_mapping_but_watch_time(Platform::Instagram, reel);
    let photo = r[1].outcome.as_ref().unwrap();
    assert_eq!(photo.raw["media_product_type"], "FEED");
    assert_eq!(
        photo.watch_time_secs, None,
        "no watch-time metric for feed media"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn watch_time_adds_one_call_per_batch_of_videos() {
    let env = env().await;
    // X: 250 video posts, 100 a lookup and 100 keys a media analytics call.
    let account = env.connect(Platform::X).await;
    let keys: Vec<String> = (0..250).map(|i| format!("7_{}", 4_000 + i)).collect();
    let per_post: Vec<[&str; 1]> = keys.iter().map(|k| [k.as_str()]).collect();
    let refs: Vec<&[&str]> = per_post.iter().map(|k| &k[..]).collect();
    let posts = x_posts_with_media(&env, &account, &refs);
    let mark = env.emu.record().mark();
    let results = env.sync.metrics(USER, &posts).await.unwrap();
    let calls = env.calls_since(Platform::X, mark);
    assert_eq!(
        calls.iter().filter(|c| *c == "GET /2/tweets").count(),
        3,
        "{calls:?}"
    );
    assert_eq!(
        calls
            .iter()
            .filter(|c| *c == "GET /2/media/analytics")
            .count(),
        3,
        "{calls:?}"
    );
    assert!(
        results
            .iter()
            .all(|r| r.outcome.as_ref().unwrap().watch_time_secs.is_some())
    );

    // Instagram: 250 reels, 50 a read, then 50 reels a watch-time read.
    let ig = env.connect(Platform::Instagram).await;
    let posts: Vec<PostRef> = (0..250)
        .map(|i| {
            let id = format!("{}", 17_910_000_000_000_000u64 + i);
            add_post(
                &env,
                Platform::Instagram,
                &ig,
                &id,
                &[("media_type", "REELS")],
            );
            PostRef::new(Platform::Instagram, id).on_account(&ig)
        })
        .collect();
    let mark = env.emu.record().mark();
    let results = env.sync.metrics(USER, &posts).await.unwrap();
    assert_eq!(env.calls_since(Platform::Instagram, mark).len(), 10);
    assert!(
        results
            .iter()
            .all(|r| r.outcome.as_ref().unwrap().watch_time_secs.is_some())
    );
}
