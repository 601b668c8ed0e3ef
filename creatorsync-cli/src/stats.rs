//! `stats`: the metrics of published posts (named as `platform:post_id`,
//! or every post whose history the store keeps), read fresh through the
//! core and printed from the contract's views.

use creatorsync_core::analytics::{MetricsResult, PostRef};
use creatorsync_core::{CreatorSync, Error, Result};

use crate::exit;

/// The posts to read: each `platform:post_id` (the id may itself hold
/// colons, as LinkedIn URNs do), published by `account` when given; none
/// named: every tracked post of `user`.
pub(crate) async fn posts(
    sync: &CreatorSync,
    user: &str,
    named: &[String],
    account: Option<&str>,
) -> Result<Vec<PostRef>> {
    if named.is_empty() {
        return sync.tracked_posts(user).await;
    }
    named
        .iter()
        .map(|p| {
            let (platform, id) = p
                .split_once(':')
                .filter(|(_, id)| !id.is_empty())
                .ok_or_else(|| {
                    Error::invalid_input("posts", format!("{p:?}: expected platform:post_id"))
                })?;
            let platform = platform.parse().map_err(|_| {
                Error::invalid_input("posts", format!("unknown platform {platform:?}"))
            })?;
            let mut r = PostRef::new(platform, id);
            r.account_id = account.map(str::to_owned);
            Ok(r)
        })
        .collect()
}

/// 0 when every post was read; otherwise the class of the failures when
/// none was read and all failed alike, else 1.
pub(crate) fn exit_code(all: &[MetricsResult]) -> u8 {
    let mut failed = all.iter().filter_map(|r| r.outcome.as_ref().err());
    let Some(first) = failed.next() else {
        return exit::OK;
    };
    let first = exit::code_of(first);
    let none_read = all.iter().all(|r| r.outcome.is_err());
    if none_read && failed.all(|e| exit::code_of(e) == first) {
        first
    } else {
        exit::TARGETS_FAILED
    }
}
