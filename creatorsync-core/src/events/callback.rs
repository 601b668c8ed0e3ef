//! The callback sink: hands each [`Event`] to an async closure of the host
//! application (in process, no HTTP).

use std::fmt;
use std::future::Future;
use std::sync::Arc;

use futures::future::BoxFuture;

use super::{Event, EventSink};
use crate::Result;

type Callback = dyn Fn(Event) -> BoxFuture<'static, Result<()>> + Send + Sync;

/// Calls an async closure with each event; an `Err` from it means "deliver
/// again later", as for any sink.
///
/// ```
/// use creatorsync_core::events::{CallbackSink, EventSink};
/// let sink = CallbackSink::new(|event| async move {
///     println!("{} {}", event.kind.as_str(), event.id);
///     Ok(())
/// });
/// # let _: &dyn EventSink = &sink;
/// ```
#[derive(Clone)]
pub struct CallbackSink {
    callback: Arc<Callback>,
}

impl fmt::Debug for CallbackSink {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CallbackSink").finish_non_exhaustive()
    }
}

impl CallbackSink {
    /// A sink calling `callback` with an owned copy of each event.
    pub fn new<F, Fut>(callback: F) -> Self
    where
        F: Fn(Event) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<()>> + Send + 'static,
    {
        Self {
            callback: Arc::new(move |event| Box::pin(callback(event))),
        }
    }
}

#[async_trait::async_trait]
impl EventSink for CallbackSink {
    async fn deliver(&self, event: &Event) -> Result<()> {
        (self.callback)(event.clone()).await
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use chrono::Utc;

    use super::*;
    use crate::Error;
    use crate::events::EventKind;

    #[tokio::test]
    async fn the_closure_sees_each_event_and_its_error_is_returned() {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = seen.clone();
        let sink = CallbackSink::new(move |e: Event| {
            let log = log.clone();
            async move {
                log.lock().unwrap().push(e.id.clone());
                if e.kind == EventKind::PostFailed {
                    return Err(Error::store("host database down"));
                }
                Ok(())
            }
        });
        let event = |id: &str, kind| Event {
            id: id.into(),
            kind,
            created_at: Utc::now(),
            data: serde_json::json!({}),
        };
        sink.deliver(&event("evt_1", EventKind::PostPublished))
            .await
            .unwrap();
        let err = sink
            .deliver(&event("evt_2", EventKind::PostFailed))
            .await
            .unwrap_err();
        assert!(err.to_string().contains("host database down"));
        assert_eq!(*seen.lock().unwrap(), ["evt_1", "evt_2"]);
    }
}
