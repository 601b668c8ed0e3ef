//! The accounts a long-lived Meta user token reaches: one row per Facebook
//! Page (with the Page token) or per Instagram professional account linked
//! to one of those Pages (with its Page's token).

use std::collections::BTreeMap;

use serde_json::Value;

use super::Graph;
use crate::auth::accounts::{s, unexpected};
use crate::auth::oauth2::TokenGrant;
use crate::http::ErrorShape;
use crate::platforms::{OAuthApp, account_row};
use crate::{Credential, Error, Profile, Result, Secret, StoredToken};

/// What to make of each Page the user manages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Rows {
    /// One row per Page.
    Pages,
    /// One row per Instagram professional account linked to a Page.
    LinkedInstagram,
}

/// The profile of a Page or Instagram account `id` (`fields` per kind).
pub(crate) async fn profile(
    app: &OAuthApp<'_>,
    shape: &dyn ErrorShape,
    token: &str,
    id: &str,
    fields: &str,
    kind: &str,
) -> Result<Profile> {
    let v = Graph::for_app(app, shape, token)?
        .get(
            "profile",
            &format!("/{id}"),
            vec![("fields", fields.to_owned())],
        )
        .await?;
    Ok(Profile {
        platform_user_id: s(&v, "/id").unwrap_or_else(|| id.to_owned()),
        handle: s(&v, "/username"),
        display_name: s(&v, "/name"),
        kind: Some(kind.into()),
    })
}

/// Pages or linked Instagram accounts of the user behind `user_token`.
pub(crate) async fn discover(
    app: &OAuthApp<'_>,
    shape: &dyn ErrorShape,
    rows_of: Rows,
    user_id: &str,
    grant: TokenGrant,
) -> Result<Vec<StoredToken>> {
    let platform = shape.platform();
    let user_token = grant.access.expose().as_str();
    let mut scopes = grant.scopes.clone();
    let g = Graph::for_app(app, shape, user_token)?;
    let me = g
        .get("me", "/me", vec![("fields", "id,name".into())])
        .await?;
    let fb_user = s(&me, "/id").ok_or_else(|| unexpected(platform, "id"))?;
    if let Ok(perms) = g.get("permissions", "/me/permissions", vec![]).await {
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
                "id,name,access_token,tasks,instagram_business_account".to_owned(),
            ),
            ("limit", "100".to_owned()),
        ];
        if let Some(a) = &after {
            q.push(("after", a.clone()));
        }
        let v = g.get("me_accounts", "/me/accounts", q).await?;
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
            // A Page row keeps the long-lived user token it came from,
            // encrypted with the Page token: Facebook's Resumable Upload
            // API (Page videos) takes only user tokens.
            user_token: (rows_of == Rows::Pages).then(|| Secret::new(user_token.to_owned())),
        };
        let mut meta = BTreeMap::new();
        meta.insert("facebook_user_id".to_owned(), fb_user.clone());
        match rows_of {
            Rows::Pages => {
                let profile = Profile {
                    platform_user_id: page_id,
                    handle: None,
                    display_name: s(&page, "/name"),
                    kind: Some("page".into()),
                };
                rows.push(account_row(user_id, platform, profile, cred, meta)?);
            }
            Rows::LinkedInstagram => {
                let Some(ig) = s(&page, "/instagram_business_account/id") else {
                    continue;
                };
                let profile = profile(
                    app,
                    shape,
                    &page_token,
                    &ig,
                    "id,username,name",
                    "instagram_business",
                )
                .await?;
                meta.insert("page_id".to_owned(), page_id);
                rows.push(account_row(user_id, platform, profile, cred, meta)?);
            }
        }
    }
    if rows.is_empty() {
        return Err(Error::AuthorizationDenied {
            platform,
            error: "no_eligible_accounts".into(),
            description: Some(match rows_of {
                Rows::Pages => "the Facebook user manages no Page this app may publish to".into(),
                Rows::LinkedInstagram => {
                    "no Instagram professional account is linked to the user's Pages".into()
                }
            }),
        });
    }
    Ok(rows)
}

/// Whether two rows of one user come from one Facebook login (so one
/// grant: disconnecting one must not revoke it).
pub(crate) fn same_login(a: &StoredToken, b: &StoredToken) -> bool {
    a.credential == b.credential
        || (a.metadata.contains_key("facebook_user_id")
            && a.metadata.get("facebook_user_id") == b.metadata.get("facebook_user_id"))
}
