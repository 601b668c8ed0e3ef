//! A target's follow-ups (the first comment, the thread parts), created one
//! after another once its post exists.
//!
//! Each follow-up is a target run of its own ([`super::engine::run_target`])
//! under a publish-log record of its own: the idempotency key of the publish
//! with `#{n}` appended (n = 1, 2, ... in creation order), for the same
//! account. So every follow-up has what the post has, in every store and
//! with no change to the record format: the lease, the create mark written
//! before its create, its platform id once created, and the lookup of a
//! create whose answer was lost. A publish that stopped after follow-up 3
//! finds 1–3 recorded when called again with its key (never re-posted) and
//! goes on with 4. Follow-ups run in order and stop at the first that does
//! not land (a reply needs its parent's id).

use sha2::{Digest, Sha256};

use super::context::{Call, Inner};
use super::engine::run_target;
use crate::platforms::Published;
use crate::thread::{Attach, plan};
use crate::{Result, StoredToken};

/// What became of a target's follow-ups.
#[derive(Debug, Default)]
pub(super) struct Sequence {
    /// The thread parts tried, in order (the last one failed when it is an
    /// error; the parts after it were not tried).
    pub(super) parts: Vec<Result<Published>>,
    /// The first comment, when the post has one and it was tried.
    pub(super) comment: Option<Result<Published>>,
}

/// The publish-log key of follow-up `n` (from 1) of the publish `ikey`:
/// `{ikey}#{n}`, or, when that would pass the 256-byte limit of keys, the
/// SHA-256 of `ikey` in hex with `#{n}`.
pub(crate) fn part_key(ikey: &str, n: usize) -> String {
    let suffix = format!("#{n}");
    if ikey.len() + suffix.len() <= 256 {
        format!("{ikey}{suffix}")
    } else {
        format!("{}{suffix}", hex::encode(Sha256::digest(ikey.as_bytes())))
    }
}

/// Creates the follow-ups of `call.post` after its post `main`.
pub(super) async fn run(
    inner: &Inner,
    call: &Call<'_>,
    account: &StoredToken,
    main: &Published,
) -> Sequence {
    let mut out = Sequence::default();
    let Ok(module) = inner.registry.get(account.key.platform) else {
        return out;
    };
    let mut previous = main.post_id.clone();
    for (i, follow_up) in plan(call.post, module.sequences()).iter().enumerate() {
        let parent = match follow_up.attach {
            Attach::ReplyToPrevious => previous.clone(),
            Attach::ReplyToPost | Attach::CommentOnPost => main.post_id.clone(),
        };
        let post = follow_up.as_post(&parent);
        let comment_on = (follow_up.attach == Attach::CommentOnPost).then_some(parent.as_str());
        let part = call.for_follow_up(&post, part_key(&call.idempotency_key, i + 1));
        let outcome = run_target(inner, &part, account.clone(), comment_on)
            .await
            .map(|(p, _)| p);
        let landed = outcome.is_ok();
        if let Ok(p) = &outcome
            && follow_up.attach == Attach::ReplyToPrevious
        {
            previous.clone_from(&p.post_id);
        }
        if follow_up.first_comment {
            out.comment = Some(outcome);
        } else {
            out.parts.push(outcome);
        }
        if !landed {
            break;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::part_key;

    #[test]
    fn part_keys_stay_within_the_key_limit() {
        assert_eq!(part_key("req-1", 3), "req-1#3");
        let long = "k".repeat(256);
        let key = part_key(&long, 12);
        assert!(key.len() <= 256 && key.ends_with("#12"));
        assert_ne!(key, part_key(&"j".repeat(256), 12));
    }
}
