//! Comments on an Instagram media: the first comment, and a thread's other
//! parts with `ThreadMode::Comments`.
//!
//! `POST /{ig-media-id}/comments?message=` comments as the account (the
//! answer is the comment id); a create whose answer was lost is looked up
//! with `GET /{ig-media-id}/comments` (the account's comment with the same
//! text, made since the attempt). The permission is
//! `instagram_manage_comments` with Facebook Login and
//! `instagram_business_manage_comments` with Instagram Login, asked for
//! with [`crate::auth::ScopeUse::Publish`]. Comments on live video media
//! are not supported by the API. IG Comment objects have no permalink: the
//! report links the comment under its media's permalink
//! (`…/p/{shortcode}/c/{comment-id}/`). Source: Instagram Platform,
//! "IG Media › Comments" and "Comment Moderation"
//! (developers.facebook.com, checked 2026-12). A comment's text is at most
//! 2,200 characters (Instagram's limit for captions and comments, widely
//! published; not stated on the endpoint's page, checked 2026-12).

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::graph::{Graph, str_field};
use super::{InstagramClient, P, parse_time};
use crate::http::Idempotency;
use crate::platforms::common::{Listed, access_token};
use crate::platforms::{PublishRequest, Published};
use crate::thread::Sequences;
use crate::{Post, Result, StoredToken, TextCounting};

/// How Instagram carries a post's follow-ups: text comments of at most
/// 2,200 characters.
pub(super) const SEQUENCES: Sequences = Sequences::Comments {
    max_len: 2200,
    counting: TextCounting::Chars,
};

/// The comment `id` on `media`, linked under the media's permalink.
async fn published(g: &Graph<'_>, media: &str, id: String) -> Result<Published> {
    let permalink = g.permalink(media).await?;
    Ok(Published {
        url: format!("{}/c/{id}/", permalink.trim_end_matches('/')),
        post_id: id,
    })
}

impl InstagramClient {
    /// `POST /{media}/comments`, marked in the commit, then its link.
    pub(super) async fn comment(&self, req: &PublishRequest<'_>, media: &str) -> Result<Published> {
        let token = access_token(P, req.account)?;
        let g = Graph::new(self, token);
        let path = format!("/{media}/comments");
        let create = g.post(
            "comments.create",
            Idempotency::NonIdempotent,
            &path,
            vec![("message", req.post.text.clone())],
        );
        let v = req.commit.create(None, create).await?;
        let id = str_field(&v, "id")?;
        req.commit.acknowledged(&id).await?;
        published(&g, media, id).await
    }

    /// The account's comment on `media` with `post`'s text, made at or
    /// after `since`.
    pub(super) async fn find_own_comment(
        &self,
        account: &StoredToken,
        media: &str,
        post: &Post,
        since: DateTime<Utc>,
    ) -> Result<Option<Published>> {
        let token = access_token(P, account)?;
        let g = Graph::new(self, token);
        let v = g
            .get(
                "comments.recent",
                &format!("/{media}/comments"),
                vec![
                    ("fields", "id,text,timestamp,from".to_owned()),
                    ("limit", "50".to_owned()),
                ],
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
                        .get("timestamp")
                        .and_then(Value::as_str)
                        .and_then(parse_time),
                    text: c.get("text").and_then(Value::as_str).unwrap_or_default(),
                }
                .made_by(Some(&account.key.account_id), since, &[&post.text])
            });
        match found.and_then(|c| c.get("id").and_then(Value::as_str)) {
            Some(id) if !id.is_empty() => published(&g, media, id.to_owned()).await.map(Some),
            _ => Ok(None),
        }
    }
}
