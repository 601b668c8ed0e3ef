//! Reading metrics: resolve each post to the account that published it,
//! group the posts per account, read each group in batches of the most ids
//! one call of its platform takes, and answer per post.

use std::collections::BTreeMap;
use std::sync::Arc;

use super::{MetricsResult, PostMetrics, PostRef};
use crate::auth::TokenManager;
use crate::clock::Clock;
use crate::platforms::{PlatformClient, Registry};
use crate::quota::Ledger;
use crate::{AccountKey, Error, Platform, Result, StoredToken, TokenStore};

/// What a metrics read needs of the client.
pub(crate) struct Source<'a> {
    /// The user's accounts.
    pub(crate) store: &'a dyn TokenStore,
    /// Fresh tokens.
    pub(crate) tokens: &'a TokenManager,
    /// The platform modules (read quotas, connection modes).
    pub(crate) registry: &'a Registry,
    /// The client of each platform and connection mode.
    pub(crate) clients: &'a BTreeMap<(Platform, Option<&'static str>), Arc<dyn PlatformClient>>,
    /// The quota ledger (reads a platform counts).
    pub(crate) ledger: &'a Ledger,
    /// The clock `fetched_at` is read on.
    pub(crate) clock: &'a dyn Clock,
}

/// The account of `post` among the user's `rows`.
pub(crate) fn account_of<'r>(
    user_id: &str,
    rows: &'r [StoredToken],
    post: &PostRef,
) -> Result<&'r StoredToken> {
    let mut on_platform = rows.iter().filter(|r| r.key.platform == post.platform);
    let found = match &post.account_id {
        Some(id) => on_platform.find(|r| &r.key.account_id == id),
        None => {
            let first = on_platform.next();
            if first.is_some() && on_platform.next().is_some() {
                return Err(Error::invalid_input(
                    "post.account_id",
                    format!(
                        "the user has several {} accounts; name the one that published {}",
                        post.platform, post.post_id
                    ),
                ));
            }
            first
        }
    };
    found.ok_or_else(|| Error::NotConnected {
        user_id: user_id.to_owned(),
        platform: post.platform,
        account: post.account_id.clone(),
    })
}

/// Reads the metrics of `posts` of `user_id`: one result per post, in
/// order. Only a failure to list the user's accounts fails the whole call.
pub(crate) async fn fetch(
    src: &Source<'_>,
    user_id: &str,
    posts: &[PostRef],
) -> Result<Vec<MetricsResult>> {
    let rows = src.store.list(user_id).await?;
    let mut outcomes: Vec<Option<Result<PostMetrics>>> = posts.iter().map(|_| None).collect();
    let mut groups: BTreeMap<AccountKey, Vec<usize>> = BTreeMap::new();
    for (i, post) in posts.iter().enumerate() {
        match account_of(user_id, &rows, post) {
            Ok(row) => groups.entry(row.key.clone()).or_default().push(i),
            Err(e) => outcomes[i] = Some(Err(e)),
        }
    }
    let reads = groups.into_iter().map(|(key, idx)| async move {
        let ids: Vec<String> = idx.iter().map(|&i| posts[i].post_id.clone()).collect();
        (idx, read_account(src, &key, &ids).await)
    });
    for (idx, answers) in futures::future::join_all(reads).await {
        for (i, answer) in idx.into_iter().zip(answers) {
            outcomes[i] = Some(answer);
        }
    }
    Ok(posts
        .iter()
        .zip(outcomes)
        .map(|(post, outcome)| MetricsResult {
            post: post.clone(),
            outcome: outcome
                .unwrap_or_else(|| Err(Error::Config("metrics: a post was not read".into()))),
        })
        .collect())
}

/// Reads `ids` of one account, batch after batch: one result per id.
async fn read_account(
    src: &Source<'_>,
    key: &AccountKey,
    ids: &[String],
) -> Vec<Result<PostMetrics>> {
    let every = |e: Error| ids.iter().map(|_| Err(e.copy())).collect::<Vec<_>>();
    let row = match src.tokens.usable(key).await {
        Ok(r) => r,
        Err(e) => return every(e),
    };
    let module = match src.registry.for_row(&row) {
        Ok(m) => m,
        Err(e) => return every(e),
    };
    let Some(client) = src.clients.get(&(key.platform, module.login())) else {
        return every(Error::Config(format!(
            "{}: no app credentials configured",
            key.platform
        )));
    };
    let read_quotas = module.read_quotas();
    let mut out = Vec::with_capacity(ids.len());
    for batch in ids.chunks(client.metrics_batch().max(1)) {
        let answer = read_batch(src, &row, client.as_ref(), &read_quotas, batch).await;
        match answer {
            Ok(answers) if answers.len() == batch.len() => {
                let now = src.clock.now();
                out.extend(batch.iter().zip(answers).map(|(id, a)| {
                    a.map(|mut m| {
                        m.platform = key.platform;
                        m.account_id.clone_from(&key.account_id);
                        m.post_id.clone_from(id);
                        m.fetched_at = now;
                        m
                    })
                }));
            }
            Ok(_) => out.extend(batch.iter().map(|_| {
                Err(Error::unexpected_response(
                    key.platform,
                    None,
                    "one metrics answer per post",
                    None,
                ))
            })),
            Err(e) => out.extend(batch.iter().map(|_| Err(e.copy()))),
        }
    }
    out
}

/// One batch through the client, checking first that no quota the
/// platform counts reads against is used up, and recording it used up
/// when the platform says so.
async fn read_batch(
    src: &Source<'_>,
    row: &StoredToken,
    client: &dyn PlatformClient,
    read_quotas: &[crate::quota::Bucket],
    batch: &[String],
) -> Result<Vec<Result<PostMetrics>>> {
    let platform = row.key.platform;
    for bucket in read_quotas {
        let use_id = format!("metrics\u{1f}{}", uuid::Uuid::new_v4());
        src.ledger
            .reserve(platform, bucket, &row.key, &use_id)
            .await?;
    }
    let answer = client.metrics(row, batch).await;
    if let Err(Error::QuotaExhausted {
        bucket, resets_at, ..
    }) = &answer
        && let Some(b) = read_quotas.iter().find(|b| b.name == bucket)
        && let Err(e) = src.ledger.block(platform, b, &row.key, *resets_at).await
    {
        tracing::warn!(error = %e, "could not record a used-up read quota");
    }
    answer
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::platforms::common::require_scope;
    use crate::{Credential, Profile, Secret};

    fn row(platform: Platform, id: &str, scopes: &[&str]) -> StoredToken {
        StoredToken::new(
            AccountKey::new("u", platform, id).unwrap(),
            Credential::OAuth2 {
                access: Secret::new("t".into()),
                refresh: None,
                expires_at: None,
                refresh_expires_at: None,
                scopes: scopes.iter().map(|s| (*s).to_owned()).collect(),
                user_token: None,
            },
            Profile::default(),
        )
    }

    #[test]
    fn a_missing_scope_is_named_and_an_unlisted_grant_passes() {
        let without = row(Platform::TikTok, "1", &["user.info.basic", "video.publish"]);
        let err = require_scope(&without, &["video.list"]).unwrap_err();
        assert_eq!(err.code(), "MISSING_SCOPE");
        assert!(err.to_string().contains("`video.list`"), "{err}");
        assert!(
            require_scope(
                &row(Platform::TikTok, "1", &["video.list"]),
                &["video.list"]
            )
            .is_ok()
        );
        assert!(require_scope(&row(Platform::TikTok, "1", &[]), &["video.list"]).is_ok());
    }

    #[test]
    fn a_post_finds_its_account_or_says_why_not() {
        let rows = vec![
            row(Platform::Facebook, "p1", &[]),
            row(Platform::Facebook, "p2", &[]),
            row(Platform::X, "x1", &[]),
        ];
        let x = PostRef::new(Platform::X, "1");
        assert_eq!(account_of("u", &rows, &x).unwrap().key.account_id, "x1");
        let fb = PostRef::new(Platform::Facebook, "p2_1");
        assert_eq!(
            account_of("u", &rows, &fb).unwrap_err().code(),
            "INVALID_INPUT"
        );
        let named = fb.clone().on_account("p2");
        assert_eq!(account_of("u", &rows, &named).unwrap().key.account_id, "p2");
        let tt = PostRef::new(Platform::TikTok, "1");
        assert_eq!(
            account_of("u", &rows, &tt).unwrap_err().code(),
            "NOT_CONNECTED"
        );
    }
}
