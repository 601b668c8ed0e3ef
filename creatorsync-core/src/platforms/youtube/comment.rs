//! Comments on a YouTube video: the first comment, and a thread's other
//! parts with `ThreadMode::Comments`.
//!
//! `POST /youtube/v3/commentThreads?part=snippet` with
//! `snippet.channelId`, `snippet.videoId` and
//! `snippet.topLevelComment.snippet.textOriginal` creates a top-level
//! comment (the answer is the commentThread; its id is the comment's). It
//! needs `https://www.googleapis.com/auth/youtube.force-ssl` (asked for
//! with [`crate::auth::ScopeUse::Publish`]); an account whose grant lists
//! scopes without it fails with [`crate::Error::MissingScope`] before any
//! request. It costs 50 quota units (the `snippet` part 2 more on the
//! read side). A create whose answer was lost is looked up with
//! `GET /youtube/v3/commentThreads?part=snippet&videoId=` (the channel's
//! comment with the same text, published since the attempt). Source:
//! developers.google.com "CommentThreads: insert" / "CommentThreads: list"
//! (checked 2026-12). A comment is at most 10,000 characters (YouTube's
//! comment limit, widely published; the reference does not state it,
//! checked 2026-12).

use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use super::{P, YouTube, YouTubeClient};
use crate::http::{Idempotency, decode_json};
use crate::platforms::common::require_scope;
use crate::platforms::common::{Listed, access_token};
use crate::platforms::{PublishRequest, Published};
use crate::thread::Sequences;
use crate::{Error, Post, Result, StoredToken, TextCounting};

/// How YouTube carries a post's follow-ups: top-level comments of at most
/// 10,000 characters.
pub(super) const SEQUENCES: Sequences = Sequences::Comments {
    max_len: 10_000,
    counting: TextCounting::Chars,
};

/// The scope `commentThreads.insert` (and reading one's comments back)
/// needs.
pub(super) const FORCE_SSL: &str = "https://www.googleapis.com/auth/youtube.force-ssl";

/// The comment `id` on `video`.
fn published(video: &str, id: &str) -> Published {
    Published {
        url: format!("https://www.youtube.com/watch?v={video}&lc={id}"),
        post_id: id.to_owned(),
    }
}

impl YouTubeClient {
    /// `commentThreads.insert` on `video`, marked in the commit.
    pub(super) async fn comment(&self, req: &PublishRequest<'_>, video: &str) -> Result<Published> {
        require_scope(req.account, &[FORCE_SSL])?;
        let token = access_token(P, req.account)?;
        let url = self.api("/youtube/v3/commentThreads?part=snippet");
        let body = json!({
            "snippet": {
                "channelId": req.account.key.account_id,
                "videoId": video,
                "topLevelComment": {"snippet": {"textOriginal": req.post.text}},
            }
        });
        let create = async {
            let resp = self
                .cfg()
                .http
                .send(
                    &YouTube,
                    "commentThreads.insert",
                    Idempotency::NonIdempotent,
                    |c| c.post(url.clone()).bearer_auth(token).json(&body),
                )
                .await?;
            let v: Value = decode_json(P, resp).await?;
            v.get("id")
                .and_then(Value::as_str)
                .filter(|id| !id.is_empty())
                .map(str::to_owned)
                .ok_or_else(|| {
                    Error::unexpected_response(
                        P,
                        None,
                        "YouTube created the comment but sent no id",
                        Some(&v.to_string()),
                    )
                })
        };
        let id = req.commit.create(None, create).await?;
        req.commit.acknowledged(&id).await?;
        Ok(published(video, &id))
    }

    /// The channel's comment on `video` with `post`'s text, published at
    /// or after `since`.
    pub(super) async fn find_own_comment(
        &self,
        account: &StoredToken,
        video: &str,
        post: &Post,
        since: DateTime<Utc>,
    ) -> Result<Option<Published>> {
        require_scope(account, &[FORCE_SSL])?;
        let token = access_token(P, account)?;
        let mut url = self.api("/youtube/v3/commentThreads");
        url.query_pairs_mut()
            .append_pair("part", "snippet")
            .append_pair("videoId", video)
            .append_pair("order", "time")
            .append_pair("maxResults", "50")
            .append_pair("textFormat", "plainText");
        let resp = self
            .cfg()
            .http
            .send(
                &YouTube,
                "commentThreads.list",
                Idempotency::Idempotent,
                |c| c.get(url.clone()).bearer_auth(token),
            )
            .await?;
        let v: Value = decode_json(P, resp).await?;
        let channel = &account.key.account_id;
        let found = v
            .get("items")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .find(|t| {
                let Some(c) = t.pointer("/snippet/topLevelComment/snippet") else {
                    return false;
                };
                Listed {
                    author: c.pointer("/authorChannelId/value").and_then(Value::as_str),
                    created: c
                        .get("publishedAt")
                        .and_then(Value::as_str)
                        .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
                        .map(|t| t.with_timezone(&Utc)),
                    text: c
                        .get("textOriginal")
                        .or_else(|| c.get("textDisplay"))
                        .and_then(Value::as_str)
                        .unwrap_or_default(),
                }
                .made_by(Some(channel), since, &[&post.text])
            })
            .and_then(|t| t.get("id").and_then(Value::as_str));
        Ok(found.map(|id| published(video, id)))
    }
}
