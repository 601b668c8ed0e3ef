//! A tiny loopback file server: the "public web host" that emulated
//! platforms pull `image_url` / `video_url` media from (Instagram, TikTok
//! PULL_FROM_URL), e.g. behind an `ObjectStoreMediaHost::local` directory.

use std::net::SocketAddr;
use std::path::{Component, Path, PathBuf};

use axum::Router;
use axum::body::Body;
use axum::extract::{Path as UrlPath, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use tokio::sync::watch;
use url::Url;

/// A running file server; stops when dropped.
#[derive(Debug)]
pub struct MediaServer {
    url: Url,
    _stop: watch::Sender<bool>,
}

impl MediaServer {
    /// Serves the files under `root` at `http://127.0.0.1:{port}/`.
    pub async fn start(root: impl Into<PathBuf>) -> std::io::Result<Self> {
        let root = root.into();
        let (listener, addr) = crate::server::bind(SocketAddr::from(([127, 0, 0, 1], 0))).await?;
        let router = Router::new().route("/{*path}", get(serve)).with_state(root);
        let (tx, rx) = watch::channel(false);
        tokio::spawn(crate::server::serve(listener, router, rx));
        let url = Url::parse(&format!("http://{addr}/")).map_err(std::io::Error::other)?;
        Ok(Self { url, _stop: tx })
    }

    /// The base URL (ends with `/`).
    pub fn url(&self) -> &Url {
        &self.url
    }
}

fn content_type(path: &Path) -> &'static str {
    match path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("jpg" | "jpeg") => "image/jpeg",
        Some("png") => "image/png",
        Some("gif") => "image/gif",
        Some("webp") => "image/webp",
        Some("mp4") => "video/mp4",
        Some("mov") => "video/quicktime",
        Some("webm") => "video/webm",
        _ => "application/octet-stream",
    }
}

async fn serve(State(root): State<PathBuf>, UrlPath(path): UrlPath<String>) -> Response {
    let rel = Path::new(&path);
    if rel.components().any(|c| !matches!(c, Component::Normal(_))) {
        return StatusCode::NOT_FOUND.into_response();
    }
    let full = root.join(rel);
    match tokio::fs::File::open(&full).await {
        Ok(file) => {
            let len = file.metadata().await.map(|m| m.len()).unwrap_or(0);
            let stream = tokio_util::io::ReaderStream::new(file);
            (
                [
                    (header::CONTENT_TYPE, content_type(&full).to_owned()),
                    (header::CONTENT_LENGTH, len.to_string()),
                ],
                Body::from_stream(stream),
            )
                .into_response()
        }
        Err(_) => StatusCode::NOT_FOUND.into_response(),
    }
}
