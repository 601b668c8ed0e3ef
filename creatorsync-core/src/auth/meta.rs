//! Meta (Facebook Pages, Instagram via Facebook Login): Graph calls with
//! `appsecret_proof`, and the accounts a long-lived user token reaches —
//! one row per page (page token) or per linked Instagram professional
//! account.

use std::collections::BTreeMap;

use serde_json::Value;

use super::accounts::{fetch_profile, row, s, unexpected};
use super::context::AuthContext;
use super::providers::{GRAPH_VERSION, appsecret_proof};
use crate::http::{Host, Idempotency, decode_json};
use crate::{Credential, Error, Platform, Profile, Result, Secret, StoredToken};

/// GET on the Graph API with `access_token` and `appsecret_proof`.
pub(super) async fn graph_json(
    ctx: &AuthContext,
    platform: Platform,
    op: &'static str,
    path: &str,
    query: &[(&str, &str)],
    token: &str,
) -> Result<Value> {
    let secret = ctx.apps.get(platform)?.secret(platform)?;
    let proof = appsecret_proof(secret, token);
    let url = ctx
        .endpoints
        .get(platform)
        .url(Host::Api, &format!("/{GRAPH_VERSION}{path}"));
    let resp = ctx
        .http
        .send(platform, op, Idempotency::Idempotent, |c| {
            c.get(url.clone())
                .query(query)
                .query(&[("access_token", token), ("appsecret_proof", proof.as_str())])
        })
        .await?;
    decode_json(platform, resp).await
}

/// Facebook pages (one row per page, page token) or Instagram professional
/// accounts linked to them (one row per IG account, its page's token).
pub(super) async fn meta_accounts(
    ctx: &AuthContext,
    platform: Platform,
    user_id: &str,
    user_token: &str,
    mut scopes: Vec<String>,
) -> Result<Vec<StoredToken>> {
    let me = graph_json(
        ctx,
        platform,
        "me",
        "/me",
        &[("fields", "id,name")],
        user_token,
    )
    .await?;
    let fb_user = s(&me, "/id").ok_or_else(|| unexpected(platform, "id"))?;
    if let Ok(perms) = graph_json(
        ctx,
        platform,
        "permissions",
        "/me/permissions",
        &[],
        user_token,
    )
    .await
    {
        scopes = perms
            .get("data")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter(|p| s(p, "/status").as_deref() == Some("granted"))
                    .filter_map(|p| s(p, "/permission"))
                    .collect()
            })
            .unwrap_or(scopes);
    }
    let mut pages = Vec::new();
    let mut after: Option<String> = None;
    for _ in 0..20 {
        let mut q = vec![
            (
                "fields",
                "id,name,access_token,tasks,instagram_business_account",
            ),
            ("limit", "100"),
        ];
        if let Some(a) = &after {
            q.push(("after", a.as_str()));
        }
        let v = graph_json(ctx, platform, "me_accounts", "/me/accounts", &q, user_token).await?;
        pages.extend(
            v.get("data")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default(),
        );
        after = s(&v, "/paging/cursors/after").filter(|_| v.pointer("/paging/next").is_some());
        if after.is_none() {
            break;
        }
    }
    let mut rows = Vec::new();
    for page in pages {
        let (Some(page_id), Some(page_token)) = (s(&page, "/id"), s(&page, "/access_token")) else {
            continue;
        };
        let cred = Credential::OAuth2 {
            access: Secret::new(page_token.clone()),
            refresh: None,
            // Page tokens from a long-lived user token do not expire.
            expires_at: None,
            refresh_expires_at: None,
            scopes: scopes.clone(),
        };
        let mut meta = BTreeMap::new();
        meta.insert("facebook_user_id".to_owned(), fb_user.clone());
        if platform == Platform::Facebook {
            let profile = Profile {
                platform_user_id: page_id,
                handle: None,
                display_name: s(&page, "/name"),
                kind: Some("page".into()),
            };
            rows.push(row(user_id, platform, profile, cred, meta)?);
        } else if let Some(ig) = s(&page, "/instagram_business_account/id") {
            let profile = fetch_profile(ctx, platform, &page_token, &ig).await?;
            meta.insert("page_id".to_owned(), page_id);
            rows.push(row(user_id, platform, profile, cred, meta)?);
        }
    }
    if rows.is_empty() {
        return Err(Error::AuthorizationDenied {
            platform,
            error: "no_eligible_accounts".into(),
            description: Some(if platform == Platform::Facebook {
                "the Facebook user manages no Page this app may publish to".into()
            } else {
                "no Instagram professional account is linked to the user's Pages".into()
            }),
        });
    }
    Ok(rows)
}
