//! `edit` and `delete`: one published post, named `platform:post_id` (as
//! `stats` names posts, with `--account` when the user has several
//! accounts there) or given as a publish report's JSON result
//! (`{"platform": "x", "post_id": "1", "account_id": "..."}`), changed
//! through the core.

use creatorsync_core::analytics::PostRef;
use creatorsync_core::contract::metrics;
use creatorsync_core::{CreatorSync, Error, Result};
use serde_json::json;

use crate::{exit, output, stats};

/// The post `given` names.
async fn post_ref(
    sync: &CreatorSync,
    user: &str,
    given: &str,
    account: Option<&str>,
) -> Result<PostRef> {
    if given.trim_start().starts_with('{') {
        let v = serde_json::from_str(given)
            .map_err(|e| Error::invalid_input("post", format!("not JSON: {e}")))?;
        let mut r = metrics::parse_post_ref(v)?;
        if let Some(a) = account {
            r.account_id = Some(a.to_owned());
        }
        return Ok(r);
    }
    let mut all = stats::posts(sync, user, &[given.to_owned()], account).await?;
    all.pop()
        .ok_or_else(|| Error::invalid_input("post", "expected platform:post_id"))
}

/// `edit POST TEXT`.
pub(crate) async fn edit(
    sync: &CreatorSync,
    json_out: bool,
    user: &str,
    given: &str,
    account: Option<&str>,
    text: &str,
) -> Result<u8> {
    let post = post_ref(sync, user, given, account).await?;
    sync.edit(user, &post, text).await?;
    done(json_out, &post, "edited");
    Ok(exit::OK)
}

/// `delete POST`.
pub(crate) async fn delete(
    sync: &CreatorSync,
    json_out: bool,
    user: &str,
    given: &str,
    account: Option<&str>,
) -> Result<u8> {
    let post = post_ref(sync, user, given, account).await?;
    sync.delete(user, &post).await?;
    done(json_out, &post, "deleted");
    Ok(exit::OK)
}

fn done(json_out: bool, post: &PostRef, what: &str) {
    if json_out {
        output::json(&json!({
            "platform": post.platform.as_str(),
            "post_id": post.post_id,
            "account_id": post.account_id,
            what: true,
        }));
    } else {
        output::line(&format!("{what} {}:{}", post.platform, post.post_id));
    }
}
