//! Progress events delivered to a Python callable on the event loop thread.
//!
//! The core emits events from tokio tasks. The sink only pushes them into an
//! unbounded channel (never blocks, never takes the GIL); one blocking
//! drainer thread hands them to the loop in order with
//! `loop.call_soon_threadsafe(callback, event)`. Before a publish returns,
//! [`Drain::finish`] waits until every event was handed over, so the
//! callback sees all events before the awaiting code resumes.

use std::sync::Arc;

use creatorsync_core::{ProgressEvent, ProgressFn};
use pyo3::prelude::*;
use pyo3_async_runtimes::TaskLocals;
use tokio::sync::{mpsc, oneshot};

use crate::convert::json_to_py;

enum Msg {
    Event(serde_json::Value),
    Close,
}

/// Waits for the drainer of one publish.
#[derive(Debug)]
pub(crate) struct Drain {
    tx: mpsc::UnboundedSender<Msg>,
    done: oneshot::Receiver<()>,
}

impl std::fmt::Debug for Msg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Msg")
    }
}

impl Drain {
    /// Flushes: returns once every event emitted so far was scheduled on
    /// the loop (before the publish result is).
    pub(crate) async fn finish(self) {
        if self.tx.send(Msg::Close).is_ok() {
            let _ = self.done.await;
        }
    }
}

/// Starts a drainer calling `callback(event_dict)` on `locals`' loop.
pub(crate) fn start(callback: Py<PyAny>, locals: TaskLocals) -> (ProgressFn, Drain) {
    let (tx, mut rx) = mpsc::unbounded_channel::<Msg>();
    let (done_tx, done) = oneshot::channel();
    crate::runtime::runtime().spawn_blocking(move || {
        let mut batch = Vec::new();
        let mut closed = false;
        while !closed {
            match rx.blocking_recv() {
                Some(m) => batch.push(m),
                None => break,
            }
            while let Ok(m) = rx.try_recv() {
                batch.push(m);
            }
            let attached = crate::runtime::attach(|py| {
                let event_loop = locals.event_loop(py);
                for m in batch.drain(..) {
                    match m {
                        Msg::Event(v) => {
                            let delivered = json_to_py(py, &v).and_then(|ev| {
                                event_loop
                                    .call_method1("call_soon_threadsafe", (callback.bind(py), ev))
                            });
                            // A closed loop cannot take events any more;
                            // the publish itself goes on.
                            if let Err(e) = delivered {
                                e.print(py);
                            }
                        }
                        Msg::Close => closed = true,
                    }
                }
            });
            // A finalizing interpreter takes no more events.
            if attached.is_none() {
                break;
            }
        }
        let _ = done_tx.send(());
    });
    let sink_tx = tx.clone();
    let sink: ProgressFn = Arc::new(move |event: &ProgressEvent| {
        let v = serde_json::to_value(event).unwrap_or_default();
        let _ = sink_tx.send(Msg::Event(v));
    });
    (sink, Drain { tx, done })
}
