//! `connect`: begins the core's connect flow with a loopback redirect URI
//! (`http://127.0.0.1:PORT/callback`, RFC 8252), prints the authorize URL
//! (optionally opens it), catches the platform's redirect on that listener
//! and completes the connect with the callback URL. The browser's page
//! says how it ended; the core checks the state and exchanges the code.

use std::io::Write;
use std::time::Duration;

use creatorsync_core::{Account, CreatorSync, Error, Platform, Result};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use crate::emulator::Local;

/// The largest request head read from the browser.
const MAX_HEAD: usize = 16 * 1024;

/// How one connect runs.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Options {
    /// Listener port (0: any free port).
    pub(crate) port: u16,
    /// Open the URL in the default browser.
    pub(crate) open: bool,
    /// How long to wait for the callback.
    pub(crate) timeout: Duration,
    /// X's OAuth 1.0a flow.
    pub(crate) oauth1: bool,
}

/// Connects `platform` for `user`; returns the accounts it brought.
pub(crate) async fn connect(
    sync: &CreatorSync,
    user: &str,
    platform: Platform,
    o: Options,
    emulator: Option<&Local>,
) -> Result<Vec<Account>> {
    let listener = TcpListener::bind(("127.0.0.1", o.port))
        .await
        .map_err(|e| Error::Config(format!("cannot listen on 127.0.0.1:{}: {e}", o.port)))?;
    let port = listener
        .local_addr()
        .map_err(|e| Error::Config(format!("loopback listener: {e}")))?
        .port();
    let redirect = format!("http://127.0.0.1:{port}/callback");
    let request = match (o.oauth1, platform) {
        (true, Platform::X) => sync.connector().begin_oauth1(user, &redirect).await?,
        (true, _) => {
            return Err(Error::invalid_input(
                "--oauth1",
                "only X has an OAuth 1.0a flow",
            ));
        }
        (false, _) => sync.connector().begin(user, platform, &redirect).await?,
    };
    let url = request.url.to_string();
    let _ = writeln!(
        std::io::stderr(),
        "Open this URL to connect {platform} (waiting on {redirect}):\n  {url}"
    );
    if o.open && emulator.is_none() {
        open_browser(&url);
    }
    // With the emulator, its login user approves at once and this process
    // plays the browser following the redirect to the listener.
    let callback_for_browser = match emulator {
        Some(local) => Some(local.approve(&url).await?),
        None => None,
    };
    let flow = async {
        let (stream, callback) = tokio::time::timeout(o.timeout, catch_callback(&listener, port))
            .await
            .map_err(|_| Error::Timeout {
                platform: Some(platform),
                what: format!(
                    "the browser's redirect to {redirect} (no callback within {}s)",
                    o.timeout.as_secs()
                ),
            })??;
        let result = sync
            .connector()
            .complete_from_url(user, platform, &callback)
            .await;
        let page = match &result {
            Ok(a) => format!(
                "Connected {} {platform} account(s). You can close this window.",
                a.len()
            ),
            Err(e) => format!("The connect failed: {e}"),
        };
        answer(stream, 200, &page).await;
        result
    };
    let browser = async {
        match callback_for_browser {
            Some(callback) => follow(&callback, o.timeout).await,
            None => Ok(()),
        }
    };
    let (result, browsed) = tokio::join!(flow, browser);
    let accounts = result?;
    browsed?;
    Ok(accounts)
}

/// Requests `callback` as a browser would (no redirects followed).
async fn follow(callback: &str, timeout: Duration) -> Result<()> {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .timeout(timeout)
        .build()
        .map_err(|e| Error::Config(format!("http client: {e}")))?;
    client
        .get(callback)
        .send()
        .await
        .map_err(|e| Error::Config(format!("the loopback callback was not reached: {e}")))?;
    Ok(())
}

/// Waits for the request to `/callback`; other requests (a favicon) are
/// answered 404. Returns the connection (answered once the connect ends)
/// and the callback's full URL.
async fn catch_callback(listener: &TcpListener, port: u16) -> Result<(TcpStream, String)> {
    loop {
        let (mut stream, _) = listener
            .accept()
            .await
            .map_err(|e| Error::Config(format!("loopback listener: {e}")))?;
        let Some(target) = read_target(&mut stream).await else {
            answer(stream, 400, "Bad request.").await;
            continue;
        };
        if target == "/callback" || target.starts_with("/callback?") {
            return Ok((stream, format!("http://127.0.0.1:{port}{target}")));
        }
        answer(stream, 404, "Not found.").await;
    }
}

/// The request target of a `GET` request's head.
async fn read_target(stream: &mut TcpStream) -> Option<String> {
    let mut head = Vec::new();
    let mut buf = [0u8; 2048];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < MAX_HEAD {
        let n = tokio::time::timeout(Duration::from_secs(10), stream.read(&mut buf))
            .await
            .ok()?
            .ok()?;
        if n == 0 {
            break;
        }
        head.extend_from_slice(&buf[..n]);
    }
    let text = std::str::from_utf8(&head).ok()?;
    let mut words = text.lines().next()?.split_whitespace();
    match (words.next(), words.next()) {
        (Some("GET"), Some(target)) if target.starts_with('/') => Some(target.to_owned()),
        _ => None,
    }
}

/// Answers with a small text page and closes the connection.
async fn answer(mut stream: TcpStream, status: u16, body: &str) {
    let reason = match status {
        200 => "OK",
        404 => "Not Found",
        _ => "Bad Request",
    };
    let response = format!(
        "HTTP/1.1 {status} {reason}\r\ncontent-type: text/plain; charset=utf-8\r\n\
         content-length: {}\r\ncache-control: no-store\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = stream.write_all(response.as_bytes()).await;
    let _ = stream.shutdown().await;
}

/// Opens `url` in the default browser (best effort: the URL is printed
/// anyway).
fn open_browser(url: &str) {
    let mut cmd = if cfg!(target_os = "macos") {
        std::process::Command::new("open")
    } else if cfg!(windows) {
        let mut c = std::process::Command::new("cmd");
        c.args(["/C", "start", ""]);
        c
    } else {
        std::process::Command::new("xdg-open")
    };
    let spawned = cmd
        .arg(url)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
    if spawned.is_err() {
        let _ = writeln!(
            std::io::stderr(),
            "could not open a browser; open the URL above yourself"
        );
    }
}
