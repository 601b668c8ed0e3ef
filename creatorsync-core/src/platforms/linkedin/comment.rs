//! Comments on a LinkedIn post: the first comment, and a thread's other
//! parts with `ThreadMode::Comments`.
//!
//! `POST /rest/socialActions/{post-urn}/comments` with `actor` (the
//! account's author URN), `object` (the post URN) and `message.text`,
//! versioned like every `/rest/*` call (`LinkedIn-Version`,
//! `X-Restli-Protocol-Version: 2.0.0`); the scope is the one that posts
//! (`w_member_social` for a member, `w_organization_social` for an
//! organization). The answer (201) carries the comment URN
//! (`urn:li:comment:(…)`, in `$URN` / `x-restli-id`). A create whose answer
//! was lost is looked up with `GET /rest/socialActions/{post-urn}/comments`
//! (the account's comment with the same text, created since the attempt).
//! Source: Microsoft Learn, LinkedIn Marketing API, Community Management,
//! "Comments API" (learn.microsoft.com, versioned pages, checked
//! 2026-12). Reading comments is documented under `r_member_social`
//! (restricted) / `r_organization_social`: where the token lacks it the
//! look-up fails with the platform's error and the comment is reported as
//! unknown, never created again. A comment's text is at most 1,250
//! characters (LinkedIn's composer limit; not stated in the API reference,
//! widely published, checked 2026-12).

use chrono::{DateTime, TimeZone, Utc};
use reqwest::Method;
use serde_json::{Value, json};

use super::LinkedInClient;
use super::api::enc;
use crate::http::{Idempotency, decode_json};
use crate::platforms::common::Listed;
use crate::platforms::{PublishRequest, Published};
use crate::thread::Sequences;
use crate::{Error, Platform, Post, Result, StoredToken, TextCounting};

/// How LinkedIn carries a post's follow-ups: text comments of at most
/// 1,250 characters.
pub(super) const SEQUENCES: Sequences = Sequences::Comments {
    max_len: 1250,
    counting: TextCounting::Chars,
};

/// The comment URN of a comment JSON (`$URN`, else built from `id`).
fn comment_urn(c: &Value, parent: &str) -> Option<String> {
    if let Some(urn) = c
        .get("$URN")
        .and_then(Value::as_str)
        .filter(|u| !u.is_empty())
    {
        return Some(urn.to_owned());
    }
    let id = c
        .get("id")
        .and_then(Value::as_str)
        .filter(|i| !i.is_empty())?;
    Some(format!("urn:li:comment:({parent},{id})"))
}

/// The comment as published: its URN and a link to it on the post.
fn published(parent: &str, urn: String) -> Published {
    Published {
        url: format!(
            "https://www.linkedin.com/feed/update/{parent}/?commentUrn={}",
            enc(&urn)
        ),
        post_id: urn,
    }
}

impl LinkedInClient {
    /// `POST /rest/socialActions/{parent}/comments`, marked in the commit.
    pub(super) async fn comment(
        &self,
        req: &PublishRequest<'_>,
        parent: &str,
    ) -> Result<Published> {
        let api = self.api(req.account, Some(req.post))?;
        let body = json!({
            "actor": Self::author(req.account),
            "object": parent,
            "message": { "text": req.post.text },
        });
        let url = api.url(&format!("/rest/socialActions/{}/comments", enc(parent)));
        let create = async {
            let resp = api
                .send(
                    "comments.create",
                    Idempotency::NonIdempotent,
                    Method::POST,
                    url,
                    |rb| rb.json(&body),
                )
                .await?;
            let header = resp
                .headers()
                .get("x-restli-id")
                .and_then(|v| v.to_str().ok())
                .filter(|v| !v.is_empty())
                .map(str::to_owned);
            let v: Value = decode_json(Platform::LinkedIn, resp)
                .await
                .unwrap_or(Value::Null);
            comment_urn(&v, parent).or(header).ok_or_else(|| {
                Error::unexpected_response(
                    Platform::LinkedIn,
                    None,
                    "LinkedIn created the comment but sent no comment URN",
                    None,
                )
            })
        };
        let urn = req.commit.create(None, create).await?;
        req.commit.acknowledged(&urn).await?;
        Ok(published(parent, urn))
    }

    /// The account's comment on `parent` with `post`'s text, made at or
    /// after `since`.
    pub(super) async fn find_own_comment(
        &self,
        account: &StoredToken,
        parent: &str,
        post: &Post,
        since: DateTime<Utc>,
    ) -> Result<Option<Published>> {
        let api = self.api(account, None)?;
        let path = format!("/rest/socialActions/{}/comments?count=50", enc(parent));
        let v: Value = api
            .json(
                "comments.recent",
                Idempotency::Idempotent,
                Method::GET,
                &path,
                None,
            )
            .await?;
        let actor = Self::author(account);
        let found = v
            .get("elements")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .find(|c| {
                Listed {
                    author: c.get("actor").and_then(Value::as_str),
                    created: c
                        .pointer("/created/time")
                        .and_then(Value::as_i64)
                        .and_then(|ms| Utc.timestamp_millis_opt(ms).single()),
                    text: c
                        .pointer("/message/text")
                        .and_then(Value::as_str)
                        .unwrap_or_default(),
                }
                .made_by(Some(&actor), since, &[&post.text])
            });
        Ok(found
            .and_then(|c| comment_urn(c, parent))
            .map(|urn| published(parent, urn)))
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::{comment_urn, published};

    #[test]
    fn a_comment_urn_comes_from_urn_or_id() {
        let parent = "urn:li:share:1";
        assert_eq!(
            comment_urn(
                &json!({"$URN": "urn:li:comment:(urn:li:activity:9,5)"}),
                parent
            )
            .as_deref(),
            Some("urn:li:comment:(urn:li:activity:9,5)")
        );
        assert_eq!(
            comment_urn(&json!({"id": "5"}), parent).as_deref(),
            Some("urn:li:comment:(urn:li:share:1,5)")
        );
        assert_eq!(comment_urn(&json!({}), parent), None);
        let p = published(parent, "urn:li:comment:(urn:li:share:1,5)".into());
        assert!(p.url.starts_with(
            "https://www.linkedin.com/feed/update/urn:li:share:1/?commentUrn=urn%3Ali%3Acomment"
        ));
    }
}
