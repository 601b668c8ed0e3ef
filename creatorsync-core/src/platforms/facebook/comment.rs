//! Comments on a Page post: the first comment, and a thread's other parts
//! with `ThreadMode::Comments`.
//!
//! `POST /{post-id}/comments` with `message` comments as the Page (its Page
//! token); the answer is the comment id, whose `permalink_url` is read
//! with `GET /{comment-id}`. A create whose answer was lost is looked up
//! with `GET /{post-id}/comments` (newest first, the Page's own comment
//! with the same text). Graph API reference, `/{object-id}/comments`
//! (developers.facebook.com, checked 2026-12); a comment's `message` is at
//! most 8,000 characters (Facebook's composer limit, checked 2026-12).

use chrono::{DateTime, Utc};
use reqwest::Method;
use serde::Deserialize;
use serde_json::{Value, json};

use super::FacebookClient;
use super::api::with_query;
use crate::http::{Host, Idempotency};
use crate::platforms::common::Listed;
use crate::platforms::{PublishRequest, Published};
use crate::thread::Sequences;
use crate::{Post, Result, StoredToken, TextCounting};

/// How Facebook carries a post's follow-ups: text comments of at most
/// 8,000 characters.
pub(super) const SEQUENCES: Sequences = Sequences::Comments {
    max_len: 8000,
    counting: TextCounting::Chars,
};

fn encode(id: &str) -> String {
    percent_encoding::utf8_percent_encode(id, percent_encoding::NON_ALPHANUMERIC).to_string()
}

impl FacebookClient {
    /// `POST /{parent}/comments`, marked in the commit, then its permalink.
    pub(super) async fn comment(
        &self,
        req: &PublishRequest<'_>,
        parent: &str,
    ) -> Result<Published> {
        #[derive(Deserialize)]
        struct Created {
            id: String,
        }
        let api = self.api(req.account, None)?;
        let url = api.url(Host::Api, &format!("/{}/comments", encode(parent)));
        let body = json!({ "message": req.post.text });
        let create = api.graph.json(
            "comments.create",
            Idempotency::NonIdempotent,
            Method::POST,
            url,
            |rb| rb.json(&body),
        );
        let c: Created = req.commit.create(None, create).await?;
        req.commit.acknowledged(&c.id).await?;
        api.permalink(&c.id).await
    }

    /// The Page's comment on `parent` with `post`'s text, made at or after
    /// `since`.
    pub(super) async fn find_own_comment(
        &self,
        account: &StoredToken,
        parent: &str,
        post: &Post,
        since: DateTime<Utc>,
    ) -> Result<Option<Published>> {
        let api = self.api(account, None)?;
        let url = with_query(
            api.url(Host::Api, &format!("/{}/comments", encode(parent))),
            &[
                ("fields", "id,message,created_time,from,permalink_url"),
                ("filter", "stream"),
                ("order", "reverse_chronological"),
                ("limit", "25"),
            ],
        );
        let v: Value = api
            .graph
            .json(
                "comments.recent",
                Idempotency::Idempotent,
                Method::GET,
                url,
                |rb| rb,
            )
            .await?;
        let found = v
            .get("data")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .find(|c| {
                Listed {
                    author: c.pointer("/from/id").and_then(Value::as_str),
                    created: c
                        .get("created_time")
                        .and_then(Value::as_str)
                        .and_then(|t| DateTime::parse_from_str(t, "%Y-%m-%dT%H:%M:%S%z").ok())
                        .map(|at| at.with_timezone(&Utc)),
                    text: c.get("message").and_then(Value::as_str).unwrap_or_default(),
                }
                .made_by(Some(&account.key.account_id), since, &[&post.text])
            });
        let Some(c) = found else { return Ok(None) };
        let id = c.get("id").and_then(Value::as_str).unwrap_or_default();
        match c.get("permalink_url").and_then(Value::as_str) {
            Some(url) if !id.is_empty() && !url.is_empty() => Ok(Some(Published {
                post_id: id.to_owned(),
                url: url.to_owned(),
            })),
            _ if !id.is_empty() => api.permalink(id).await.map(Some),
            _ => Ok(None),
        }
    }
}
