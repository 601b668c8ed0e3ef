//! Instagram client against the emulator: feed image, reel, story and
//! carousel from public URLs; fallbacks when Meta cannot fetch (re-hosting
//! through an `ObjectStoreMediaHost` served over loopback, resumable upload
//! for videos); processing failures, quota, lost responses, rate limits and
//! revoked tokens.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use bytes::Bytes;
use creatorsync::http::{Endpoints, HttpClient};
use creatorsync::platforms::instagram::InstagramClient;
use creatorsync::progress::Progress;
use creatorsync::upload::{MemoryUploadSessions, PollConfig, UploadConfig};
use creatorsync::{
    AccountKey, ClientConfig, Credential, Error, InstagramKind, Media, MediaInfo, MediaKind,
    MediaSource, ObjectStoreMediaHost, Platform, PlatformClient, PlatformOptions, Post, Profile,
    PublishRequest, Published, Secret, StoredToken,
};
use creatorsync_emulator::{Emulator, EmulatorConfig, Fault, FaultKind, RunningEmulator};
use serde_json::Value;
use url::Url;

const P: Platform = Platform::Instagram;
const IG: &str = "17841400000000001";
const SECRET: &str = "cs-test-facebook-secret";

// ---- small helpers (tests/common/mod.rs belongs to the other clients helper) ----

/// Bytes in memory, optionally with a public URL.
#[derive(Debug)]
struct Mem {
    bytes: Vec<u8>,
    mime: &'static str,
    url: Option<Url>,
}

#[async_trait]
impl MediaSource for Mem {
    async fn describe(&self) -> creatorsync::Result<MediaInfo> {
        let kind = if self.mime.starts_with("video/") {
            MediaKind::Video
        } else {
            MediaKind::Image
        };
        Ok(MediaInfo {
            len: self.bytes.len() as u64,
            mime: self.mime.into(),
            name: None,
            kind,
        })
    }
    async fn read_range(&self, offset: u64, len: u64) -> creatorsync::Result<Bytes> {
        let s = (offset as usize).min(self.bytes.len());
        let e = (s + len as usize).min(self.bytes.len());
        Ok(Bytes::copy_from_slice(&self.bytes[s..e]))
    }
    fn public_url(&self) -> Option<&Url> {
        self.url.as_ref()
    }
}

fn jpeg(n: usize, seed: u8) -> Vec<u8> {
    let mut v: Vec<u8> = (0..n)
        .map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed))
        .collect();
    v[..3].copy_from_slice(&[0xFF, 0xD8, 0xFF]);
    v
}

fn video(n: usize) -> Vec<u8> {
    (0..n).map(|i| (i % 251) as u8).collect()
}

fn sha(b: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(b))
}

/// Serves the files of `dir` at `http://127.0.0.1:P/files/...`.
async fn file_server(dir: PathBuf) -> (Url, String) {
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
    (
        Url::parse(&format!("http://{addr}/files/")).unwrap(),
        addr.to_string(),
    )
}

/// Writes `bytes` into `dir/name` and returns its URL on `base`.
fn put_file(dir: &std::path::Path, base: &Url, name: &str, bytes: &[u8]) -> Url {
    std::fs::write(dir.join(name), bytes).unwrap();
    base.join(name).unwrap()
}

fn proof(token: &str) -> String {
    use hmac::Mac;
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(SECRET.as_bytes()).unwrap();
    mac.update(token.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// Facebook Login on the emulator → the page token of page 1001, modelled
/// as the Instagram account (contract: account_id = IG user id).
async fn connect(emu: &RunningEmulator) -> StoredToken {
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let fb = format!("{}v21.0", emu.endpoints().get(Platform::Facebook).api);
    let redirect = "http://127.0.0.1:9/cb";
    let r = http
        .get(format!("{fb}/dialog/oauth"))
        .query(&[
            ("client_id", "cs-test-facebook"),
            ("redirect_uri", redirect),
            ("state", "s"),
            (
                "scope",
                "pages_show_list,instagram_basic,instagram_content_publish",
            ),
        ])
        .send()
        .await
        .unwrap();
    let loc = Url::parse(r.headers()["location"].to_str().unwrap()).unwrap();
    let code = loc
        .query_pairs()
        .find(|(k, _)| k == "code")
        .unwrap()
        .1
        .into_owned();
    let v: Value = http
        .get(format!("{fb}/oauth/access_token"))
        .query(&[
            ("client_id", "cs-test-facebook"),
            ("client_secret", SECRET),
            ("redirect_uri", redirect),
            ("code", &code),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let user = v["access_token"].as_str().unwrap().to_owned();
    let v: Value = http
        .get(format!("{fb}/me/accounts"))
        .query(&[
            ("fields", "id,name,access_token,instagram_business_account"),
            ("access_token", &user),
            ("appsecret_proof", &proof(&user)),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let page = v["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["instagram_business_account"]["id"] == IG)
        .expect("page with IG account")
        .clone();
    let mut t = StoredToken::new(
        AccountKey::new("user-1", P, IG).unwrap(),
        Credential::OAuth2 {
            access: Secret::new(page["access_token"].as_str().unwrap().to_owned()),
            refresh: None,
            expires_at: None,
            refresh_expires_at: None,
            scopes: vec![],
            user_token: None,
        },
        Profile {
            platform_user_id: IG.into(),
            handle: Some("demo.creator".into()),
            kind: Some("instagram_business".into()),
            ..Profile::default()
        },
    );
    t.metadata
        .insert("page_id".into(), page["id"].as_str().unwrap().to_owned());
    t
}

fn config(endpoints: Endpoints) -> ClientConfig {
    ClientConfig {
        http: HttpClient::default(),
        endpoints,
        client_id: "cs-test-facebook".into(),
        client_secret: Secret::new(SECRET.to_owned()),
        consumer: None,
        api_version: None,
        upload: UploadConfig {
            retry_backoff: Duration::from_millis(5),
            ..UploadConfig::default()
        },
        poll: PollConfig {
            initial: Duration::from_millis(20),
            max_interval: Duration::from_millis(100),
            deadline: Duration::from_secs(30),
        },
    }
}

async fn media(bytes: Vec<u8>, mime: &'static str, url: Option<Url>) -> Media {
    Media::new(Mem { bytes, mime, url }).await.unwrap()
}

struct Env {
    emu: RunningEmulator,
    client: InstagramClient,
    account: StoredToken,
    _dir: tempfile::TempDir,
    dir: PathBuf,
    files: Url,
    files_host: String,
}

/// Emulator + client + a loopback file server (the "public" media host),
/// plus a second directory served for the MediaHost.
async fn setup(
    cfg: EmulatorConfig,
    with_host: bool,
) -> (Env, Option<(PathBuf, tempfile::TempDir)>) {
    let emu = Emulator::start(cfg).await.unwrap();
    let account = connect(&emu).await;
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().to_path_buf();
    let (files, files_host) = file_server(dir.clone()).await;
    let mut client = InstagramClient::new(config(emu.endpoints().get(Platform::Instagram).clone()));
    let mut host_dir = None;
    if with_host {
        let htmp = tempfile::tempdir().unwrap();
        let (hurl, _) = file_server(htmp.path().to_path_buf()).await;
        let host = ObjectStoreMediaHost::local(htmp.path(), hurl).unwrap();
        client = client.with_media_host(Arc::new(host));
        host_dir = Some((htmp.path().to_path_buf(), htmp));
    }
    (
        Env {
            emu,
            client,
            account,
            _dir: tmp,
            dir,
            files,
            files_host,
        },
        host_dir,
    )
}

async fn publish(env: &Env, post: &Post) -> creatorsync::Result<Published> {
    env.client
        .publish(PublishRequest {
            account: &env.account,
            post,
            progress: Progress::none(),
            sessions: Arc::new(MemoryUploadSessions::new()),
            session_key: "job-1:instagram".into(),
            commit: Default::default(),
            tokens: Default::default(),
        })
        .await
}

fn kind(k: InstagramKind) -> PlatformOptions {
    let mut o = PlatformOptions::default();
    o.instagram.kind = k;
    o
}

// ---- tests ----

#[tokio::test]
async fn feed_image_reel_story_and_carousel_from_public_urls() {
    let (env, _) = setup(EmulatorConfig::default(), false).await;
    let img = jpeg(5000, 1);
    let u = put_file(&env.dir, &env.files, "a.jpg", &img);
    let post = Post::text("hello ig").with_media(
        media(img.clone(), "image/jpeg", Some(u.clone()))
            .await
            .with_alt_text("a test"),
    );
    let p = publish(&env, &post).await.unwrap();
    assert!(
        p.url.starts_with("https://www.instagram.com/p/"),
        "{}",
        p.url
    );
    let rec = env.emu.record().post(P, &p.post_id).unwrap();
    assert_eq!(rec.text, "hello ig");
    assert_eq!(rec.media[0].sha256, sha(&img));

    let v = video(40_000);
    let vu = put_file(&env.dir, &env.files, "v.mp4", &v);
    let reel =
        Post::text("a reel").with_media(media(v.clone(), "video/mp4", Some(vu.clone())).await);
    let p = publish(&env, &reel).await.unwrap();
    assert!(
        p.url.starts_with("https://www.instagram.com/reel/"),
        "{}",
        p.url
    );
    assert_eq!(
        env.emu.record().post(P, &p.post_id).unwrap().extra["media_type"],
        "REELS"
    );

    let story = Post::text("")
        .with_media(media(img.clone(), "image/jpeg", Some(u.clone())).await)
        .with_options(kind(InstagramKind::Story));
    let p = publish(&env, &story).await.unwrap();
    assert_eq!(
        env.emu.record().post(P, &p.post_id).unwrap().extra["media_type"],
        "STORIES"
    );

    let img2 = jpeg(3000, 7);
    let u2 = put_file(&env.dir, &env.files, "b.jpg", &img2);
    let carousel = Post::text("three items")
        .with_media(media(img.clone(), "image/jpeg", Some(u)).await)
        .with_media(media(img2.clone(), "image/jpeg", Some(u2)).await)
        .with_media(media(v.clone(), "video/mp4", Some(vu)).await);
    let p = publish(&env, &carousel).await.unwrap();
    let rec = env.emu.record().post(P, &p.post_id).unwrap();
    assert_eq!(rec.extra["media_type"], "CAROUSEL");
    let shas: Vec<_> = rec.media.iter().map(|m| m.sha256.clone()).collect();
    assert_eq!(shas, vec![sha(&img), sha(&img2), sha(&v)]);
    assert_eq!(env.emu.record().posts_for(P).len(), 4);

    // find_recent sees the carousel; delete is not offered by the API.
    let since = chrono::Utc::now() - chrono::Duration::minutes(1);
    let found = env
        .client
        .find_recent(&env.account, &carousel, since)
        .await
        .unwrap();
    assert_eq!(found, Some(p.clone()));
    let err = env
        .client
        .delete(&env.account, &p.post_id)
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Unsupported {
                platform: Platform::Instagram,
                ..
            }
        ),
        "{err}"
    );
    env.emu.shutdown().await;
}

#[tokio::test]
async fn unreachable_media_host_falls_back_to_rehosting_and_resumable_upload() {
    let (env, host) = setup(EmulatorConfig::default(), true).await;
    let (host_dir, _keep) = host.unwrap();
    let img = jpeg(6000, 3);
    let v = video(300_000);
    let iu = put_file(&env.dir, &env.files, "a.jpg", &img);
    let vu = put_file(&env.dir, &env.files, "v.mp4", &v);
    env.emu
        .faults()
        .set_host_unreachable(env.files_host.clone(), true);

    // Image: the container fails with 2207052, the image is re-hosted.
    let post = Post::text("rehosted").with_media(media(img.clone(), "image/jpeg", Some(iu)).await);
    let p = publish(&env, &post).await.unwrap();
    assert_eq!(
        env.emu.record().post(P, &p.post_id).unwrap().media[0].sha256,
        sha(&img)
    );
    let hosted: Vec<_> = walk(&host_dir);
    assert_eq!(hosted.len(), 1, "one object re-hosted");

    // Video: falls back to the resumable upload.
    let reel =
        Post::text("uploaded reel").with_media(media(v.clone(), "video/mp4", Some(vu)).await);
    let p = publish(&env, &reel).await.unwrap();
    assert_eq!(
        env.emu.record().post(P, &p.post_id).unwrap().media[0].sha256,
        sha(&v)
    );
    let chunks = env.emu.record().chunks_for(P);
    assert_eq!(chunks.len(), 1);
    assert!(chunks[0].complete && chunks[0].len == v.len() as u64);
    assert_eq!(env.emu.record().posts_for(P).len(), 2);
    env.emu.shutdown().await;
}

fn walk(dir: &std::path::Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        if e.path().is_dir() {
            out.extend(walk(&e.path()));
        } else {
            out.push(e.path());
        }
    }
    out
}

#[tokio::test]
async fn sources_without_urls_use_the_media_host_or_fail_clearly() {
    let (env, _host) = setup(EmulatorConfig::default(), true).await;
    let img = jpeg(4000, 9);
    let post = Post::text("no url").with_media(media(img.clone(), "image/jpeg", None).await);
    let p = publish(&env, &post).await.unwrap();
    assert_eq!(
        env.emu.record().post(P, &p.post_id).unwrap().media[0].sha256,
        sha(&img)
    );

    let bare = InstagramClient::new(config(env.emu.endpoints().get(Platform::Instagram).clone()));
    let err = bare
        .publish(PublishRequest {
            account: &env.account,
            post: &post,
            progress: Progress::none(),
            sessions: Arc::new(MemoryUploadSessions::new()),
            session_key: "k".into(),
            commit: Default::default(),
            tokens: Default::default(),
        })
        .await
        .unwrap_err();
    match err {
        Error::Config(m) => assert!(m.contains("with_media_host"), "{m}"),
        other => panic!("expected Config, got {other}"),
    }
    assert_eq!(env.emu.record().posts_for(P).len(), 1);
    env.emu.shutdown().await;
}

#[tokio::test]
async fn resumable_video_upload_resumes_after_a_cut() {
    let (env, _) = setup(EmulatorConfig::default(), false).await;
    let v = video(2_000_000);
    env.emu.faults().inject(
        P,
        Fault::once(FaultKind::ResetAfterBytes { bytes: 800_000 }).on_path("/ig-api-upload/"),
    );
    let reel = Post::text("cut reel").with_media(media(v.clone(), "video/mp4", None).await);
    let p = publish(&env, &reel).await.unwrap();
    let chunks = env.emu.record().chunks_for(P);
    assert_eq!(chunks.len(), 2, "{chunks:?}");
    assert!(!chunks[0].complete);
    // The emulator keeps nothing of a cut body: the client resumes at its offset (0).
    assert_eq!(chunks[1].offset, 0);
    assert!(chunks[1].complete && chunks[1].len == v.len() as u64);
    assert_eq!(
        env.emu.record().post(P, &p.post_id).unwrap().media[0].sha256,
        sha(&v)
    );
    assert_eq!(env.emu.record().posts_for(P).len(), 1);
    env.emu.shutdown().await;
}

#[tokio::test]
async fn processing_failure_is_media_rejected() {
    let (env, _) = setup(EmulatorConfig::default(), false).await;
    env.emu
        .faults()
        .inject(P, Fault::once(FaultKind::FailProcessing));
    let v = video(10_000);
    let vu = put_file(&env.dir, &env.files, "v.mp4", &v);
    let reel = Post::text("fails").with_media(media(v, "video/mp4", Some(vu)).await);
    let err = publish(&env, &reel).await.unwrap_err();
    match err {
        Error::MediaRejected { code, .. } => assert_eq!(code.as_deref(), Some("2207082")),
        other => panic!("expected MediaRejected, got {other}"),
    }
    assert!(env.emu.record().posts_for(P).is_empty());
    env.emu.shutdown().await;
}

#[tokio::test]
async fn quota_lost_answers_rate_limits_and_revoked_tokens() {
    let (env, _) = setup(
        EmulatorConfig {
            instagram_publish_limit: 2,
            ..EmulatorConfig::default()
        },
        false,
    )
    .await;
    let img = jpeg(3000, 5);
    let u = put_file(&env.dir, &env.files, "a.jpg", &img);

    // The publish answer is lost: reconciled, one post.
    env.emu.faults().inject(
        P,
        Fault::once(FaultKind::LoseResponse).on_path("/media_publish"),
    );
    let post = Post::text("lost answer")
        .with_media(media(img.clone(), "image/jpeg", Some(u.clone())).await);
    let p = publish(&env, &post).await.unwrap();
    assert_eq!(env.emu.record().posts_for(P).len(), 1);
    assert_eq!(env.emu.record().posts_for(P)[0].post_id, p.post_id);

    // 429 with Retry-After on the publish call is waited out.
    env.emu.faults().inject(
        P,
        Fault::once(FaultKind::RateLimit {
            retry_after_secs: 1,
        })
        .on_path("/media_publish"),
    );
    let t = Instant::now();
    let post2 = Post::text("after a 429")
        .with_media(media(img.clone(), "image/jpeg", Some(u.clone())).await);
    publish(&env, &post2).await.unwrap();
    assert!(t.elapsed() >= Duration::from_millis(950));
    assert_eq!(env.emu.record().posts_for(P).len(), 2);

    // The quota (2 per 24 h) is used up: QuotaExhausted before any container.
    let post3 = Post::text("over quota")
        .with_media(media(img.clone(), "image/jpeg", Some(u.clone())).await);
    let err = publish(&env, &post3).await.unwrap_err();
    assert!(
        matches!(err, Error::QuotaExhausted { limit: Some(2), .. }),
        "{err}"
    );
    assert_eq!(env.emu.record().posts_for(P).len(), 2);

    // A revoked token: ReauthRequired, nothing published.
    env.emu.tokens().revoke_all(Platform::Facebook, None);
    let err = publish(&env, &post3).await.unwrap_err();
    assert!(matches!(err, Error::ReauthRequired { .. }), "{err}");
    assert_eq!(env.emu.record().posts_for(P).len(), 2);
    env.emu.shutdown().await;
}

// ---- Instagram Login: the second connection mode, through CreatorSync ----

mod instagram_login {
    use std::sync::Arc;
    use std::time::Duration;

    use creatorsync::auth::{AppCredentials, Apps};
    use creatorsync::media_host::ObjectStoreMediaHost;
    use creatorsync::publish_log::MemoryPublishLog;
    use creatorsync::upload::PollConfig;
    use creatorsync::{
        AccountKey, CreatorSync, Credential, Error, FileSource, Media, MemoryTokenStore, Platform,
        Post, Target, TokenStore, TrialGraduation,
    };
    use creatorsync_emulator::{
        Emulator, EmulatorConfig, MediaServer, RecordedPost, RunningEmulator,
    };

    use super::{IG, jpeg, video};

    struct Env {
        emu: RunningEmulator,
        store: Arc<MemoryTokenStore>,
        dir: tempfile::TempDir,
        media: MediaServer,
    }

    impl Env {
        async fn new(config: EmulatorConfig) -> Env {
            let emu = Emulator::start(config).await.unwrap();
            let dir = tempfile::tempdir().unwrap();
            std::fs::create_dir_all(dir.path().join("public")).unwrap();
            let media = MediaServer::start(&dir.path().join("public"))
                .await
                .unwrap();
            Env {
                emu,
                store: Arc::new(MemoryTokenStore::new()),
                dir,
                media,
            }
        }

        /// A client on the shared store; `instagram_login` makes Instagram
        /// connect with Instagram Login.
        async fn sync(&self, instagram_login: bool) -> CreatorSync {
            let mut apps = Apps::emulator_defaults();
            if instagram_login {
                let app = self.emu.instagram_login_app();
                apps = apps
                    .with_instagram_login(AppCredentials::new(app.client_id, app.client_secret));
            }
            let host = ObjectStoreMediaHost::local(
                self.dir.path().join("public"),
                self.media.url().clone(),
            )
            .unwrap();
            CreatorSync::builder()
                .apps(apps)
                .endpoints(self.emu.endpoints().clone())
                .state_secret(*b"test-state-secret-0123456789abcdef")
                .store(self.store.clone())
                .publish_log(Arc::new(MemoryPublishLog::new()))
                .media_host(Arc::new(host))
                .poll(PollConfig {
                    initial: Duration::from_millis(20),
                    max_interval: Duration::from_millis(100),
                    deadline: Duration::from_secs(30),
                })
                .build()
                .await
                .unwrap()
        }

        async fn connect(&self, sync: &CreatorSync, user: &str) -> String {
            let req = sync
                .connector()
                .begin(user, Platform::Instagram, "http://127.0.0.1:9/callback")
                .await
                .unwrap();
            let callback = self.emu.approve(req.url.as_str()).await.unwrap();
            let accounts = sync
                .connector()
                .complete_from_url(user, Platform::Instagram, &callback)
                .await
                .unwrap();
            assert_eq!(accounts.len(), 1);
            req.url.to_string()
        }

        async fn file(&self, name: &str, bytes: &[u8]) -> Media {
            let path = self.dir.path().join(name);
            std::fs::write(&path, bytes).unwrap();
            Media::new(FileSource::new(path)).await.unwrap()
        }

        async fn publish(&self, sync: &CreatorSync, user: &str, post: &Post) -> RecordedPost {
            let report = sync
                .publish(user, post)
                .targets(vec![Target::Platform(Platform::Instagram)])
                .await
                .unwrap();
            let (_, published) = report.published().next().unwrap_or_else(|| {
                panic!("not published: {:?}", report.failed().collect::<Vec<_>>())
            });
            self.emu
                .record()
                .post(Platform::Instagram, &published.post_id)
                .unwrap()
        }

        fn key(user: &str) -> AccountKey {
            AccountKey::new(user, Platform::Instagram, IG).unwrap()
        }
    }

    fn rupload_calls(emu: &RunningEmulator) -> usize {
        emu.record()
            .requests_for(Platform::Instagram)
            .iter()
            .filter(|r| r.path.contains("ig-api-upload"))
            .count()
    }

    #[tokio::test]
    async fn a_long_lived_token_is_renewed_in_its_last_30_days_not_its_last_minutes() {
        let env = Env::new(EmulatorConfig::default()).await;
        let sync = env.sync(true).await;
        env.connect(&sync, "ig-user").await;
        let key = Env::key("ig-user");
        let tokens = sync.connector().tokens();
        // Fresh: 60 days left, used as is.
        let row = env.store.get(&key).await.unwrap().unwrap();
        assert_eq!(
            tokens.usable(&key).await.unwrap().credential,
            row.credential
        );
        // 20 days left (far outside the 5-minute skew), and older than the
        // 24 h Instagram asks before a refresh: renewed on this use.
        let mut aging = row.clone();
        if let Credential::OAuth2 { expires_at, .. } = &mut aging.credential {
            *expires_at = Some(chrono::Utc::now() + chrono::Duration::days(20));
        }
        env.store.put(&aging, Some(row.version)).await.unwrap();
        env.emu.clock().advance(Duration::from_secs(25 * 3600));
        let renewed = tokens.usable(&key).await.unwrap();
        assert_ne!(renewed.credential, aging.credential);
        let left = (renewed.credential.expires_at().unwrap() - chrono::Utc::now()).num_days();
        assert!(left >= 58, "{left} days left after renewal");
    }

    #[tokio::test]
    async fn connects_refreshes_and_publishes_image_reel_and_carousel() {
        let env = Env::new(EmulatorConfig::default()).await;
        let sync = env.sync(true).await;
        let authorize = env.connect(&sync, "ig-user").await;
        assert!(authorize.contains("/oauth/authorize?"), "{authorize}");
        assert!(
            authorize.contains("instagram_business_content_publish"),
            "{authorize}"
        );
        assert!(authorize.contains("cs-test-instagram-login"), "{authorize}");
        let row = env.store.get(&Env::key("ig-user")).await.unwrap().unwrap();
        assert_eq!(
            row.metadata.get("login").map(String::as_str),
            Some("instagram")
        );
        assert_eq!(row.profile.handle.as_deref(), Some("demo.creator"));
        let Credential::OAuth2 {
            access,
            refresh,
            expires_at,
            ..
        } = &row.credential
        else {
            panic!("not OAuth 2.0")
        };
        // The long-lived token renews itself.
        assert_eq!(refresh.as_ref().map(|r| r.expose()), Some(access.expose()));
        let days = (expires_at.unwrap() - chrono::Utc::now()).num_days();
        assert!((58..=60).contains(&days), "{days}");

        // Refresh through the token manager, once the token is 24 h old.
        env.emu.clock().advance(Duration::from_secs(25 * 3600));
        let fresh = sync
            .connector()
            .tokens()
            .refresh_rejected(&row)
            .await
            .unwrap();
        assert_ne!(fresh.credential, row.credential);
        assert_eq!(
            fresh.metadata.get("login").map(String::as_str),
            Some("instagram")
        );

        // An image with alt text (re-hosted: a file has no public URL).
        let post = Post::text("ig login image").with_media(
            env.file("a.jpg", &jpeg(5000, 1))
                .await
                .with_alt_text("a red bicycle"),
        );
        let rec = env.publish(&sync, "ig-user", &post).await;
        assert_eq!(rec.extra["alt_text"], r#"["a red bicycle"]"#);
        assert_eq!(rec.extra["media_type"], "IMAGE");

        // A trial reel: the video goes by URL, never by rupload.
        let mut post =
            Post::text("ig login reel").with_media(env.file("v.mp4", &video(300_000)).await);
        post.options.instagram.trial_graduation = Some(TrialGraduation::Manual);
        let rec = env.publish(&sync, "ig-user", &post).await;
        assert_eq!(rec.extra["media_type"], "REELS");
        assert_eq!(rec.extra["trial_graduation"], "MANUAL");
        assert_eq!(rec.media[0].sha256, super::sha(&video(300_000)));

        // A carousel with alt text on one image.
        let post = Post::text("ig login carousel")
            .with_media(
                env.file("b.jpg", &jpeg(3000, 2))
                    .await
                    .with_alt_text("first"),
            )
            .with_media(env.file("c.jpg", &jpeg(3000, 3)).await);
        let rec = env.publish(&sync, "ig-user", &post).await;
        assert_eq!(rec.extra["media_type"], "CAROUSEL");
        assert_eq!(rec.extra["alt_text"], r#"["first",null]"#);
        assert_eq!(rupload_calls(&env.emu), 0);

        // A trial "reel" that is an image is refused before any call.
        let mut post = Post::text("not a reel").with_media(env.file("d.jpg", &jpeg(900, 4)).await);
        post.options.instagram.trial_graduation = Some(TrialGraduation::SsPerformance);
        let err = sync
            .publish("ig-user", &post)
            .targets(vec![Target::Platform(Platform::Instagram)])
            .await
            .unwrap_err();
        let Error::InvalidPost { violations } = err else {
            panic!("{err}")
        };
        assert_eq!(violations[0].code, "trial_requires_reel");
    }

    #[tokio::test]
    async fn an_expiring_token_is_refreshed_before_publishing() {
        // Tokens of 4 minutes (under the 5-minute skew) that may be
        // refreshed at once: every publish refreshes first.
        let mut config = EmulatorConfig {
            instagram_refresh_min_age: Duration::ZERO,
            ..EmulatorConfig::default()
        };
        config.lifetimes.retain(|(p, _)| *p != Platform::Instagram);
        config.lifetimes.push((
            Platform::Instagram,
            creatorsync_emulator::TokenLifetimes {
                access: Some(Duration::from_secs(240)),
                refresh: None,
            },
        ));
        let env = Env::new(config).await;
        let sync = env.sync(true).await;
        env.connect(&sync, "ig-user").await;
        let before = env.store.get(&Env::key("ig-user")).await.unwrap().unwrap();
        let post = Post::text("after a refresh").with_media(env.file("a.jpg", &jpeg(900, 5)).await);
        env.publish(&sync, "ig-user", &post).await;
        let after = env.store.get(&Env::key("ig-user")).await.unwrap().unwrap();
        assert_ne!(after.credential, before.credential, "no refresh happened");
        assert!(!after.needs_reauth);
    }

    #[tokio::test]
    async fn each_account_keeps_the_mode_that_connected_it() {
        let env = Env::new(EmulatorConfig::default()).await;
        // Connected with Facebook Login (the default) ...
        let facebook = env.sync(false).await;
        let authorize = env.connect(&facebook, "fb-user").await;
        assert!(authorize.contains("/dialog/oauth?"), "{authorize}");
        let row = env.store.get(&Env::key("fb-user")).await.unwrap().unwrap();
        assert!(!row.metadata.contains_key("login"));
        // ... then the app switches to Instagram Login for new connections.
        let sync = env.sync(true).await;
        env.connect(&sync, "ig-user").await;
        let mark = env.emu.record().mark();
        for user in ["fb-user", "ig-user"] {
            let post = Post::text(format!("from {user}"))
                .with_media(env.file(&format!("{user}.jpg"), &jpeg(900, 6)).await);
            env.publish(&sync, user, &post).await;
        }
        // The Facebook Login account published with its page token (signed
        // with the Meta app's proof), the other with its own token.
        let _ = row;
        let tokens: Vec<(String, bool)> = env
            .emu
            .record()
            .requests_since(mark)
            .iter()
            .filter(|r| r.platform == Platform::Instagram && r.path.ends_with("/media_publish"))
            .map(|r| (r.path.clone(), r.status == 200))
            .collect();
        assert_eq!(tokens.len(), 2, "{tokens:?}");
        // (Through the other mode's module its page token would be signed
        // with the wrong app secret and refused.)
        assert!(tokens.iter().all(|(_, ok)| *ok), "{tokens:?}");
    }
}
