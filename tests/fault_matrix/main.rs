//! Exactly once under every fault, generated rather than hand-picked.
//!
//! For every platform and every publish path (text, image, several images,
//! video, media pulled from a URL) the path is first published cleanly and
//! the emulator's request log gives its HTTP steps. Then, for every step and
//! every fault kind (the server acted but the answer was lost, a connection
//! reset, 401, 429 with an hour's Retry-After, 503, a timeout after the
//! server acted; and a processing failure once per path), three things
//! run: the publish with the fault, a retry with the same idempotency key,
//! and two concurrent publishes with a fresh key (plus their retry). From
//! the emulator's record, each case must end with exactly one post, the
//! reports must tell the truth (the post id when they say published), and
//! every account must still be usable (no refresh token lost).
//!
//! The size and the result print as one line:
//! `fault matrix: N cases, 0 duplicates, 0 lost`.

mod env;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use creatorsync::{Error, Platform, Post, PublishReport, Result};
use creatorsync_emulator::{Fault, FaultKind, RequestRecord};
use env::{Env, PathKind, markers, paths};

/// The fault kinds injected at every step.
fn faults() -> Vec<(&'static str, FaultKind)> {
    vec![
        ("lost-response", FaultKind::LoseResponse),
        ("reset", FaultKind::ResetAfterBytes { bytes: 0 }),
        ("401", FaultKind::Fail { status: 401 }),
        (
            "429-long",
            FaultKind::RateLimit {
                retry_after_secs: 3600,
            },
        ),
        ("503", FaultKind::Fail { status: 503 }),
        ("timeout", FaultKind::Hang),
    ]
}

/// One HTTP step of a clean run: the `occurrence`-th request with this
/// method and route.
#[derive(Clone, Debug)]
struct Step {
    method: String,
    route: String,
    occurrence: u32,
}

fn steps_of(requests: &[RequestRecord]) -> Vec<Step> {
    let mut seen: BTreeMap<(String, String), u32> = BTreeMap::new();
    requests
        .iter()
        .map(|r| {
            let n = seen.entry((r.method.clone(), r.route.clone())).or_insert(0);
            let step = Step {
                method: r.method.clone(),
                route: r.route.clone(),
                occurrence: *n,
            };
            *n += 1;
            step
        })
        .collect()
}

#[derive(Default)]
struct Tally {
    cases: AtomicUsize,
    duplicates: AtomicUsize,
    lost: AtomicUsize,
    failures: std::sync::Mutex<Vec<String>>,
}

impl Tally {
    fn fail(&self, what: String) {
        self.failures
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push(what);
    }
}

/// The only report entry (one target per publish).
fn outcome(report: &Result<PublishReport>) -> std::result::Result<String, String> {
    match report {
        Ok(r) => match r.results.first().map(|t| &t.outcome) {
            Some(Ok(p)) => Ok(p.post_id.clone()),
            Some(Err(e)) => Err(format!("{} ({e})", e.code())),
            None => Err("no result".into()),
        },
        Err(e) => Err(format!("{} ({e})", e.code())),
    }
}

/// The ids a report gives, in [`markers`] order: the post, then its
/// follow-ups (first comment, thread parts) as far as they were tried.
fn reported_ids(report: &Result<PublishReport>) -> Vec<Option<String>> {
    let Some(t) = report.as_ref().ok().and_then(|r| r.results.first()) else {
        return Vec::new();
    };
    let id = |r: &Result<creatorsync::Published>| r.as_ref().ok().map(|p| p.post_id.clone());
    std::iter::once(id(&t.outcome))
        .chain(t.comment.iter().chain(&t.parts).map(id))
        .collect()
}

/// Whether a report's failure is one the case allows: anything before the
/// retry; after the clean retry only a post that exists but failed
/// processing. Every one of the `follow_ups` must have landed.
fn retry_settled(report: &Result<PublishReport>, processing: bool, follow_ups: usize) -> bool {
    match report {
        Ok(r) => r.results.iter().all(|t| {
            let sequence = t.comment.iter().chain(&t.parts);
            let sequence_ok = t.comment.iter().count() + t.parts.len() == follow_ups
                && sequence.into_iter().all(Result::is_ok);
            match &t.outcome {
                Ok(_) => sequence_ok,
                Err(Error::CreatedUnfinished { .. }) => processing,
                Err(_) => false,
            }
        }),
        Err(_) => false,
    }
}

struct Case<'a> {
    env: &'a Env,
    platform: Platform,
    path: PathKind,
    label: String,
    fault: Option<(Fault, bool)>,
}

impl Case<'_> {
    fn inject(&self) {
        if let Some((fault, _)) = &self.fault {
            self.env.emu.faults().inject(self.platform, fault.clone());
        }
    }

    fn processing(&self) -> bool {
        self.fault.as_ref().is_some_and(|(_, p)| *p)
    }

    /// How many follow-ups the path's post has.
    fn follow_ups(&self) -> usize {
        markers(self.path, "m").len() - 1
    }

    /// Checks the posts of the publish carrying `marker` (each of a
    /// sequence's [`markers`]): exactly one each (or at most one while
    /// `final_` is false), the report's ids among them, and once final,
    /// each follow-up attached to its parent (an X reply to the previous
    /// part or to the post, elsewhere a comment on the post).
    fn check_posts(
        &self,
        tally: &Tally,
        marker: &str,
        stage: &str,
        reported: &[&Result<PublishReport>],
        final_: bool,
    ) {
        let mut found = Vec::new();
        for (i, marker) in markers(self.path, marker).iter().enumerate() {
            let posts = self.env.emu.record().posts_with_text(self.platform, marker);
            if posts.len() > 1 {
                tally.duplicates.fetch_add(1, Ordering::Relaxed);
                tally.fail(format!(
                    "{}: {stage}: {} posts of {marker}",
                    self.label,
                    posts.len()
                ));
                return;
            }
            if final_ && posts.is_empty() {
                tally.lost.fetch_add(1, Ordering::Relaxed);
                tally.fail(format!(
                    "{}: {stage}: no post of {marker} after the retry",
                    self.label
                ));
                return;
            }
            for r in reported {
                if let Some(Some(id)) = reported_ids(r).get(i)
                    && !posts.iter().any(|p| p.post_id == *id)
                {
                    let reported = self.env.emu.record().post(self.platform, id);
                    tally.fail(format!(
                        "{}: {stage}: reported post {id} ({:?}) is not the post of {marker} that exists ({:?})",
                        self.label,
                        reported.map(|p| p.text),
                        posts.iter().map(|p| &p.post_id).collect::<Vec<_>>()
                    ));
                }
            }
            found.push(posts.into_iter().next());
        }
        if !final_ || found.len() < 2 {
            return;
        }
        let link = match self.platform {
            Platform::X => "in_reply_to_tweet_id",
            _ => "comment_on",
        };
        for i in 1..found.len() {
            let parent = if self.path == PathKind::Thread {
                i - 1
            } else {
                0
            };
            let (Some(post), Some(parent)) = (&found[i], &found[parent]) else {
                continue;
            };
            if post.extra.get(link) != Some(&parent.post_id) {
                tally.fail(format!(
                    "{}: {stage}: {} is attached to {:?}, not to {}",
                    self.label,
                    post.post_id,
                    post.extra.get(link),
                    parent.post_id
                ));
            }
        }
    }

    /// Publishes again with `key` until the outcome is settled: a post
    /// still processing (`CreatedUnfinished`) or not listed yet
    /// (`OutcomeUnknown`) is asked about again, as a caller would, for at
    /// most the client's processing deadline.
    async fn retry(&self, post: &Post, key: &str) -> Result<PublishReport> {
        let deadline = std::time::Instant::now() + env::SETTLE;
        loop {
            let report = self.env.publish(self.platform, post, key).await;
            let open = report.as_ref().is_ok_and(|r| {
                r.results.iter().any(|t| {
                    let follow_up_open = t.comment.iter().chain(&t.parts).any(|r| {
                        matches!(
                            r,
                            Err(Error::OutcomeUnknown { .. } | Error::InProgress { .. })
                        )
                    });
                    follow_up_open
                        || match &t.outcome {
                            Err(Error::OutcomeUnknown { .. } | Error::InProgress { .. }) => true,
                            Err(Error::CreatedUnfinished { .. }) => !self.processing(),
                            _ => false,
                        }
                })
            });
            if !open || std::time::Instant::now() > deadline {
                return report;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
    }

    async fn run(&self, tally: &Tally, n: usize) {
        tally.cases.fetch_add(1, Ordering::Relaxed);
        let env = self.env;
        // The publish with the fault, then its retry.
        let marker = format!("fm{n}a");
        let key = format!("fm-{n}-a");
        let post = env.post(self.platform, self.path, &marker).await;
        self.inject();
        let first = env.publish(self.platform, &post, &key).await;
        env.emu.faults().clear(self.platform);
        self.check_posts(tally, &marker, "publish", &[&first], false);
        let retry = self.retry(&post, &key).await;
        self.check_posts(tally, &marker, "retry", &[&first, &retry], true);
        if !retry_settled(&retry, self.processing(), self.follow_ups()) {
            tally.fail(format!(
                "{}: the retry did not settle: {:?} (first: {:?})",
                self.label,
                outcome(&retry),
                outcome(&first)
            ));
        }
        // Two concurrent publishes with one key, then their retry.
        let marker = format!("fm{n}b");
        let key = format!("fm-{n}-b");
        let post = env.post(self.platform, self.path, &marker).await;
        self.inject();
        let (a, b) = tokio::join!(
            env.publish(self.platform, &post, &key),
            env.publish(self.platform, &post, &key)
        );
        env.emu.faults().clear(self.platform);
        self.check_posts(tally, &marker, "concurrent", &[&a, &b], false);
        let retry = self.retry(&post, &key).await;
        self.check_posts(tally, &marker, "concurrent retry", &[&a, &b, &retry], true);
        if !retry_settled(&retry, self.processing(), self.follow_ups()) {
            tally.fail(format!(
                "{}: the retry after the concurrent pair did not settle: {:?}",
                self.label,
                outcome(&retry)
            ));
        }
        if let Err(e) = env.account_usable(self.platform).await {
            tally.lost.fetch_add(1, Ordering::Relaxed);
            tally.fail(format!(
                "{}: the account is no longer usable: {e}",
                self.label
            ));
        }
    }
}

/// Every case of one platform, in order (faults are per platform, so the
/// platforms run side by side).
async fn platform_matrix(env: Arc<Env>, platform: Platform, tally: Arc<Tally>, base: usize) {
    let mut n = base;
    for path in paths(platform) {
        // The clean run gives the steps.
        let marker = format!("fm{n}clean");
        n += 1;
        let post = env.post(platform, path, &marker).await;
        let mark = env.emu.record().mark();
        let clean = env.publish(platform, &post, &format!("fm-{n}-clean")).await;
        if let Err(e) = outcome(&clean) {
            tally.fail(format!("{platform}/{path:?}: the clean run failed: {e}"));
            continue;
        }
        let requests: Vec<RequestRecord> = env
            .emu
            .record()
            .requests_since(mark)
            .into_iter()
            .filter(|r| r.platform == platform)
            .collect();
        let steps = steps_of(&requests);
        assert!(
            !steps.is_empty(),
            "{platform}/{path:?}: no requests recorded"
        );
        for step in &steps {
            for (name, kind) in faults() {
                let fault = Fault::once(kind)
                    .on_route(step.route.clone())
                    .on_method(step.method.clone())
                    .after(step.occurrence);
                let case = Case {
                    env: &env,
                    platform,
                    path,
                    label: format!(
                        "{platform}/{path:?}/{} {}#{}/{name}",
                        step.method, step.route, step.occurrence
                    ),
                    fault: Some((fault, false)),
                };
                let t0 = std::time::Instant::now();
                case.run(&tally, n).await;
                if std::env::var_os("FAULT_MATRIX_TRACE").is_some() {
                    eprintln!("{} {:?}", case.label, t0.elapsed());
                }
                n += 1;
            }
        }
        if path.processes() {
            let case = Case {
                env: &env,
                platform,
                path,
                label: format!("{platform}/{path:?}/processing-failure"),
                fault: Some((Fault::once(FaultKind::FailProcessing), true)),
            };
            case.run(&tally, n).await;
            n += 1;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fault_matrix_exactly_once() {
    let env = Arc::new(Env::new().await);
    let tally = Arc::new(Tally::default());
    // FAULT_MATRIX_ONLY=tiktok (a platform name) narrows a local run.
    let only = std::env::var("FAULT_MATRIX_ONLY").ok();
    let runs: Vec<_> = Platform::ALL
        .iter()
        .filter(|p| only.as_deref().is_none_or(|o| o == p.as_str()))
        .enumerate()
        .map(|(i, p)| {
            tokio::spawn(platform_matrix(
                env.clone(),
                *p,
                tally.clone(),
                (i + 1) * 100_000,
            ))
        })
        .collect();
    for r in runs {
        r.await.expect("a platform's matrix panicked");
    }
    let cases = tally.cases.load(Ordering::Relaxed);
    let duplicates = tally.duplicates.load(Ordering::Relaxed);
    let lost = tally.lost.load(Ordering::Relaxed);
    let failures = tally
        .failures
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .clone();
    eprintln!(
        "fault matrix: {cases} cases, {duplicates} duplicates, {lost} lost, {} failed checks",
        failures.len()
    );
    assert!(cases > 0, "no case ran");
    assert!(
        failures.is_empty(),
        "{} failures, first {}:\n{}",
        failures.len(),
        failures.len().min(40),
        failures
            .iter()
            .take(40)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}

/// A post nobody tried publishes once and only once through every path
/// (the matrix's clean runs double as this check; kept separate so a
/// broken path shows by name).
#[tokio::test]
async fn every_path_publishes_once_without_faults() {
    let env = Env::new().await;
    let mut n = 0;
    for platform in Platform::ALL {
        for path in paths(platform) {
            n += 1;
            let marker = format!("clean{n}x");
            let post: Post = env.post(platform, path, &marker).await;
            let report = env.publish(platform, &post, &format!("clean-{n}")).await;
            assert!(
                outcome(&report).is_ok(),
                "{platform}/{path:?}: {:?}",
                outcome(&report)
            );
            for marker in markers(path, &marker) {
                assert_eq!(
                    env.emu.record().posts_with_text(platform, &marker).len(),
                    1,
                    "{platform}/{path:?} {marker}"
                );
            }
        }
    }
}
