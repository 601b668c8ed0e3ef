//! The accept loop. Each connection gets a [`ConnKill`] handle in its
//! requests' extensions; triggering it drops the TCP connection at once,
//! which is how the emulator resets a connection mid-body or loses a
//! response after committing a post.

use std::convert::Infallible;
use std::net::SocketAddr;

use axum::Router;
use axum::extract::Request;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto::Builder;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;
use tower::ServiceExt;

/// Drops the connection a request came in on.
#[derive(Clone, Debug)]
pub struct ConnKill(CancellationToken);

impl ConnKill {
    /// Closes the connection now (the client sees a reset / closed socket).
    pub fn kill(&self) {
        self.0.cancel();
    }

    /// Whether `kill` was called.
    pub fn is_killed(&self) -> bool {
        self.0.is_cancelled()
    }
}

/// Serves `router` on `listener` until `shutdown` turns true.
pub(crate) async fn serve(
    listener: TcpListener,
    router: Router,
    mut shutdown: watch::Receiver<bool>,
) {
    loop {
        let accepted = tokio::select! {
            a = listener.accept() => a,
            _ = shutdown.changed() => return,
        };
        let Ok((tcp, _peer)) = accepted else { continue };
        let _ = tcp.set_nodelay(true);
        let router = router.clone();
        let mut shutdown = shutdown.clone();
        tokio::spawn(async move {
            let kill = CancellationToken::new();
            let kill_for_service = kill.clone();
            let service =
                hyper::service::service_fn(move |mut req: Request<hyper::body::Incoming>| {
                    req.extensions_mut()
                        .insert(ConnKill(kill_for_service.clone()));
                    let router = router.clone();
                    async move {
                        let resp = router.oneshot(req.map(axum::body::Body::new)).await;
                        Ok::<_, Infallible>(match resp {
                            Ok(r) => r,
                            Err(never) => match never {},
                        })
                    }
                });
            let builder = Builder::new(TokioExecutor::new());
            let conn = builder.serve_connection(TokioIo::new(tcp), service);
            tokio::select! {
                _ = conn => {}
                () = kill.cancelled() => {}
                _ = shutdown.changed() => {}
            }
        });
    }
}

/// Binds a listener on `addr` (port 0: any free port).
pub(crate) async fn bind(addr: SocketAddr) -> std::io::Result<(TcpListener, SocketAddr)> {
    let l = TcpListener::bind(addr).await?;
    let a = l.local_addr()?;
    Ok((l, a))
}
