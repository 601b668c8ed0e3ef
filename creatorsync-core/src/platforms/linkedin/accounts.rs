//! Who a LinkedIn grant belongs to: the member (`/v2/userinfo`) plus every
//! organization they administer (`/rest/organizationAcls`), one row each,
//! all sharing the member's grant.

use std::collections::BTreeMap;

use reqwest::Method;
use serde_json::Value;
use tracing::warn;

use super::{LinkedIn, version};
use crate::auth::accounts::{bearer_json, s, unexpected};
use crate::http::{Host, Idempotency, decode_json};
use crate::platforms::{OAuthApp, account_row};
use crate::{Credential, Error, Platform, Profile, Result, StoredToken};

/// A versioned `/rest/*` GET.
async fn rest_json(app: &OAuthApp<'_>, op: &'static str, path: &str, token: &str) -> Result<Value> {
    let url = app.url(Host::Api, path);
    let v = app.api_version.unwrap_or(version::CALENDAR.pinned);
    let resp = version::send(
        app.http,
        v,
        op,
        Idempotency::Idempotent,
        &Method::GET,
        &url,
        |rb| rb.bearer_auth(token),
    )
    .await?;
    decode_json(Platform::LinkedIn, resp).await
}

/// The member behind the token.
pub(super) async fn member(app: &OAuthApp<'_>, token: &str) -> Result<Profile> {
    let url = app.url(Host::Api, "/v2/userinfo");
    let v = bearer_json(app.http, &LinkedIn, "userinfo", url, token, &[]).await?;
    Ok(Profile {
        platform_user_id: s(&v, "/sub").ok_or_else(|| unexpected(Platform::LinkedIn, "sub"))?,
        handle: None,
        display_name: s(&v, "/name"),
        kind: Some("person".into()),
    })
}

/// One organization.
pub(super) async fn organization(app: &OAuthApp<'_>, token: &str, id: &str) -> Result<Profile> {
    let v = rest_json(
        app,
        "organization",
        &format!("/rest/organizations/{id}"),
        token,
    )
    .await?;
    Ok(Profile {
        platform_user_id: id.to_owned(),
        handle: s(&v, "/vanityName"),
        display_name: s(&v, "/localizedName"),
        kind: Some("organization".into()),
    })
}

/// The member plus every organization they administer.
pub(super) async fn discover(
    app: &OAuthApp<'_>,
    user_id: &str,
    token: &str,
    cred: Credential,
) -> Result<Vec<StoredToken>> {
    let p = Platform::LinkedIn;
    let member = member(app, token).await?;
    let member_id = member.platform_user_id.clone();
    let mut meta = BTreeMap::new();
    meta.insert(
        "author_urn".to_owned(),
        format!("urn:li:person:{member_id}"),
    );
    let mut rows = vec![account_row(user_id, p, member, cred.clone(), meta)?];
    let acls = rest_json(
        app,
        "organization_acls",
        "/rest/organizationAcls?q=roleAssignee&role=ADMINISTRATOR&state=APPROVED&start=0&count=100",
        token,
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
        let profile = organization(app, token, &id).await?;
        let mut meta = BTreeMap::new();
        meta.insert("author_urn".to_owned(), format!("urn:li:organization:{id}"));
        meta.insert("member_id".to_owned(), member_id.clone());
        rows.push(account_row(user_id, p, profile, cred.clone(), meta)?);
    }
    Ok(rows)
}
