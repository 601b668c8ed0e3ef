//! Who a new grant belongs to (per contract.md's account modelling), and
//! live profile reads for health checks and the profile cache.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde_json::Value;
use tracing::warn;

use super::context::AuthContext;
use super::meta::{graph_json, meta_accounts};
use super::oauth2::TokenGrant;
use super::x_oauth1::XAccess;
use crate::http::{Host, Idempotency, decode_json};
use crate::{AccountKey, Credential, Error, Platform, Profile, Result, StoredToken};

/// `LinkedIn-Version` sent on `/rest/*` calls.
pub const LINKEDIN_VERSION: &str = "202607";

pub(super) fn s(v: &Value, ptr: &str) -> Option<String> {
    match v.pointer(ptr)? {
        Value::String(x) => Some(x.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

pub(super) fn unexpected(platform: Platform, what: &str) -> Error {
    Error::Platform {
        platform,
        status: 200,
        code: Some("unexpected_response".into()),
        message: format!("the profile answer has no {what}"),
        body: None,
    }
}

/// GET with a bearer token (LinkedIn `/rest/*` headers when asked).
async fn bearer_json(
    ctx: &AuthContext,
    platform: Platform,
    op: &'static str,
    host_path: (Host, &str),
    token: &str,
    rest_li: bool,
) -> Result<Value> {
    let url = ctx.endpoints.get(platform).url(host_path.0, host_path.1);
    let resp = ctx
        .http
        .send(platform, op, Idempotency::Idempotent, |c| {
            let mut b = c.get(url.clone()).bearer_auth(token);
            if rest_li {
                b = b
                    .header("LinkedIn-Version", LINKEDIN_VERSION)
                    .header("X-Restli-Protocol-Version", "2.0.0");
            }
            b
        })
        .await?;
    decode_json(platform, resp).await
}

pub(super) fn row(
    user_id: &str,
    platform: Platform,
    profile: Profile,
    credential: Credential,
    metadata: BTreeMap<String, String>,
) -> Result<StoredToken> {
    let key = AccountKey::new(user_id, platform, profile.platform_user_id.clone())?;
    let mut t = StoredToken::new(key, credential, profile);
    t.metadata = metadata;
    Ok(t)
}

/// The accounts a fresh OAuth 2.0 grant gives access to, as rows to store.
pub(crate) async fn discover(
    ctx: &AuthContext,
    platform: Platform,
    user_id: &str,
    grant: TokenGrant,
    now: DateTime<Utc>,
) -> Result<Vec<StoredToken>> {
    let open_id = grant.open_id.clone();
    let cred = grant.into_credential(now, None);
    let Credential::OAuth2 { access, scopes, .. } = &cred else {
        return Err(Error::Config("an OAuth 2.0 grant was expected".into()));
    };
    let token = access.expose().clone();
    match platform {
        Platform::X | Platform::YouTube | Platform::TikTok => {
            let mut profile = fetch_profile(ctx, platform, &token, "").await?;
            if profile.platform_user_id.is_empty() {
                profile.platform_user_id = open_id.unwrap_or_default();
            }
            Ok(vec![row(
                user_id,
                platform,
                profile,
                cred,
                BTreeMap::new(),
            )?])
        }
        Platform::LinkedIn => linkedin_accounts(ctx, user_id, &token, cred.clone()).await,
        Platform::Facebook | Platform::Instagram => {
            let scopes = scopes.clone();
            meta_accounts(ctx, platform, user_id, &token, scopes).await
        }
    }
}

/// The X account of an OAuth 1.0a grant.
pub(crate) async fn discover_x_oauth1(
    ctx: &AuthContext,
    user_id: &str,
    access: XAccess,
) -> Result<Vec<StoredToken>> {
    let url = ctx.endpoints.x.url(Host::Api, "/2/users/me");
    let v = ctx
        .x_oauth1()?
        .signed_get_json(access.token.expose(), access.secret.expose(), url)
        .await?;
    let mut profile = x_profile(&v);
    if profile.platform_user_id.is_empty() {
        profile.platform_user_id = access.user_id.clone();
    }
    if profile.handle.is_none() {
        profile.handle = access.screen_name.clone();
    }
    let cred = Credential::OAuth1 {
        token: access.token,
        secret: access.secret,
    };
    Ok(vec![row(
        user_id,
        Platform::X,
        profile,
        cred,
        BTreeMap::new(),
    )?])
}

fn x_profile(v: &Value) -> Profile {
    Profile {
        platform_user_id: s(v, "/data/id").unwrap_or_default(),
        handle: s(v, "/data/username"),
        display_name: s(v, "/data/name"),
        kind: Some("user".into()),
    }
}

/// The live profile behind a single-account token (X, YouTube, TikTok),
/// or the account `account_id` for LinkedIn organizations.
pub(super) async fn fetch_profile(
    ctx: &AuthContext,
    platform: Platform,
    token: &str,
    account_id: &str,
) -> Result<Profile> {
    match platform {
        Platform::X => {
            let v = bearer_json(
                ctx,
                platform,
                "users_me",
                (Host::Api, "/2/users/me"),
                token,
                false,
            )
            .await?;
            let p = x_profile(&v);
            if p.platform_user_id.is_empty() {
                return Err(unexpected(platform, "data.id"));
            }
            Ok(p)
        }
        Platform::YouTube => {
            let v = bearer_json(
                ctx,
                platform,
                "channels_mine",
                (Host::Api, "/youtube/v3/channels?part=snippet&mine=true"),
                token,
                false,
            )
            .await?;
            let id = s(&v, "/items/0/id").ok_or_else(|| unexpected(platform, "channel"))?;
            Ok(Profile {
                platform_user_id: id,
                handle: s(&v, "/items/0/snippet/customUrl")
                    .map(|h| h.trim_start_matches('@').to_owned()),
                display_name: s(&v, "/items/0/snippet/title"),
                kind: Some("channel".into()),
            })
        }
        Platform::TikTok => {
            let v = bearer_json(
                ctx,
                platform,
                "user_info",
                (
                    Host::Api,
                    "/v2/user/info/?fields=open_id,union_id,avatar_url,display_name,username",
                ),
                token,
                false,
            )
            .await?;
            Ok(Profile {
                platform_user_id: s(&v, "/data/user/open_id").unwrap_or_default(),
                handle: s(&v, "/data/user/username"),
                display_name: s(&v, "/data/user/display_name"),
                kind: Some("user".into()),
            })
        }
        Platform::LinkedIn if !account_id.is_empty() => {
            let v = bearer_json(
                ctx,
                platform,
                "organization",
                (Host::Api, &format!("/rest/organizations/{account_id}")),
                token,
                true,
            )
            .await?;
            Ok(Profile {
                platform_user_id: account_id.to_owned(),
                handle: s(&v, "/vanityName"),
                display_name: s(&v, "/localizedName"),
                kind: Some("organization".into()),
            })
        }
        Platform::LinkedIn => {
            let v = bearer_json(
                ctx,
                platform,
                "userinfo",
                (Host::Api, "/v2/userinfo"),
                token,
                false,
            )
            .await?;
            Ok(Profile {
                platform_user_id: s(&v, "/sub").ok_or_else(|| unexpected(platform, "sub"))?,
                handle: None,
                display_name: s(&v, "/name"),
                kind: Some("person".into()),
            })
        }
        Platform::Facebook | Platform::Instagram => {
            let fields = if platform == Platform::Facebook {
                "id,name"
            } else {
                "id,username,name"
            };
            let v = graph_json(
                ctx,
                platform,
                "profile",
                &format!("/{account_id}"),
                &[("fields", fields)],
                token,
            )
            .await?;
            Ok(Profile {
                platform_user_id: s(&v, "/id").unwrap_or_else(|| account_id.to_owned()),
                handle: s(&v, "/username"),
                display_name: s(&v, "/name"),
                kind: Some(
                    if platform == Platform::Facebook {
                        "page"
                    } else {
                        "instagram_business"
                    }
                    .into(),
                ),
            })
        }
    }
}

/// The member plus every organization they administer.
async fn linkedin_accounts(
    ctx: &AuthContext,
    user_id: &str,
    token: &str,
    cred: Credential,
) -> Result<Vec<StoredToken>> {
    let p = Platform::LinkedIn;
    let member = fetch_profile(ctx, p, token, "").await?;
    let member_id = member.platform_user_id.clone();
    let mut meta = BTreeMap::new();
    meta.insert(
        "author_urn".to_owned(),
        format!("urn:li:person:{member_id}"),
    );
    let mut rows = vec![row(user_id, p, member, cred.clone(), meta)?];
    let acls = bearer_json(
        ctx,
        p,
        "organization_acls",
        (
            Host::Api,
            "/rest/organizationAcls?q=roleAssignee&role=ADMINISTRATOR&state=APPROVED&start=0&count=100",
        ),
        token,
        true,
    )
    .await;
    let acls = match acls {
        Ok(v) => v,
        // Without the organization scopes the member alone is connected.
        Err(Error::Platform { status: 403, .. }) => {
            warn!(platform = %p, "no organization access granted; connecting the member only");
            return Ok(rows);
        }
        Err(e) => return Err(e),
    };
    let orgs = acls
        .get("elements")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    for e in orgs {
        let Some(urn) = s(&e, "/organization") else {
            continue;
        };
        let id = urn.rsplit(':').next().unwrap_or_default().to_owned();
        let profile = fetch_profile(ctx, p, token, &id).await?;
        let mut meta = BTreeMap::new();
        meta.insert("author_urn".to_owned(), format!("urn:li:organization:{id}"));
        meta.insert("member_id".to_owned(), member_id.clone());
        rows.push(row(user_id, p, profile, cred.clone(), meta)?);
    }
    Ok(rows)
}

/// The live profile of a stored account (one cheap authenticated call).
pub(crate) async fn live_profile(ctx: &AuthContext, row: &StoredToken) -> Result<Profile> {
    let p = row.key.platform;
    match &row.credential {
        Credential::OAuth1 { token, secret } => {
            let url = ctx.endpoints.x.url(Host::Api, "/2/users/me");
            let v = ctx
                .x_oauth1()?
                .signed_get_json(token.expose(), secret.expose(), url)
                .await?;
            Ok(x_profile(&v))
        }
        Credential::OAuth2 { access, .. } => {
            let account = match (p, row.profile.kind.as_deref()) {
                (Platform::LinkedIn, Some("organization"))
                | (Platform::Facebook | Platform::Instagram, _) => row.key.account_id.as_str(),
                _ => "",
            };
            fetch_profile(ctx, p, access.expose(), account).await
        }
    }
}
