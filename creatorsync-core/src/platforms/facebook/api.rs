//! One page's view of the Graph API: versioned URLs carrying the page
//! token and its `appsecret_proof`, and permalinks.

use reqwest::Method;
use serde::Deserialize;
use serde_json::Value;
use url::Url;

use crate::http::{Host, Idempotency};
use crate::platforms::Published;
use crate::platforms::meta::Graph;
use crate::{Error, Platform, Result};

/// Where relative permalinks (videos) are resolved.
const WEB_BASE: &str = "https://www.facebook.com";

/// One page's view of the Graph API.
pub(super) struct Api<'a> {
    pub(super) graph: Graph<'a>,
    pub(super) page: &'a str,
}

impl Api<'_> {
    /// `/{version}{path}` on `host`, with the token and its proof.
    pub(super) fn url(&self, host: Host, path: &str) -> Url {
        self.graph.signed_url(host, path)
    }

    /// The post's `permalink_url`, made absolute.
    pub(super) async fn permalink(&self, post_id: &str) -> Result<Published> {
        #[derive(Deserialize)]
        struct P {
            #[serde(default)]
            permalink_url: Option<String>,
        }
        let url = self.url(Host::Api, &format!("/{post_id}"));
        let url = with_query(url, &[("fields", "permalink_url")]);
        let p: P = self
            .graph
            .json(
                "post.permalink",
                Idempotency::Idempotent,
                Method::GET,
                url,
                |rb| rb,
            )
            .await?;
        let link = p.permalink_url.filter(|l| !l.is_empty()).ok_or_else(|| {
            Error::unexpected_response(
                Platform::Facebook,
                None,
                &format!("post {post_id} was created but Facebook returned no permalink_url"),
                None,
            )
        })?;
        let url = if link.starts_with('/') {
            format!("{WEB_BASE}{link}")
        } else {
            link
        };
        Ok(Published {
            post_id: post_id.to_owned(),
            url,
        })
    }
}

pub(super) fn with_query(mut url: Url, pairs: &[(&str, &str)]) -> Url {
    url.query_pairs_mut().extend_pairs(pairs);
    url
}

/// Graph sends offsets as strings (sometimes numbers).
pub(super) fn offset(v: &Value) -> Result<u64> {
    match v {
        Value::String(s) => s.parse().ok(),
        Value::Number(n) => n.as_u64(),
        _ => None,
    }
    .ok_or_else(|| {
        Error::unexpected_response(
            Platform::Facebook,
            None,
            &format!("offset {v} is not a number"),
            None,
        )
    })
}
