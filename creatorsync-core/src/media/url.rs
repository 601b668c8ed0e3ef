//! Media fetched from an HTTP(S) URL, streamed and SSRF-guarded.

use std::time::Duration;

use async_trait::async_trait;
use bytes::{Bytes, BytesMut};
use reqwest::header::{
    ACCEPT_RANGES, CONTENT_LENGTH, CONTENT_RANGE, CONTENT_TYPE, LOCATION, RANGE,
};
use reqwest::{Method, Response, StatusCode};
use tokio::sync::OnceCell;
use url::Url;

use super::guard::{GuardPolicy, resolve_checked};
use super::sniff::{SNIFF_LEN, detect_mime, kind_of};
use super::{MediaInfo, MediaSource, invalid};
use crate::http::{redact_url, redact_url_str};
use crate::{Error, Result};

/// Default size cap of a URL source: 4 GiB.
pub const DEFAULT_MAX_BYTES: u64 = 4 * 1024 * 1024 * 1024;
/// Maximum redirect hops followed (each one re-checked by the SSRF guard).
pub const MAX_REDIRECTS: usize = 5;
const TIMEOUT: Duration = Duration::from_secs(60);

/// Media at an `http(s)` URL.
///
/// Nothing is downloaded whole: [`MediaSource::describe`] sends a `HEAD`
/// (falling back to a ranged `GET` of the first bytes), and
/// [`MediaSource::read_range`] uses `Range: bytes=a-b` when the server
/// supports it, otherwise streams from the start, skipping, keeping only
/// the requested range in memory. A `206` must answer exactly the range
/// asked for, per its `Content-Range` (start, end, and the total length
/// described earlier), and a body must hold every byte asked for;
/// otherwise the read fails ([`Error::InvalidMedia`], or
/// [`Error::Transport`] for a short body) instead of returning the wrong
/// bytes.
///
/// Every connection goes through the SSRF guard: the host is resolved, and
/// every IANA special-purpose address (loopback, private, link-local and
/// cloud metadata, CGNAT, documentation, benchmarking, 6to4, Teredo,
/// NAT64 of those...), multicast and reserved addresses are refused (see
/// [`crate::media::guard::is_forbidden_ip`]), on every redirect hop, and
/// the request connects to the address that was checked. Loopback and
/// specific hosts can be allowed explicitly.
///
/// ```
/// use creatorsync_core::media::{UrlSource, MediaSource};
/// let src = UrlSource::new("https://cdn.example.com/clip.mp4")?;
/// assert_eq!(src.public_url().unwrap().as_str(), "https://cdn.example.com/clip.mp4");
///
/// // Tests and the local emulator need loopback:
/// let local = UrlSource::builder("http://127.0.0.1:8080/a.jpg")
///     .allow_loopback(true)
///     .max_bytes(50 * 1024 * 1024)
///     .build()?;
/// # let _ = local;
/// # Ok::<(), creatorsync_core::Error>(())
/// ```
#[derive(Debug)]
pub struct UrlSource {
    url: Url,
    policy: GuardPolicy,
    max_bytes: u64,
    described: OnceCell<Described>,
}

#[derive(Clone, Debug)]
struct Described {
    info: MediaInfo,
    ranges: bool,
}

/// Builder of a [`UrlSource`] (allow-lists, size cap).
#[derive(Debug)]
pub struct UrlSourceBuilder {
    url: String,
    policy: GuardPolicy,
    max_bytes: u64,
}

impl UrlSourceBuilder {
    /// Allows these hosts (exact names, case-insensitive) whatever address
    /// they resolve to.
    #[must_use]
    pub fn allow_hosts<I, S>(mut self, hosts: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.policy
            .allow_hosts
            .extend(hosts.into_iter().map(|h| h.into().to_ascii_lowercase()));
        self
    }

    /// Allows loopback addresses (127.0.0.0/8, `::1`); for tests and the
    /// emulator. Other private ranges stay refused.
    #[must_use]
    pub fn allow_loopback(mut self, allow: bool) -> Self {
        self.policy.allow_loopback = allow;
        self
    }

    /// Refuses media larger than `max` bytes (default [`DEFAULT_MAX_BYTES`]).
    #[must_use]
    pub fn max_bytes(mut self, max: u64) -> Self {
        self.max_bytes = max;
        self
    }

    /// Parses the URL and checks its scheme. DNS checks happen on use.
    pub fn build(self) -> Result<UrlSource> {
        let url = Url::parse(&self.url)
            .map_err(|e| invalid(redact_url_str(&self.url), format!("not a valid URL: {e}")))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(invalid(
                redact_url(&url),
                format!(
                    "the {:?} scheme is not allowed; use an http(s) URL",
                    url.scheme()
                ),
            ));
        }
        Ok(UrlSource {
            url,
            policy: self.policy,
            max_bytes: self.max_bytes,
            described: OnceCell::new(),
        })
    }
}

impl UrlSource {
    /// A guarded source with default settings (no loopback, 4 GiB cap).
    pub fn new(url: impl Into<String>) -> Result<Self> {
        Self::builder(url).build()
    }

    /// A builder, to allow hosts or loopback or change the size cap.
    pub fn builder(url: impl Into<String>) -> UrlSourceBuilder {
        UrlSourceBuilder {
            url: url.into(),
            policy: GuardPolicy::default(),
            max_bytes: DEFAULT_MAX_BYTES,
        }
    }

    /// The URL.
    pub fn url(&self) -> &Url {
        &self.url
    }

    fn shown(&self) -> String {
        redact_url(&self.url)
    }

    fn transport(&self, e: reqwest::Error) -> Error {
        let timeout = e.is_timeout();
        let e = e.without_url();
        Error::Transport {
            platform: None,
            message: format!("fetching media {}: {}", self.shown(), &e),
            maybe_sent: false,
            timeout,
            source: Some(Box::new(e)),
        }
    }

    /// Sends one request, following up to [`MAX_REDIRECTS`] redirects by
    /// hand so every hop is checked by the guard and connects to the
    /// checked address.
    async fn send(&self, method: Method, range: Option<(u64, u64)>) -> Result<Response> {
        let mut url = self.url.clone();
        for _ in 0..=MAX_REDIRECTS {
            let addr = resolve_checked(&url, &self.policy).await?;
            let mut builder = reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .no_proxy()
                .timeout(TIMEOUT);
            if let Some(url::Host::Domain(d)) = url.host() {
                builder = builder.resolve(d, addr);
            }
            let client = builder
                .build()
                .map_err(|e| Error::Config(format!("cannot build HTTP client: {e}")))?;
            let mut req = client.request(method.clone(), url.clone());
            if let Some((a, b)) = range {
                req = req.header(RANGE, format!("bytes={a}-{b}"));
            }
            let resp = req.send().await.map_err(|e| self.transport(e))?;
            if resp.status().is_redirection() {
                let loc = resp
                    .headers()
                    .get(LOCATION)
                    .and_then(|v| v.to_str().ok())
                    .ok_or_else(|| invalid(self.shown(), "redirect without a Location header"))?;
                url = url
                    .join(loc)
                    .map_err(|e| invalid(self.shown(), format!("bad redirect Location: {e}")))?;
                tracing::debug!(to = %redact_url(&url), "following media redirect");
                continue;
            }
            if !(resp.status().is_success() || resp.status() == StatusCode::RANGE_NOT_SATISFIABLE) {
                return Err(invalid(
                    self.shown(),
                    format!("the server answered HTTP {}", resp.status().as_u16()),
                ));
            }
            return Ok(resp);
        }
        Err(invalid(
            self.shown(),
            format!("more than {MAX_REDIRECTS} redirects"),
        ))
    }

    /// GETs the resource whole through the guard (an HTML page, for its
    /// Open Graph tags): at most `max_bytes` bytes are read and kept (the
    /// rest is not downloaded). Returns the `Content-Type` and the bytes.
    pub(crate) async fn fetch_head_of_body(&self) -> Result<(Option<String>, Bytes)> {
        let mut resp = self.send(Method::GET, None).await?;
        let kind = content_type(&resp);
        let cap = usize::try_from(self.max_bytes).unwrap_or(usize::MAX);
        let mut out = BytesMut::new();
        while let Some(chunk) = resp.chunk().await.map_err(|e| self.transport(e))? {
            let room = cap.saturating_sub(out.len());
            out.extend_from_slice(&chunk[..chunk.len().min(room)]);
            if out.len() >= cap {
                break; // dropping the response closes it
            }
        }
        Ok((kind, out.freeze()))
    }

    fn too_large(&self, len: u64) -> Error {
        invalid(
            self.shown(),
            format!(
                "too large: {len} bytes, the limit is {} bytes; use a smaller file or raise max_bytes",
                self.max_bytes
            ),
        )
    }

    async fn describe_inner(&self) -> Result<Described> {
        let mut len = None;
        let mut ranges = false;
        let mut header_mime = None;
        if let Ok(resp) = self.send(Method::HEAD, None).await
            && resp.status().is_success()
        {
            len = header_u64(&resp, CONTENT_LENGTH.as_str()).filter(|n| *n > 0);
            ranges = resp
                .headers()
                .get(ACCEPT_RANGES)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.eq_ignore_ascii_case("bytes"));
            header_mime = content_type(&resp);
        }
        if let Some(n) = len
            && n > self.max_bytes
        {
            return Err(self.too_large(n));
        }
        // Ranged GET of the first bytes: magic-byte sniffing, and length /
        // range support when HEAD did not tell.
        let mut resp = self
            .send(Method::GET, Some((0, SNIFF_LEN as u64 - 1)))
            .await?;
        if resp.status() == StatusCode::PARTIAL_CONTENT {
            ranges = true;
            let answered = self.answered_range(&resp, 0, SNIFF_LEN as u64 - 1, len)?;
            len = answered.total.or(len);
            if len.is_none() {
                // Counting this body would measure the range, not the media.
                return Err(invalid(
                    self.shown(),
                    "the server gives no length (no Content-Length, Content-Range total `*`)",
                ));
            }
        } else if resp.status().is_success() {
            ranges = false;
            if len.is_none() {
                len = header_u64(&resp, CONTENT_LENGTH.as_str());
            }
        }
        header_mime = header_mime.or_else(|| content_type(&resp));
        let mut head = BytesMut::with_capacity(SNIFF_LEN);
        let mut counted = 0u64;
        while let Some(chunk) = resp.chunk().await.map_err(|e| self.transport(e))? {
            counted += chunk.len() as u64;
            let room = SNIFF_LEN.saturating_sub(head.len());
            head.extend_from_slice(&chunk[..chunk.len().min(room)]);
            if len.is_some() && head.len() >= SNIFF_LEN {
                break; // dropping the response closes it
            }
            if counted > self.max_bytes {
                return Err(self.too_large(counted));
            }
        }
        // No length anywhere: the whole body was streamed and counted above
        // (never held: only the first SNIFF_LEN bytes are kept).
        let len = len.unwrap_or(counted);
        if len == 0 {
            return Err(invalid(self.shown(), "the server returned no content"));
        }
        if len > self.max_bytes {
            return Err(self.too_large(len));
        }
        let name = self
            .url
            .path_segments()
            .and_then(|mut s| s.next_back())
            .filter(|s| !s.is_empty())
            .map(|s| {
                percent_encoding::percent_decode_str(s)
                    .decode_utf8_lossy()
                    .into_owned()
            });
        let mime = detect_mime(&head, name.as_deref())
            .or_else(|| header_mime.filter(|m| kind_of(m).is_some()))
            .ok_or_else(|| invalid(self.shown(), super::UNKNOWN_TYPE))?;
        let kind = kind_of(&mime).ok_or_else(|| invalid(self.shown(), super::UNKNOWN_TYPE))?;
        Ok(Described {
            info: MediaInfo {
                len,
                mime,
                name,
                kind,
            },
            ranges,
        })
    }

    async fn described(&self) -> Result<&Described> {
        self.described
            .get_or_try_init(|| self.describe_inner())
            .await
    }

    /// Streams the body from `resp`, whose first byte is at `body_start`,
    /// keeping only `[offset, offset + len)`.
    async fn collect(
        &self,
        mut resp: Response,
        body_start: u64,
        offset: u64,
        len: u64,
    ) -> Result<Bytes> {
        let end = offset.saturating_add(len);
        let mut out = BytesMut::with_capacity(usize::try_from(len.min(8 << 20)).unwrap_or(0));
        let mut pos = body_start;
        while let Some(chunk) = resp.chunk().await.map_err(|e| self.transport(e))? {
            let c_start = pos;
            let c_end = pos + chunk.len() as u64;
            pos = c_end;
            if c_end > self.max_bytes {
                return Err(self.too_large(c_end));
            }
            let from = offset.max(c_start);
            let to = end.min(c_end);
            if from < to {
                // Both within the chunk, so the casts are lossless.
                out.extend_from_slice(&chunk[(from - c_start) as usize..(to - c_start) as usize]);
            }
            if pos >= end {
                break;
            }
        }
        Ok(out.freeze())
    }
}

/// A `Content-Range: bytes first-last/total` answer (`total` is `None`
/// for `*`, an unknown length).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct ContentRange {
    first: u64,
    last: u64,
    total: Option<u64>,
}

impl ContentRange {
    fn parse(value: &str) -> Option<Self> {
        let rest = value.trim().strip_prefix("bytes")?.trim_start();
        let (range, total) = rest.split_once('/')?;
        let (first, last) = range.trim().split_once('-')?;
        let first = first.trim().parse().ok()?;
        let last = last.trim().parse().ok()?;
        let total = match total.trim() {
            "*" => None,
            t => Some(t.parse().ok()?),
        };
        let consistent = first <= last && total.is_none_or(|t| last < t);
        consistent.then_some(Self { first, last, total })
    }
}

impl UrlSource {
    /// Checks that a `206` answers the range asked for: it starts at
    /// `first`, ends at `last` (or earlier only where the media ends), and
    /// its total agrees with `known_total` when one is known. Anything else
    /// (no `Content-Range`, another range, another length) is an
    /// [`Error::InvalidMedia`]: using those bytes would upload the wrong
    /// part of the file.
    fn answered_range(
        &self,
        resp: &Response,
        first: u64,
        last: u64,
        known_total: Option<u64>,
    ) -> Result<ContentRange> {
        let raw = resp
            .headers()
            .get(CONTENT_RANGE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        let wrong = |why: String| {
            invalid(
                self.shown(),
                format!("asked for bytes {first}-{last}, the server answered HTTP 206 {why}"),
            )
        };
        let Some(answer) = ContentRange::parse(raw) else {
            return Err(wrong(format!("without a valid Content-Range ({raw:?})")));
        };
        // The server may end early only where the media ends.
        let last_ok = match answer.total.or(known_total) {
            Some(total) => answer.last == last.min(total.saturating_sub(1)),
            None => answer.last <= last,
        };
        let total_agrees = match (answer.total, known_total) {
            (Some(a), Some(k)) => a == k,
            _ => true,
        };
        if answer.first != first || !last_ok || !total_agrees {
            let shown_total = answer.total.map_or("*".to_owned(), |t| t.to_string());
            let known = known_total.map_or(String::new(), |k| format!(" of a {k}-byte file"));
            return Err(wrong(format!(
                "with bytes {}-{}/{shown_total}{known}; the media changed or the server is misbehaving",
                answer.first, answer.last
            )));
        }
        Ok(answer)
    }
}

fn header_u64(resp: &Response, name: &str) -> Option<u64> {
    resp.headers().get(name)?.to_str().ok()?.trim().parse().ok()
}

fn content_type(resp: &Response) -> Option<String> {
    let v = resp.headers().get(CONTENT_TYPE)?.to_str().ok()?;
    Some(
        v.split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase(),
    )
}

#[async_trait]
impl MediaSource for UrlSource {
    async fn describe(&self) -> Result<MediaInfo> {
        Ok(self.described().await?.info.clone())
    }

    async fn read_range(&self, offset: u64, len: u64) -> Result<Bytes> {
        let d = self.described().await?;
        let total = d.info.len;
        if len == 0 || offset >= total {
            return Ok(Bytes::new());
        }
        let last = offset.saturating_add(len).min(total) - 1;
        let want = last - offset + 1;
        let got = if d.ranges {
            let resp = self.send(Method::GET, Some((offset, last))).await?;
            if resp.status() == StatusCode::PARTIAL_CONTENT {
                self.answered_range(&resp, offset, last, Some(total))?;
                self.collect(resp, offset, offset, want).await?
            } else if resp.status() == StatusCode::RANGE_NOT_SATISFIABLE {
                // Inside the described length: the media changed since.
                return Err(invalid(
                    self.shown(),
                    format!(
                        "the server refused bytes {offset}-{last} of a {total}-byte file (HTTP 416); the media changed while it was being read"
                    ),
                ));
            } else {
                // The server ignored the range: skip to it.
                self.collect(resp, 0, offset, want).await?
            }
        } else {
            let resp = self.send(Method::GET, None).await?;
            self.collect(resp, 0, offset, want).await?
        };
        if got.len() as u64 != want {
            return Err(Error::Transport {
                platform: None,
                message: format!(
                    "fetching media {}: the body ended after {} of the {want} bytes asked for at offset {offset}",
                    self.shown(),
                    got.len()
                ),
                maybe_sent: false,
                timeout: false,
                source: None,
            });
        }
        Ok(got)
    }

    fn public_url(&self) -> Option<&Url> {
        Some(&self.url)
    }
}

#[cfg(test)]
mod tests {
    use std::net::SocketAddr;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use axum::Router;
    use axum::extract::State;
    use axum::http::{HeaderMap, Method, StatusCode, Uri, header};
    use axum::response::{IntoResponse, Response};
    use axum::routing::any;

    use super::*;
    use crate::MediaKind;

    fn body() -> Vec<u8> {
        let mut v = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
        v.extend((0..100_000u32).map(|i| (i % 253) as u8));
        v
    }

    #[derive(Clone)]
    struct App {
        body: Arc<Vec<u8>>,
        full_gets: Arc<AtomicUsize>,
        port: u16,
    }

    async fn handler(
        State(app): State<App>,
        method: Method,
        uri: Uri,
        headers: HeaderMap,
    ) -> Response {
        let path = uri.path();
        if path == "/redirect-private" {
            return (
                StatusCode::FOUND,
                [(header::LOCATION, "http://10.0.0.1/a.png")],
            )
                .into_response();
        }
        if path == "/redirect-loopback" {
            let to = format!("http://127.0.0.1:{}/ranged/a.png?sig=x", app.port);
            return (StatusCode::FOUND, [(header::LOCATION, to)]).into_response();
        }
        if path == "/loop" {
            return (StatusCode::FOUND, [(header::LOCATION, "/loop")]).into_response();
        }
        // `/ranged/` answers ranges correctly; the other range servers
        // misbehave on ranges past the start (`always-shift`: on every
        // range): another range, another total, no Content-Range, a body
        // shorter than its Content-Range.
        let mode = path.split('/').nth(1).unwrap_or("");
        let ranged = matches!(
            mode,
            "ranged" | "shift" | "total" | "bare" | "short" | "always-shift"
        );
        let b = &app.body;
        if method == Method::HEAD {
            let mut r = (
                StatusCode::OK,
                [(header::CONTENT_TYPE, "application/octet-stream")],
            )
                .into_response();
            r.headers_mut()
                .insert(header::CONTENT_LENGTH, b.len().into());
            if ranged {
                r.headers_mut()
                    .insert(header::ACCEPT_RANGES, "bytes".parse().unwrap());
            }
            return r;
        }
        if ranged && let Some(range) = headers.get(header::RANGE).and_then(|v| v.to_str().ok()) {
            let spec = range.trim_start_matches("bytes=");
            let (a, z) = spec.split_once('-').unwrap();
            let a: usize = a.parse().unwrap();
            let z: usize = z.parse::<usize>().unwrap().min(b.len() - 1);
            let misbehave = mode == "always-shift" || (a > 0 && mode != "ranged");
            let (a, z, total) = match mode {
                "shift" | "always-shift" if misbehave => (a + 1, (z + 1).min(b.len() - 1), b.len()),
                "total" if misbehave => (a, z, b.len() + 1),
                _ => (a, z, b.len()),
            };
            let mut bytes = b[a..=z].to_vec();
            if misbehave && mode == "short" {
                bytes.truncate(bytes.len() - 10);
            }
            let mut r = (StatusCode::PARTIAL_CONTENT, bytes).into_response();
            if !(misbehave && mode == "bare") {
                let cr = format!("bytes {a}-{z}/{total}");
                r.headers_mut()
                    .insert(header::CONTENT_RANGE, cr.parse().unwrap());
            }
            return r;
        }
        app.full_gets.fetch_add(1, Ordering::SeqCst);
        b.as_ref().clone().into_response()
    }

    async fn serve() -> (SocketAddr, App) {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let app = App {
            body: Arc::new(body()),
            full_gets: Arc::default(),
            port: addr.port(),
        };
        let router = Router::new().fallback(any(handler)).with_state(app.clone());
        tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
        (addr, app)
    }

    fn local(url: String) -> UrlSource {
        UrlSource::builder(url)
            .allow_loopback(true)
            .build()
            .unwrap()
    }

    #[tokio::test]
    async fn range_server() {
        let (addr, app) = serve().await;
        let src = local(format!("http://{addr}/ranged/a.png?token=secret"));
        let info = src.describe().await.unwrap();
        assert_eq!(
            (info.len, info.kind),
            (app.body.len() as u64, MediaKind::Image)
        );
        assert_eq!(info.mime, "image/png");
        assert_eq!(info.name.as_deref(), Some("a.png"));
        let got = src.read_range(50_000, 1000).await.unwrap();
        assert_eq!(&got[..], &app.body[50_000..51_000]);
        let tail = src
            .read_range(app.body.len() as u64 - 10, 100)
            .await
            .unwrap();
        assert_eq!(tail.len(), 10);
        assert!(
            src.read_range(app.body.len() as u64, 5)
                .await
                .unwrap()
                .is_empty()
        );
        assert_eq!(
            app.full_gets.load(Ordering::SeqCst),
            0,
            "never fetched the whole body"
        );
        assert!(src.public_url().unwrap().as_str().contains("/ranged/a.png"));
    }

    #[tokio::test]
    async fn a_206_with_another_range_is_an_error_never_wrong_bytes() {
        let (addr, app) = serve().await;
        for (mode, want_invalid) in [
            ("shift", true),
            ("total", true),
            ("bare", true),
            ("short", false),
        ] {
            let src = local(format!("http://{addr}/{mode}/a.png"));
            assert_eq!(src.describe().await.unwrap().len, app.body.len() as u64);
            let err = src.read_range(50_000, 1000).await.unwrap_err();
            let shown = err.to_string();
            if want_invalid {
                assert!(
                    matches!(err, Error::InvalidMedia { .. }) && shown.contains("50000-50999"),
                    "{mode}: {err:?}"
                );
            } else {
                assert!(
                    matches!(err, Error::Transport { .. }) && shown.contains("990 of the 1000"),
                    "{mode}: {err:?}"
                );
            }
        }
        // A wrong answer to the first range fails `describe`.
        let err = local(format!("http://{addr}/always-shift/a.png"))
            .describe()
            .await
            .unwrap_err();
        assert!(matches!(err, Error::InvalidMedia { .. }), "{err:?}");
        assert_eq!(app.full_gets.load(Ordering::SeqCst), 0);
    }

    #[test]
    fn content_range_parsing() {
        let cr = |first, last, total| ContentRange { first, last, total };
        assert_eq!(
            ContentRange::parse("bytes 0-9/100"),
            Some(cr(0, 9, Some(100)))
        );
        assert_eq!(ContentRange::parse(" bytes 5-5/*"), Some(cr(5, 5, None)));
        for bad in [
            "",
            "bytes */100",
            "bytes 9-0/100",
            "bytes 0-100/100",
            "items 0-1/2",
            "bytes 0-x/1",
        ] {
            assert_eq!(ContentRange::parse(bad), None, "{bad}");
        }
    }

    #[tokio::test]
    async fn no_range_server_streams_and_skips() {
        let (addr, app) = serve().await;
        let src = local(format!("http://{addr}/plain/a.png"));
        assert_eq!(src.describe().await.unwrap().len, app.body.len() as u64);
        let got = src.read_range(70_000, 4096).await.unwrap();
        assert_eq!(&got[..], &app.body[70_000..74_096]);
    }

    #[tokio::test]
    async fn loopback_refused_by_default_and_redirects_checked() {
        let (addr, _app) = serve().await;
        let err = UrlSource::new(format!("http://{addr}/ranged/a.png?sig=SECRET"))
            .unwrap()
            .describe()
            .await
            .unwrap_err();
        assert!(
            matches!(&err, Error::InvalidMedia { source_name, .. } if !source_name.contains("SECRET")),
            "{err}"
        );

        let err = local(format!("http://{addr}/redirect-private"))
            .describe()
            .await
            .unwrap_err();
        assert!(err.to_string().contains("10.0.0.1"), "{err}");

        // allow_hosts for 127.0.0.1 lets the first hop through, but the
        // redirect to a private address is still refused.
        let src = UrlSource::builder(format!("http://{addr}/redirect-private"))
            .allow_hosts(["127.0.0.1"])
            .build()
            .unwrap();
        assert!(src.describe().await.is_err());

        let ok = local(format!("http://{addr}/redirect-loopback"))
            .describe()
            .await
            .unwrap();
        assert_eq!(ok.kind, MediaKind::Image);

        let err = local(format!("http://{addr}/loop"))
            .describe()
            .await
            .unwrap_err();
        assert!(err.to_string().contains("redirects"), "{err}");
    }

    #[tokio::test]
    async fn errors_never_show_userinfo_secret_params_or_fragment() {
        let secrets = ["hunter2", "S1G", "FRAG", "T0KEN"];
        let check = |err: Error| {
            let shown = format!("{err} {err:?}");
            for s in secrets {
                assert!(!shown.contains(s), "{s} in {shown}");
            }
        };
        // Does not parse (bad port), wrong scheme.
        check(
            UrlSource::new("https://me:hunter2@cdn.example.com:99999/a#FRAG?sig=S1G").unwrap_err(),
        );
        check(UrlSource::new("ftp://me:hunter2@cdn.example.com/a?sig=S1G#FRAG").unwrap_err());
        // Refused by the guard (an IP literal: no lookup, no traffic).
        let src = UrlSource::new("http://T0KEN@10.0.0.1/a.png?X-Amz-Signature=S1G#FRAG").unwrap();
        check(src.describe().await.unwrap_err());
        let src = UrlSource::new("http://me:hunter2@10.0.0.1/a.png#FRAG").unwrap();
        let err = src.describe().await.unwrap_err();
        assert!(
            err.to_string().contains("me:[redacted]@10.0.0.1/a.png"),
            "{err}"
        );
        check(err);
    }

    #[tokio::test]
    async fn size_cap_and_bad_urls() {
        let (addr, _app) = serve().await;
        let src = UrlSource::builder(format!("http://{addr}/plain/a.png"))
            .allow_loopback(true)
            .max_bytes(1000)
            .build()
            .unwrap();
        let err = src.describe().await.unwrap_err();
        assert!(err.to_string().contains("too large"), "{err}");
        assert!(UrlSource::new("file:///etc/passwd").is_err());
        assert!(UrlSource::new("not a url").is_err());
    }
}
