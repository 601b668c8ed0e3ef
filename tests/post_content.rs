//! Alt text, link previews and mentions on every platform, against the
//! emulator through the publisher (`docs/post-content.md`).

#[allow(dead_code)]
#[path = "publisher/support.rs"]
mod support;

use creatorsync::{Error, LinkPreview, Mention, Platform, Post, PublishReport, Target, validate};
use creatorsync_emulator::MediaServer;
use creatorsync_emulator::little;
use serde_json::Value;
use support::{Env, USER, jpeg};

fn li_person() -> Target {
    Target::Account {
        platform: Platform::LinkedIn,
        account_id: "li-demo-person".into(),
    }
}

fn fb_page() -> Target {
    Target::Account {
        platform: Platform::Facebook,
        account_id: "1001".into(),
    }
}

async fn publish(env: &Env, post: &Post, targets: Vec<Target>) -> PublishReport {
    let report = env
        .sync
        .publish(USER, post)
        .targets(targets)
        .await
        .expect("publish");
    assert!(report.all_ok(), "{report:#?}");
    report
}

fn recorded(
    env: &Env,
    report: &PublishReport,
    platform: Platform,
) -> creatorsync_emulator::RecordedPost {
    let (_, p) = report
        .published()
        .find(|(k, _)| k.platform == platform)
        .unwrap_or_else(|| panic!("{platform} not published: {report:#?}"));
    env.emu
        .record()
        .post(platform, &p.post_id)
        .expect("recorded")
}

fn codes(post: &Post, p: Platform) -> Vec<String> {
    validate(post, p).into_iter().map(|v| v.code).collect()
}

fn ada() -> Mention {
    Mention::new("Ada (L)")
        .with_id(Platform::X, "ada_l")
        .with_id(Platform::LinkedIn, "urn:li:person:ada1")
        .with_id(Platform::Facebook, "ada.l")
        .with_id(Platform::Instagram, "ada.l")
}

#[tokio::test]
async fn alt_text_reaches_linkedin_facebook_and_instagram() {
    let env = Env::new().await;
    let image = env
        .file_media("a.jpg", &jpeg(40_000))
        .await
        .with_alt_text("A red bicycle");
    let post = Post::text("Alt text everywhere").with_media(image);
    let report = publish(
        &env,
        &post,
        vec![
            li_person(),
            fb_page(),
            Target::Platform(Platform::Instagram),
        ],
    )
    .await;
    let li = recorded(&env, &report, Platform::LinkedIn);
    let content: Value = serde_json::from_str(&li.extra["content"]).unwrap();
    assert_eq!(content["media"]["altText"], "A red bicycle");
    let fb = recorded(&env, &report, Platform::Facebook);
    assert_eq!(fb.extra["alt_text_custom"], r#"["A red bicycle"]"#);
    let ig = recorded(&env, &report, Platform::Instagram);
    assert_eq!(ig.extra["alt_text"], r#"["A red bicycle"]"#);
}

#[tokio::test]
async fn an_instagram_story_image_publishes_without_its_alt_text() {
    // Meta refuses alt_text on story containers; the SDK used to send it.
    let env = Env::new().await;
    let image = env
        .file_media("s.jpg", &jpeg(40_000))
        .await
        .with_alt_text("A story frame");
    let mut post = Post::text("").with_media(image);
    post.options.instagram.kind = creatorsync::InstagramKind::Story;
    let report = publish(&env, &post, vec![Target::Platform(Platform::Instagram)]).await;
    let ig = recorded(&env, &report, Platform::Instagram);
    assert!(!ig.extra.contains_key("alt_text"), "{:?}", ig.extra);
}

#[tokio::test]
async fn over_long_alt_text_is_refused_per_platform_before_any_request() {
    let env = Env::new().await;
    let long = |n: usize| "a".repeat(n);
    for (platform, max) in [
        (Platform::X, 1000),
        (Platform::LinkedIn, 4086),
        (Platform::Instagram, 2200),
    ] {
        let ok = Post::text("t").with_media(
            env.file_media("i.jpg", &jpeg(40_000))
                .await
                .with_alt_text(long(max)),
        );
        assert!(
            !codes(&ok, platform).contains(&"alt_text_too_long".to_owned()),
            "{platform}"
        );
        let bad = Post::text("t").with_media(
            env.file_media("i.jpg", &jpeg(40_000))
                .await
                .with_alt_text(long(max + 1)),
        );
        let v = validate(&bad, platform);
        let hit = v
            .iter()
            .find(|v| v.code == "alt_text_too_long")
            .unwrap_or_else(|| panic!("{platform}: {v:?}"));
        assert_eq!(hit.field, "media[0].alt_text");
    }
    // Facebook documents no limit; YouTube and TikTok take no alt text.
    let huge = Post::text("t").with_media(
        env.file_media("i.jpg", &jpeg(40_000))
            .await
            .with_alt_text(long(10_000)),
    );
    assert!(!codes(&huge, Platform::Facebook).contains(&"alt_text_too_long".to_owned()));
    let before = env.emu.record().posts().len();
    let err = env
        .sync
        .publish(USER, &huge)
        .targets([Platform::X])
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidPost { .. }), "{err}");
    assert_eq!(env.emu.record().posts().len(), before);
}

#[tokio::test]
async fn mentions_become_each_platforms_form() {
    let env = Env::new().await;
    let post =
        Post::text("Thanks @{ada} for *everything* (really) #rust_lang").with_mention("ada", ada());
    let report = publish(
        &env,
        &post,
        vec![Target::Platform(Platform::X), li_person(), fb_page()],
    )
    .await;
    let x = recorded(&env, &report, Platform::X);
    assert_eq!(x.text, "Thanks @ada_l for *everything* (really) #rust_lang");
    let fb = recorded(&env, &report, Platform::Facebook);
    assert_eq!(
        fb.text,
        "Thanks @ada.l for *everything* (really) #rust_lang"
    );
    let li = recorded(&env, &report, Platform::LinkedIn);
    assert_eq!(
        li.text,
        "Thanks @[Ada \\(L\\)](urn:li:person:ada1) for \\*everything\\* \\(really\\) #rust_lang"
    );
    let parsed = little::parse(&li.text).unwrap();
    assert_eq!(
        parsed.plain,
        "Thanks Ada (L) for *everything* (really) #rust_lang"
    );
    assert_eq!(
        li.extra["mentions"],
        r#"[{"name":"Ada (L)","urn":"urn:li:person:ada1"}]"#
    );
}

#[tokio::test]
async fn a_mention_without_an_id_names_itself_and_the_platform_unless_falling_back() {
    let post = Post::text("Hi @{bob}")
        .with_mention("bob", Mention::new("Bob").with_id(Platform::X, "bob"));
    for p in [
        Platform::LinkedIn,
        Platform::Facebook,
        Platform::Instagram,
        Platform::YouTube,
        Platform::TikTok,
    ] {
        let v = validate(&post, p);
        let hit = v
            .iter()
            .find(|v| v.code == "mention_without_id")
            .unwrap_or_else(|| panic!("{p}: {v:?}"));
        assert_eq!(hit.field, "mentions.bob");
        assert_eq!(hit.platform, Some(p));
    }
    assert!(!codes(&post, Platform::X).contains(&"mention_without_id".to_owned()));
    let mut fallback = post.clone();
    fallback.mention_fallback = true;
    assert!(!codes(&fallback, Platform::LinkedIn).contains(&"mention_without_id".to_owned()));
    let env = Env::new().await;
    let report = publish(&env, &fallback, vec![li_person()]).await;
    assert_eq!(recorded(&env, &report, Platform::LinkedIn).text, "Hi Bob");
}

#[tokio::test]
async fn text_length_is_measured_on_the_rendered_text() {
    // 270 characters plus a link: X counts the URL as 23 (plus the two
    // newlines), so the post is over 280 only once the link is appended.
    let post = Post::text("a".repeat(270)).with_link(LinkPreview::new(
        "https://example.com/a/very/long/path/that/x/counts/as/23",
    ));
    assert!(codes(&post, Platform::X).contains(&"text_too_long".to_owned()));
    assert!(
        validate(
            &Post::text("a".repeat(255)).with_link(LinkPreview::new(
                "https://example.com/long/path/counted/as/23/chars"
            )),
            Platform::X
        )
        .is_empty()
    );
    // A mention expands to its handle.
    let post = Post::text(format!("{} @{{m}}", "a".repeat(270)))
        .with_mention("m", Mention::new("M").with_id(Platform::X, "a_rather_long"));
    assert!(codes(&post, Platform::X).contains(&"text_too_long".to_owned()));
}

/// A loopback "web site": an article page with Open Graph tags, a page
/// without, and the thumbnail image.
async fn site() -> (MediaServer, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("article.html"),
        r#"<!doctype html><html><head><title>x</title>
        <meta property="og:title" content="How we ship">
        <meta property="og:description" content="A story of releases">
        <meta property="og:image" content="thumb.png"></head><body>hi</body></html>"#,
    )
    .unwrap();
    std::fs::write(
        dir.path().join("bare.html"),
        "<html><body>no tags</body></html>",
    )
    .unwrap();
    let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    png.resize(20_000, 7);
    std::fs::write(dir.path().join("thumb.png"), png).unwrap();
    let server = MediaServer::start(dir.path()).await.unwrap();
    (server, dir)
}

#[tokio::test]
async fn a_bare_link_gets_its_card_from_open_graph_tags() {
    let env = Env::new().await;
    let (server, _dir) = site().await;
    let url = server.url().join("article.html").unwrap().to_string();
    let mut link = LinkPreview::new(&url);
    link.allow_loopback = true;
    let post = Post::text("New post").with_link(link);
    let report = publish(
        &env,
        &post,
        vec![li_person(), fb_page(), Target::Platform(Platform::X)],
    )
    .await;
    assert!(report.warnings.is_empty(), "{:?}", report.warnings);
    let li = recorded(&env, &report, Platform::LinkedIn);
    let content: Value = serde_json::from_str(&li.extra["content"]).unwrap();
    let article = &content["article"];
    assert_eq!(article["source"], url.as_str());
    assert_eq!(article["title"], "How we ship");
    assert_eq!(article["description"], "A story of releases");
    assert!(
        article["thumbnail"]
            .as_str()
            .unwrap()
            .starts_with("urn:li:image:"),
        "{article}"
    );
    assert_eq!(li.text, "New post");
    let fb = recorded(&env, &report, Platform::Facebook);
    assert_eq!(fb.extra["link"], url);
    assert_eq!(fb.text, "New post");
    let x = recorded(&env, &report, Platform::X);
    assert_eq!(x.text, format!("New post\n\n{url}"));
}

#[tokio::test]
async fn a_page_without_tags_publishes_without_a_card_and_says_so() {
    let env = Env::new().await;
    let (server, _dir) = site().await;
    let url = server.url().join("bare.html").unwrap().to_string();
    let mut link = LinkPreview::new(&url);
    link.allow_loopback = true;
    let report = publish(&env, &Post::text("Bare").with_link(link), vec![li_person()]).await;
    assert_eq!(report.warnings.len(), 1, "{:?}", report.warnings);
    assert!(
        report.warnings[0].contains("og:title"),
        "{}",
        report.warnings[0]
    );
    let li = recorded(&env, &report, Platform::LinkedIn);
    assert!(!li.extra.contains_key("content"), "{:?}", li.extra);
    assert_eq!(
        li.text,
        format!(
            "Bare\n\n{}",
            creatorsync::platforms::linkedin::escape_commentary(&url)
        )
    );
}

#[tokio::test]
async fn a_link_alone_is_a_post() {
    let env = Env::new().await;
    let mut link = LinkPreview::new("https://example.com/only");
    link.title = Some("Only a link".into());
    let post = Post::text("").with_link(link);
    for p in [Platform::X, Platform::LinkedIn, Platform::Facebook] {
        assert!(!codes(&post, p).contains(&"empty_post".to_owned()), "{p}");
    }
    let report = publish(&env, &post, vec![li_person(), fb_page()]).await;
    let li = recorded(&env, &report, Platform::LinkedIn);
    assert_eq!(li.text, "");
    assert!(li.extra["content"].contains("Only a link"));
}

#[tokio::test]
async fn a_refused_page_never_fails_the_publish() {
    // The guard refuses a private address before connecting: no traffic.
    let env = Env::new().await;
    let post = Post::text("Private").with_link(LinkPreview::new("http://10.0.0.1/page"));
    let report = publish(&env, &post, vec![fb_page()]).await;
    assert_eq!(report.warnings.len(), 1);
    assert!(
        report.warnings[0].contains("private"),
        "{}",
        report.warnings[0]
    );
    assert_eq!(
        recorded(&env, &report, Platform::Facebook).extra["link"],
        "http://10.0.0.1/page"
    );
}

#[tokio::test]
async fn facebook_link_option_still_works_and_the_post_link_wins() {
    let env = Env::new().await;
    let mut post = Post::text("Old way");
    post.options.facebook.link = Some("https://example.com/old".into());
    let report = publish(&env, &post, vec![fb_page()]).await;
    assert_eq!(
        recorded(&env, &report, Platform::Facebook).extra["link"],
        "https://example.com/old"
    );
    let mut link = LinkPreview::new("https://example.com/new");
    link.title = Some("New".into());
    let post = Post {
        text: "New way".into(),
        ..post
    }
    .with_link(link);
    let report = publish(&env, &post, vec![fb_page()]).await;
    assert_eq!(
        recorded(&env, &report, Platform::Facebook).extra["link"],
        "https://example.com/new"
    );
}

mod little_text {
    use creatorsync::{Mention, Platform, Post};
    use creatorsync_emulator::little;
    use proptest::prelude::*;

    /// Text pieces full of little text's reserved characters, hashtag
    /// look-alikes, escapes, non-ASCII and mention placeholders.
    fn piece() -> impl Strategy<Value = String> {
        prop_oneof![
            3 => "[a-z #_@{}\\[\\]()<>|\\\\*~é1\n]{0,6}",
            1 => Just("@{m}".to_owned()),
            1 => Just("#tag".to_owned()),
            1 => Just("@{".to_owned()),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        /// LinkedIn commentary never holds an unescaped reserved character
        /// outside a mention or hashtag, and reads back as the text.
        #[test]
        fn linkedin_commentary_round_trips(
            pieces in proptest::collection::vec(piece(), 0..12),
            name in "[a-zA-Z (){}\\[\\]@#_*\\\\]{0,8}[a-zA-Z]",
        ) {
            let text: String = pieces.concat();
            let post = Post::text(text.clone()).with_mention(
                "m",
                Mention::new(name.clone()).with_id(Platform::LinkedIn, "urn:li:person:p1"),
            );
            let sent = match post.rendered_text(Platform::LinkedIn) {
                Ok(sent) => sent,
                // Only a placeholder naming no mention (`@{mm}`) may fail.
                Err(creatorsync::Error::InvalidPost { violations }) => {
                    prop_assert!(violations.iter().all(|v| v.code == "unknown_mention"), "{violations:?}");
                    return Ok(());
                }
                Err(e) => return Err(TestCaseError::fail(e.to_string())),
            };
            let parsed = little::parse(&sent)
                .map_err(|e| TestCaseError::fail(format!("{sent:?}: {e}")))?;
            prop_assert_eq!(&parsed.plain, &text.replace("@{m}", &name));
            prop_assert_eq!(parsed.mentions.len(), text.matches("@{m}").count());
            prop_assert!(parsed.mentions.iter().all(|m| m.urn == "urn:li:person:p1" && m.name == name));
        }
    }
}
