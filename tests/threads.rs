//! Threads and first comments against the emulator: each follow-up created
//! once, in order, attached to the right post; a publish interrupted half
//! way resumes with the same key without re-posting what landed; a
//! follow-up whose create answer was lost is found, not created again; and
//! what a platform cannot carry is refused before any request.

#[allow(dead_code)]
#[path = "fault_matrix/env.rs"]
mod env;

use creatorsync::{Error, Platform, Post, PublishReport, ThreadMode, ThreadPart};
use creatorsync_emulator::{Fault, FaultKind};
use env::Env;

fn thread(marker: &str, parts: usize) -> Post {
    let mut post = Post::text(format!("{marker}-0 opens the thread"));
    post.thread = (1..=parts)
        .map(|i| ThreadPart::text(format!("{marker}-{i} continues it")))
        .collect();
    post
}

fn only(report: &PublishReport) -> &creatorsync::TargetResult {
    assert_eq!(report.results.len(), 1);
    &report.results[0]
}

/// The one live post of `platform` whose text starts with `marker`.
fn one(env: &Env, platform: Platform, marker: &str) -> creatorsync_emulator::RecordedPost {
    let posts: Vec<_> = env
        .emu
        .record()
        .posts_for(platform)
        .into_iter()
        .filter(|p| p.text.starts_with(&format!("{marker} ")))
        .collect();
    assert_eq!(posts.len(), 1, "{marker}: {posts:?}");
    posts.into_iter().next().unwrap()
}

/// Every part of an X thread exists once, each replying to the previous,
/// and the report carries their ids in order.
fn assert_x_chain(env: &Env, marker: &str, parts: usize, result: &creatorsync::TargetResult) {
    let main = one(env, Platform::X, &format!("{marker}-0"));
    assert_eq!(result.outcome.as_ref().unwrap().post_id, main.post_id);
    assert_eq!(result.parts.len(), parts);
    let mut previous = main;
    for i in 1..=parts {
        let part = one(env, Platform::X, &format!("{marker}-{i}"));
        assert_eq!(
            part.extra.get("in_reply_to_tweet_id"),
            Some(&previous.post_id),
            "part {i} replies to the previous part"
        );
        assert!(part.created_at >= previous.created_at, "in order");
        let reported = result.parts[i - 1].as_ref().expect("part published");
        assert_eq!(reported.post_id, part.post_id);
        assert!(reported.url.ends_with(&part.post_id));
        previous = part;
    }
}

#[tokio::test]
async fn an_x_thread_stopped_after_part_two_resumes_at_part_three_with_the_same_key() {
    let env = Env::new().await;
    let post = thread("thr1", 3);
    // The third create (the thread's part 2 after the first) is answered
    // 503 before the server acts: nothing created, the sequence stops.
    env.emu.faults().inject(
        Platform::X,
        Fault::once(FaultKind::Fail { status: 503 })
            .on_method("POST")
            .on_route("/2/tweets")
            .after(2),
    );
    let first = env
        .publish(Platform::X, &post, "thread-key-1")
        .await
        .unwrap();
    let r = only(&first);
    assert!(r.outcome.is_ok());
    assert_eq!(
        r.parts.len(),
        2,
        "part 1 landed, part 2 failed, part 3 not tried"
    );
    assert!(r.parts[0].is_ok());
    assert!(r.parts[1].is_err());
    assert!(r.sequence_error().is_some());
    assert_eq!(
        env.emu
            .record()
            .posts_for(Platform::X)
            .iter()
            .filter(|p| p.text.starts_with("thr1-"))
            .count(),
        2
    );

    let again = env
        .publish(Platform::X, &post, "thread-key-1")
        .await
        .unwrap();
    let r = only(&again);
    assert!(r.reused, "the first part is taken from the publish log");
    assert!(r.sequence_error().is_none(), "{:?}", r.sequence_error());
    assert_x_chain(&env, "thr1", 3, r);
    // A third call changes nothing.
    let third = env
        .publish(Platform::X, &post, "thread-key-1")
        .await
        .unwrap();
    assert_x_chain(&env, "thr1", 3, only(&third));
}

#[tokio::test]
async fn an_x_thread_part_whose_answer_was_lost_is_found_not_posted_again() {
    let env = Env::new().await;
    let post = thread("thr2", 2);
    env.emu.faults().inject(
        Platform::X,
        Fault::once(FaultKind::LoseResponse)
            .on_method("POST")
            .on_route("/2/tweets")
            .after(1),
    );
    let report = env
        .publish(Platform::X, &post, "thread-key-2")
        .await
        .unwrap();
    let r = only(&report);
    assert!(r.sequence_error().is_none(), "{:?}", r.sequence_error());
    assert_x_chain(&env, "thr2", 2, r);
}

#[tokio::test]
async fn an_x_first_comment_is_a_reply_to_the_post() {
    let env = Env::new().await;
    let mut post = Post::text("thr3-0 has a link below");
    post.first_comment = Some("thr3-c the link: https://example.com".into());
    let report = env
        .publish(Platform::X, &post, "thread-key-3")
        .await
        .unwrap();
    let r = only(&report);
    let main = one(&env, Platform::X, "thr3-0");
    let comment = one(&env, Platform::X, "thr3-c");
    assert_eq!(
        comment.extra.get("in_reply_to_tweet_id"),
        Some(&main.post_id)
    );
    assert_eq!(
        r.comment.as_ref().unwrap().as_ref().unwrap().post_id,
        comment.post_id
    );
}

#[tokio::test]
async fn a_facebook_first_comment_whose_answer_was_lost_is_reconciled_not_duplicated() {
    let env = Env::new().await;
    let mut post = Post::text("fbc1-0 the post");
    post.first_comment = Some("fbc1-c the first comment".into());
    env.emu.faults().inject(
        Platform::Facebook,
        Fault::once(FaultKind::LoseResponse)
            .on_method("POST")
            .on_path("/comments"),
    );
    let report = env
        .publish(Platform::Facebook, &post, "fb-comment-1")
        .await
        .unwrap();
    let r = only(&report);
    let main = one(&env, Platform::Facebook, "fbc1-0");
    let comment = one(&env, Platform::Facebook, "fbc1-c");
    assert_eq!(comment.extra.get("comment_on"), Some(&main.post_id));
    let reported = r.comment.as_ref().expect("tried").as_ref().expect("found");
    assert_eq!(reported.post_id, comment.post_id);
    assert!(reported.url.contains("comment_id="));
    // The same key again: everything reused, still one comment.
    let again = env
        .publish(Platform::Facebook, &post, "fb-comment-1")
        .await
        .unwrap();
    let r = only(&again);
    assert!(r.reused);
    assert_eq!(
        r.comment.as_ref().unwrap().as_ref().unwrap().post_id,
        comment.post_id
    );
    one(&env, Platform::Facebook, "fbc1-c");
}

#[tokio::test]
async fn a_facebook_thread_becomes_comments_in_order_when_asked() {
    let env = Env::new().await;
    let mut post = thread("fbt1", 2);
    post.thread_mode = ThreadMode::Comments;
    let report = env
        .publish(Platform::Facebook, &post, "fb-thread-1")
        .await
        .unwrap();
    let r = only(&report);
    let main = one(&env, Platform::Facebook, "fbt1-0");
    let first = one(&env, Platform::Facebook, "fbt1-1");
    let second = one(&env, Platform::Facebook, "fbt1-2");
    for (i, c) in [&first, &second].into_iter().enumerate() {
        assert_eq!(c.extra.get("comment_on"), Some(&main.post_id));
        assert_eq!(r.parts[i].as_ref().unwrap().post_id, c.post_id);
    }
    assert!(first.created_at <= second.created_at);
}

#[tokio::test]
async fn a_linkedin_first_comment_whose_answer_was_lost_is_reconciled_not_duplicated() {
    let env = Env::new().await;
    let mut post = Post::text("lic1-0 the post");
    post.first_comment = Some("lic1-c the first comment".into());
    env.emu.faults().inject(
        Platform::LinkedIn,
        Fault::once(FaultKind::LoseResponse)
            .on_method("POST")
            .on_path("/comments"),
    );
    let report = env
        .publish(Platform::LinkedIn, &post, "li-comment-1")
        .await
        .unwrap();
    let r = only(&report);
    let main = one(&env, Platform::LinkedIn, "lic1-0");
    let comment = one(&env, Platform::LinkedIn, "lic1-c");
    assert_eq!(comment.extra.get("comment_on"), Some(&main.post_id));
    let reported = r.comment.as_ref().expect("tried").as_ref().expect("found");
    assert_eq!(reported.post_id, comment.post_id);
    assert!(reported.post_id.starts_with("urn:li:comment:("));
    assert!(reported.url.contains("commentUrn="));
    // The same key again: everything reused, still one comment.
    let again = env
        .publish(Platform::LinkedIn, &post, "li-comment-1")
        .await
        .unwrap();
    let r = only(&again);
    assert!(r.reused);
    assert_eq!(
        r.comment.as_ref().unwrap().as_ref().unwrap().post_id,
        comment.post_id
    );
    one(&env, Platform::LinkedIn, "lic1-c");
}

#[tokio::test]
async fn a_linkedin_thread_becomes_comments_in_order_when_asked() {
    let env = Env::new().await;
    let mut post = thread("lit1", 2);
    post.thread_mode = ThreadMode::Comments;
    let report = env
        .publish(Platform::LinkedIn, &post, "li-thread-1")
        .await
        .unwrap();
    let r = only(&report);
    let main = one(&env, Platform::LinkedIn, "lit1-0");
    let first = one(&env, Platform::LinkedIn, "lit1-1");
    let second = one(&env, Platform::LinkedIn, "lit1-2");
    for (i, c) in [&first, &second].into_iter().enumerate() {
        assert_eq!(c.extra.get("comment_on"), Some(&main.post_id));
        assert_eq!(r.parts[i].as_ref().unwrap().post_id, c.post_id);
    }
    assert!(first.created_at <= second.created_at);
}

#[tokio::test]
async fn an_instagram_first_comment_whose_answer_was_lost_is_reconciled_not_duplicated() {
    let env = Env::new().await;
    let mut post = env
        .post(Platform::Instagram, env::PathKind::Image, "igc1-0")
        .await;
    post.first_comment = Some("igc1-c the first comment".into());
    env.emu.faults().inject(
        Platform::Instagram,
        Fault::once(FaultKind::LoseResponse)
            .on_method("POST")
            .on_path("/comments"),
    );
    let report = env
        .publish(Platform::Instagram, &post, "ig-comment-1")
        .await
        .unwrap();
    let r = only(&report);
    let main = one(&env, Platform::Instagram, "igc1-0");
    let comment = one(&env, Platform::Instagram, "igc1-c");
    assert_eq!(comment.extra.get("comment_on"), Some(&main.post_id));
    let reported = r.comment.as_ref().expect("tried").as_ref().expect("found");
    assert_eq!(reported.post_id, comment.post_id);
    assert!(reported.url.ends_with(&format!("/c/{}/", comment.post_id)));
    let again = env
        .publish(Platform::Instagram, &post, "ig-comment-1")
        .await
        .unwrap();
    let r = only(&again);
    assert!(r.reused);
    assert_eq!(
        r.comment.as_ref().unwrap().as_ref().unwrap().post_id,
        comment.post_id
    );
    one(&env, Platform::Instagram, "igc1-c");
}

#[tokio::test]
async fn a_youtube_first_comment_whose_answer_was_lost_is_reconciled_not_duplicated() {
    let env = Env::new().await;
    let mut post = env
        .post(Platform::YouTube, env::PathKind::Video, "ytc1-0")
        .await;
    post.first_comment = Some("ytc1-c the first comment".into());
    env.emu.faults().inject(
        Platform::YouTube,
        Fault::once(FaultKind::LoseResponse)
            .on_method("POST")
            .on_path("/commentThreads"),
    );
    let report = env
        .publish(Platform::YouTube, &post, "yt-comment-1")
        .await
        .unwrap();
    let r = only(&report);
    let main = one(&env, Platform::YouTube, "ytc1-0");
    let comment = one(&env, Platform::YouTube, "ytc1-c");
    assert_eq!(comment.extra.get("comment_on"), Some(&main.post_id));
    let reported = r.comment.as_ref().expect("tried").as_ref().expect("found");
    assert_eq!(reported.post_id, comment.post_id);
    assert!(reported.url.ends_with(&format!("&lc={}", comment.post_id)));
    let again = env
        .publish(Platform::YouTube, &post, "yt-comment-1")
        .await
        .unwrap();
    assert!(only(&again).reused);
    one(&env, Platform::YouTube, "ytc1-c");
}

#[tokio::test]
async fn a_youtube_comment_without_force_ssl_fails_with_missing_scope_before_any_request() {
    let env = Env::new().await;
    // The account as connected before first comments needed force-ssl.
    let store = env.sync.tokens().store().clone();
    let mut row = store
        .list(env::USER)
        .await
        .unwrap()
        .into_iter()
        .find(|r| r.key.platform == Platform::YouTube)
        .expect("the YouTube account");
    match &mut row.credential {
        creatorsync::Credential::OAuth2 { scopes, .. } => {
            assert!(scopes.iter().any(|s| s.ends_with("youtube.force-ssl")));
            scopes.retain(|s| !s.ends_with("youtube.force-ssl"));
        }
        other => panic!("not OAuth 2: {other:?}"),
    }
    store.put(&row, Some(row.version)).await.unwrap();
    let mut post = env
        .post(Platform::YouTube, env::PathKind::Video, "yts1-0")
        .await;
    post.first_comment = Some("yts1-c never sent".into());
    let mark = env.emu.record().mark();
    let report = env
        .publish(Platform::YouTube, &post, "yt-scope-1")
        .await
        .unwrap();
    let r = only(&report);
    assert!(r.outcome.is_ok(), "{:?}", r.outcome);
    match r.comment.as_ref().expect("tried") {
        Err(Error::MissingScope { scope, .. }) => assert!(scope.ends_with("youtube.force-ssl")),
        other => panic!("not MissingScope: {other:?}"),
    }
    let sent = env
        .emu
        .record()
        .requests_since(mark)
        .into_iter()
        .filter(|q| q.path.contains("commentThreads"))
        .count();
    assert_eq!(sent, 0);
}

#[tokio::test]
async fn a_youtube_comment_over_the_daily_units_blocks_the_ledger_and_is_not_sent_again() {
    // Units for the video (insert 1,600 plus a few reads) but not for the
    // comment's 50.
    let env = Env::with_config(|c| c.youtube_quota_units = 1_620).await;
    let mut post = env
        .post(Platform::YouTube, env::PathKind::Video, "ytq1-0")
        .await;
    post.first_comment = Some("ytq1-c over the quota".into());
    let report = env
        .publish(Platform::YouTube, &post, "yt-quota-1")
        .await
        .unwrap();
    let r = only(&report);
    assert!(r.outcome.is_ok(), "{:?}", r.outcome);
    match r.comment.as_ref().expect("tried") {
        Err(Error::QuotaExhausted { bucket, .. }) => assert_eq!(bucket, "units"),
        other => panic!("not QuotaExhausted: {other:?}"),
    }
    // Again with the same key: the ledger knows the units are used up,
    // so the comment is refused before any request.
    let mark = env.emu.record().mark();
    let again = env
        .publish(Platform::YouTube, &post, "yt-quota-1")
        .await
        .unwrap();
    match only(&again).comment.as_ref().expect("tried") {
        Err(Error::QuotaExhausted { bucket, .. }) => assert_eq!(bucket, "units"),
        other => panic!("not QuotaExhausted: {other:?}"),
    }
    let sent = env
        .emu
        .record()
        .requests_since(mark)
        .into_iter()
        .filter(|q| q.path.contains("commentThreads"))
        .count();
    assert_eq!(sent, 0);
    assert!(
        env.emu
            .record()
            .posts_for(Platform::YouTube)
            .iter()
            .all(|p| !p.text.starts_with("ytq1-c"))
    );
}

/// `post` is refused for `platform` with `code` before any request.
async fn refused(env: &Env, platform: Platform, post: &Post, code: &str) {
    let mark = env.emu.record().mark();
    let report = env
        .publish(platform, post, &format!("refused-{code}"))
        .await;
    let violations = match &report {
        Err(Error::InvalidPost { violations }) => violations.clone(),
        Ok(r) => match &only(r).outcome {
            Err(Error::InvalidPost { violations }) => violations.clone(),
            other => panic!("{platform}: not a validation error: {other:?}"),
        },
        Err(e) => panic!("{platform}: not a validation error: {e:?}"),
    };
    assert!(
        violations.iter().any(|v| v.code == code),
        "{platform}: {violations:?}"
    );
    let sent: Vec<_> = env
        .emu
        .record()
        .requests_since(mark)
        .into_iter()
        .filter(|r| r.platform == platform)
        .collect();
    assert!(sent.is_empty(), "{platform}: requests sent: {sent:?}");
}

#[tokio::test]
async fn what_a_platform_cannot_carry_is_refused_before_any_request() {
    let env = Env::new().await;
    let mut tiktok = env
        .post(Platform::TikTok, env::PathKind::Video, "ttc1")
        .await;
    tiktok.first_comment = Some("a comment TikTok cannot take".into());
    refused(&env, Platform::TikTok, &tiktok, "first_comment_unsupported").await;

    let fb_thread = thread("fbr1", 1);
    refused(&env, Platform::Facebook, &fb_thread, "thread_unsupported").await;

    let mut long = Post::text("fbr2-0 the post");
    long.first_comment = Some("c".repeat(8001));
    refused(&env, Platform::Facebook, &long, "comment_too_long").await;

    let li_thread = thread("lir1", 1);
    refused(&env, Platform::LinkedIn, &li_thread, "thread_unsupported").await;

    let mut li_long = Post::text("lir2-0 the post");
    li_long.first_comment = Some("c".repeat(1251));
    refused(&env, Platform::LinkedIn, &li_long, "comment_too_long").await;

    let mut ig_long = env
        .post(Platform::Instagram, env::PathKind::Image, "igr1-0")
        .await;
    ig_long.first_comment = Some("c".repeat(2201));
    refused(&env, Platform::Instagram, &ig_long, "comment_too_long").await;

    let mut yt_long = env
        .post(Platform::YouTube, env::PathKind::Video, "ytr1-0")
        .await;
    yt_long.first_comment = Some("c".repeat(10_001));
    refused(&env, Platform::YouTube, &yt_long, "comment_too_long").await;

    let mut x_long = thread("xr1", 1);
    x_long.thread[0].text = "y".repeat(281);
    refused(&env, Platform::X, &x_long, "text_too_long").await;
}
