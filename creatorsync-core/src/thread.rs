//! Sequences: a post followed by thread parts and a first comment.
//!
//! A [`Post`] may carry [`Post::thread`] (the parts after the first, in
//! order) and [`Post::first_comment`]. After the post itself is created,
//! each of them is created in turn as a *follow-up* of the target:
//!
//! * where the platform has threads (X), every thread part is a post
//!   replying to the previous one, and the first comment is a reply to the
//!   post itself;
//! * where it has comments, the first comment is a comment on the post, and
//!   the thread parts become comments too when the caller asks for it with
//!   [`ThreadMode::Comments`] (the default, [`ThreadMode::Refuse`], makes
//!   validation refuse a thread there);
//! * elsewhere validation refuses both, before any request.
//!
//! Every follow-up is published exactly once through the same machinery as
//! the post (its own publish-log record, lease, create mark and
//! reconciliation; see `docs/threads.md`), so a publish that failed half-way
//! resumes with the same idempotency key at the first follow-up that did
//! not land.

use serde::{Deserialize, Serialize};

use crate::platforms::{Check, PlatformModule};
use crate::validate::{text_length, validate_with};
use crate::{Capabilities, Media, Post, TextCounting};

/// One part of a thread after the first (the first is the post itself).
#[derive(Clone, Debug, Default)]
pub struct ThreadPart {
    /// The part's text.
    pub text: String,
    /// The part's media (X: the same rules as a post's media).
    pub media: Vec<Media>,
}

impl ThreadPart {
    /// A text-only part.
    pub fn text(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            media: Vec::new(),
        }
    }
}

/// What a platform without threads does with [`Post::thread`].
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum ThreadMode {
    /// Validation refuses the post (`thread_unsupported`): nothing is lost
    /// silently.
    #[default]
    Refuse,
    /// The parts become comments on the post, in order, where the platform
    /// has comments.
    Comments,
}

/// How a platform carries follow-ups (stated by its module).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Sequences {
    /// Thread parts and the first comment are posts replying to another
    /// post (X's `reply.in_reply_to_tweet_id`).
    Replies,
    /// The first comment (and, with [`ThreadMode::Comments`], the thread
    /// parts) are text comments on the post.
    Comments {
        /// The longest comment, as `counting` measures it.
        max_len: usize,
        /// How the platform counts a comment's length.
        counting: TextCounting,
    },
    /// Neither: why not (the platform fact with its source, or the SDK's
    /// own gap).
    Unsupported(&'static str),
}

/// The SDK's own cap on thread parts after the first (no platform
/// documents one for its API; a longer sequence is more likely a mistake).
pub const MAX_THREAD_PARTS: usize = 24;

/// How a follow-up attaches to what came before.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Attach {
    /// A post replying to the previous thread part (the post itself for
    /// the first part).
    ReplyToPrevious,
    /// A post replying to the post itself.
    ReplyToPost,
    /// A comment on the post itself.
    CommentOnPost,
}

/// One follow-up to create after the post.
#[derive(Clone, Debug)]
pub(crate) struct FollowUp {
    /// How it attaches.
    pub(crate) attach: Attach,
    /// Whether it is the first comment (else a thread part).
    pub(crate) first_comment: bool,
    /// Its text.
    pub(crate) text: String,
    /// Its media (replies only).
    pub(crate) media: Vec<Media>,
}

impl FollowUp {
    /// The follow-up as a post of its own, attached to `parent` when it is
    /// a reply (a comment's parent goes to the comment request instead).
    pub(crate) fn as_post(&self, parent: &str) -> Post {
        let mut post = Post::text(self.text.clone());
        post.media.clone_from(&self.media);
        if self.attach != Attach::CommentOnPost {
            post.options.x.reply_to = Some(parent.to_owned());
        }
        post
    }
}

/// The follow-ups of `post` on a platform carrying them as `how`, in the
/// order they are created: the first comment right after the post, then
/// the thread parts. Empty when the platform cannot carry them (validation
/// refuses such a post first).
pub(crate) fn plan(post: &Post, how: Sequences) -> Vec<FollowUp> {
    let (comment, part) = match how {
        Sequences::Replies => (Attach::ReplyToPost, Some(Attach::ReplyToPrevious)),
        Sequences::Comments { .. } => (
            Attach::CommentOnPost,
            (post.thread_mode == ThreadMode::Comments).then_some(Attach::CommentOnPost),
        ),
        Sequences::Unsupported(_) => return Vec::new(),
    };
    let mut out = Vec::new();
    if let Some(text) = &post.first_comment {
        out.push(FollowUp {
            attach: comment,
            first_comment: true,
            text: text.clone(),
            media: Vec::new(),
        });
    }
    if let Some(attach) = part {
        out.extend(post.thread.iter().map(|p| FollowUp {
            attach,
            first_comment: false,
            text: p.text.clone(),
            media: p.media.clone(),
        }));
    }
    out
}

/// The follow-up rules of `module`'s platform that `post` breaks, into
/// `out` (called by validation after the post's own rules).
pub(crate) fn check(
    module: &dyn PlatformModule,
    caps: &Capabilities,
    post: &Post,
    out: &mut Check,
) {
    if post.thread.is_empty() && post.first_comment.is_none() {
        return;
    }
    let name = module.display_name();
    let how = module.sequences();
    if post.thread.len() > MAX_THREAD_PARTS {
        out.push(
            "thread",
            "thread_too_long",
            format!(
                "{} parts after the first, at most {MAX_THREAD_PARTS} allowed; split the thread",
                post.thread.len()
            ),
        );
    }
    if let Some(text) = &post.first_comment
        && text.trim().is_empty()
    {
        out.push(
            "first_comment",
            "empty_comment",
            "the first comment is empty; give it text or leave it out".into(),
        );
    }
    for (i, part) in post.thread.iter().enumerate() {
        if part.text.trim().is_empty() && part.media.is_empty() {
            out.push(
                format!("thread[{i}]"),
                "empty_post",
                "the thread part has no text and no media; add some".into(),
            );
        }
    }
    match how {
        Sequences::Unsupported(why) => {
            if !post.thread.is_empty() {
                out.push(
                    "thread",
                    "thread_unsupported",
                    format!("{name} cannot carry a thread: {why}; remove the thread"),
                );
            }
            if post.first_comment.is_some() {
                out.push(
                    "first_comment",
                    "first_comment_unsupported",
                    format!("{name} cannot carry a first comment: {why}; remove it"),
                );
            }
        }
        Sequences::Replies => {
            // Each reply is a post of its own: the post's rules apply.
            let parts = plan(post, how);
            for (f, field) in parts.iter().zip(fields(post)) {
                let as_post = f.as_post("0");
                for v in validate_with(module, caps, &as_post, out.now) {
                    out.push(format!("{field}.{}", v.field), &v.code, v.message);
                }
            }
        }
        Sequences::Comments { max_len, counting } => {
            if !post.thread.is_empty() && post.thread_mode == ThreadMode::Refuse {
                out.push(
                    "thread",
                    "thread_unsupported",
                    format!(
                        "{name} has no threads; set thread_mode to comments to post the other parts as comments, or remove the thread"
                    ),
                );
            }
            for f in plan(post, how).iter().zip(fields(post)) {
                let (f, field) = f;
                let len = text_length(&f.text, counting);
                if len > max_len {
                    out.push(
                        format!("{field}.text"),
                        "comment_too_long",
                        format!(
                            "the comment is {len} long as {name} counts it, the limit is {max_len}; shorten it by {}",
                            len - max_len
                        ),
                    );
                }
                if !f.media.is_empty() {
                    out.push(
                        format!("{field}.media"),
                        "comment_media_unsupported",
                        format!("{name} comments carry text only; remove the part's media"),
                    );
                }
            }
        }
    }
}

/// The field name of each follow-up of `post`, in [`plan`] order.
fn fields(post: &Post) -> impl Iterator<Item = String> + '_ {
    post.first_comment
        .iter()
        .map(|_| "first_comment".to_owned())
        .chain((0..post.thread.len()).map(|i| format!("thread[{i}]")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Platform, validate};

    fn threaded(platform_text: &str) -> Post {
        let mut post = Post::text(platform_text);
        post.thread = vec![ThreadPart::text("two"), ThreadPart::text("three")];
        post
    }

    #[test]
    fn x_takes_a_thread_and_checks_each_part_as_a_post() {
        assert!(validate(&threaded("one"), Platform::X).is_empty());
        let mut post = threaded("one");
        post.thread[1].text = "y".repeat(300);
        let v = validate(&post, Platform::X);
        assert_eq!(v.len(), 1, "{v:?}");
        assert_eq!(v[0].field, "thread[1].text");
        assert_eq!(v[0].code, "text_too_long");
    }

    #[test]
    fn a_platform_with_comments_refuses_a_thread_unless_asked_to_comment() {
        let post = threaded("one");
        let v = validate(&post, Platform::Facebook);
        assert_eq!(v[0].code, "thread_unsupported", "{v:?}");
        let mut post = threaded("one");
        post.thread_mode = ThreadMode::Comments;
        assert!(validate(&post, Platform::Facebook).is_empty());
        let plan = plan(
            &post,
            Sequences::Comments {
                max_len: 10,
                counting: TextCounting::Chars,
            },
        );
        assert_eq!(plan.len(), 2);
        assert!(plan.iter().all(|f| f.attach == Attach::CommentOnPost));
    }

    #[test]
    fn tiktok_refuses_a_first_comment() {
        let mut post = Post::text("hi");
        post.first_comment = Some("link in here".into());
        let v = validate(&post, Platform::TikTok);
        assert!(
            v.iter().any(|v| v.code == "first_comment_unsupported"),
            "{v:?}"
        );
    }

    #[test]
    fn an_overlong_comment_is_refused() {
        let mut post = Post::text("hi");
        post.first_comment = Some("c".repeat(8001));
        let v = validate(&post, Platform::Facebook);
        assert_eq!(v.len(), 1, "{v:?}");
        assert_eq!(v[0].field, "first_comment.text");
        assert_eq!(v[0].code, "comment_too_long");
    }

    #[test]
    fn the_first_comment_comes_first_and_x_parts_chain() {
        let mut post = threaded("one");
        post.first_comment = Some("c".into());
        let plan = plan(&post, Sequences::Replies);
        let attach: Vec<Attach> = plan.iter().map(|f| f.attach).collect();
        assert_eq!(
            attach,
            [
                Attach::ReplyToPost,
                Attach::ReplyToPrevious,
                Attach::ReplyToPrevious
            ]
        );
        assert_eq!(
            plan[1].as_post("9").options.x.reply_to.as_deref(),
            Some("9")
        );
    }
}
