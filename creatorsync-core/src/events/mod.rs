//! What the SDK tells the host application when a scheduled post settles:
//! `post.published`, `post.failed`, `post.outcome_unknown`.
//!
//! The scheduler hands every event to one [`EventSink`]; the SDK ships a
//! signed webhook sink and a callback sink, and a host may bring its own.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::Result;

mod callback;
mod webhook;

pub use callback::CallbackSink;
pub use webhook::{
    EVENT_ID_HEADER, SIGNATURE_HEADER, WebhookSink, WebhookSinkBuilder, verify_signature,
};

/// Which outcome an [`Event`] reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[non_exhaustive]
pub enum EventKind {
    /// Every target of the post is published.
    #[serde(rename = "post.published")]
    PostPublished,
    /// The post ended with at least one target failed and none unknown.
    #[serde(rename = "post.failed")]
    PostFailed,
    /// At least one target may or may not exist on its platform; it is
    /// reconciled before anything is created again.
    #[serde(rename = "post.outcome_unknown")]
    PostOutcomeUnknown,
}

impl EventKind {
    /// The wire name (`post.published`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::PostPublished => "post.published",
            EventKind::PostFailed => "post.failed",
            EventKind::PostOutcomeUnknown => "post.outcome_unknown",
        }
    }
}

/// One event: the JSON body a webhook receives.
#[derive(Debug, Clone, Serialize)]
pub struct Event {
    /// Unique per event; a receiver uses it to drop redeliveries.
    pub id: String,
    /// What happened.
    #[serde(rename = "type")]
    pub kind: EventKind,
    /// When the SDK settled the post.
    pub created_at: DateTime<Utc>,
    /// The scheduled post's public view (the same shape `get` returns in
    /// Rust, Python and Node), per-target results included.
    pub data: serde_json::Value,
}

/// Where events go. Delivery is at least once: a sink may see an event
/// again after a crash, with the same [`Event::id`].
#[async_trait]
pub trait EventSink: Send + Sync {
    /// Delivers one event; an error means "try again later".
    async fn deliver(&self, event: &Event) -> Result<()>;
}
