//! # creatorsync-emulator
//!
//! A stateful local emulator of the X, LinkedIn, Facebook Pages, Instagram,
//! YouTube and TikTok APIs, following `shared/platforms.md`: OAuth with
//! auto-approve, token expiry on a controllable clock, rotation, chunked and
//! resumable uploads with processing state machines, publishing, permalinks,
//! rate limits — plus fault injection (at the n-th request to a route) and a
//! record of everything published and of every request received.
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! use creatorsync_emulator::{Emulator, EmulatorConfig};
//! let emu = Emulator::start(EmulatorConfig::default()).await?;
//! let endpoints = emu.endpoints().clone(); // hand these to the SDK
//! assert!(emu.record().posts().is_empty());
//! emu.shutdown().await;
//! # Ok(()) }
//! ```

// Route helpers return the platform's error `Response` as the `Err` arm by
// design (axum handlers answer it directly); boxing it would only add noise.
#![allow(clippy::result_large_err)]

mod body;
mod calendar;
mod clock;
mod common;
mod config;
mod control;
mod faults;
mod inspect;
mod media_server;
mod metrics;
mod platforms;
mod record;
mod server;
mod tokens;

/// LinkedIn's little text format, as the emulator reads commentary.
pub use platforms::linkedin::little;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use creatorsync_core::{EndpointSet, Endpoints, Platform};
use serde::Serialize;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use url::Url;

pub use body::{Drained, HEAD_KEEP, StreamHash, drain};
pub use clock::Clock;
pub use common::{Logins, auth_error, bearer, check_bearer, check_token, form};
pub use config::{
    AppCredentials, EmulatorConfig, FACEBOOK_REELS_PER_DAY, Identity, LINKEDIN_MEMBER_DAILY_POSTS,
    PageIdentity, TIKTOK_ACCESS_SECS, TIKTOK_MAX_VIDEO_POST_DURATION_SEC, TIKTOK_REFRESH_SECS,
    TikTokRateLimits, TokenLifetimes, X_MAX_APPEND_BYTES, X_MEDIA_PER_WINDOW, X_TWEETS_PER_DAY_APP,
    X_TWEETS_PER_WINDOW, YOUTUBE_UPLOADS_PER_DAY,
};
pub use faults::{Fault, FaultKind, Faults, error_response, rate_limit_response};
pub use media_server::MediaServer;
pub use record::{
    ChunkRecord, EDITS_KEY, Inspected, MediaRecord, Record, RecordedPost, RequestRecord, STATE_KEY,
};
pub use server::ConnKill;
pub use tokens::{
    AuthCode, Issued, RefreshPolicy, TokenInfo, TokenProblem, Tokens, random_token, verify_pkce,
};

/// State shared by every route of the emulator.
#[derive(Debug)]
pub struct Shared {
    /// Configuration.
    pub config: EmulatorConfig,
    /// The controllable clock.
    pub clock: Clock,
    /// OAuth codes and tokens.
    pub tokens: Tokens,
    /// What was received and published.
    pub record: Record,
    /// Injected faults.
    pub faults: Faults,
    /// Who approves the authorize pages.
    pub logins: Logins,
    /// Base URL of each platform's listener (for upload URLs it hands out).
    pub endpoints: EndpointSet,
}

/// Shared state handle.
pub type Ctx = Arc<Shared>;

impl Shared {
    /// Base URL (no trailing slash) of `platform`'s listener.
    pub fn base(&self, platform: Platform) -> String {
        self.endpoints
            .get(platform)
            .api
            .as_str()
            .trim_end_matches('/')
            .to_owned()
    }
}

/// Starts emulators.
#[derive(Debug)]
pub struct Emulator;

/// A running emulator. Dropping it does not stop the servers; call
/// [`RunningEmulator::shutdown`].
#[derive(Debug)]
pub struct RunningEmulator {
    ctx: Ctx,
    control: Url,
    shutdown: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
}

/// The binary's JSON line.
#[derive(Debug, Serialize)]
pub struct Announcement {
    /// Endpoints per platform (flattened: keys `x`, `linkedin`, ...).
    #[serde(flatten)]
    pub endpoints: EndpointSet,
    /// Control API base URL.
    pub control: Url,
    /// The app credentials the emulator accepts, per platform.
    pub apps: std::collections::BTreeMap<String, AppCredentials>,
}

fn url_of(addr: SocketAddr) -> Url {
    // A socket address always forms a valid http URL.
    Url::parse(&format!("http://{addr}")).unwrap_or_else(|_| unreachable!("socket address URL"))
}

impl Emulator {
    /// Binds one loopback listener per platform plus the control API and
    /// starts serving. With port 0 each listener gets a free port; with a
    /// port P the control API takes P and the platforms P+1..=P+6.
    pub async fn start(config: EmulatorConfig) -> std::io::Result<RunningEmulator> {
        Self::start_on(SocketAddr::new(config.bind, 0), config).await
    }

    /// Like [`Emulator::start`] on an explicit address.
    pub async fn start_on(
        addr: SocketAddr,
        config: EmulatorConfig,
    ) -> std::io::Result<RunningEmulator> {
        let port_for = |i: u16| if addr.port() == 0 { 0 } else { addr.port() + i };
        let (control_listener, control_addr) =
            server::bind(SocketAddr::new(addr.ip(), port_for(0))).await?;
        let mut listeners = Vec::new();
        let mut endpoints = EndpointSet::production();
        for (i, p) in Platform::ALL.iter().enumerate() {
            let (l, a) = server::bind(SocketAddr::new(
                addr.ip(),
                port_for(u16::try_from(i).unwrap_or(0) + 1),
            ))
            .await?;
            let u = url_of(a);
            endpoints.set(
                *p,
                Endpoints {
                    auth: u.clone(),
                    token: u.clone(),
                    api: u.clone(),
                    upload: u,
                },
            );
            listeners.push((*p, l));
        }
        let ctx: Ctx = Arc::new(Shared {
            config,
            clock: Clock::default(),
            tokens: Tokens::default(),
            record: Record::default(),
            faults: Faults::default(),
            logins: Logins::default(),
            endpoints,
        });
        let (tx, rx) = watch::channel(false);
        let mut routers = platforms::routers(&ctx);
        let mut tasks = Vec::new();
        for (p, l) in listeners {
            let router: Router = routers
                .remove(&p)
                .unwrap_or_default()
                // Uploads are streamed and hashed, never buffered: axum's
                // 2 MB default (applied to Multipart) would refuse real chunks.
                .layer(axum::extract::DefaultBodyLimit::disable())
                .layer(axum::middleware::from_fn_with_state(
                    (ctx.clone(), p),
                    faults::apply,
                ));
            tasks.push(tokio::spawn(server::serve(l, router, rx.clone())));
        }
        tasks.push(tokio::spawn(server::serve(
            control_listener,
            control::router(ctx.clone()),
            rx,
        )));
        Ok(RunningEmulator {
            ctx,
            control: url_of(control_addr),
            shutdown: tx,
            tasks,
        })
    }
}

impl RunningEmulator {
    /// Endpoints to hand to the SDK.
    pub fn endpoints(&self) -> &EndpointSet {
        &self.ctx.endpoints
    }

    /// The control API's base URL.
    pub fn control_url(&self) -> &Url {
        &self.control
    }

    /// The app credentials the emulator accepts for `platform`.
    pub fn app(&self, platform: Platform) -> AppCredentials {
        self.ctx.config.app(platform)
    }

    /// The Instagram app of Instagram API with Instagram Login.
    pub fn instagram_login_app(&self) -> AppCredentials {
        self.ctx.config.instagram_login_app.clone()
    }

    /// The controllable clock.
    pub fn clock(&self) -> &Clock {
        &self.ctx.clock
    }

    /// Fault injection.
    pub fn faults(&self) -> &Faults {
        &self.ctx.faults
    }

    /// Requests received, posts, chunks and counters.
    pub fn record(&self) -> &Record {
        &self.ctx.record
    }

    /// Tokens (expire, revoke, refresh counts).
    pub fn tokens(&self) -> &Tokens {
        &self.ctx.tokens
    }

    /// Login user / consent for the authorize pages.
    pub fn logins(&self) -> &Logins {
        &self.ctx.logins
    }

    /// The whole shared state.
    pub fn shared(&self) -> &Ctx {
        &self.ctx
    }

    /// The JSON line the binary prints.
    pub fn announcement(&self) -> Announcement {
        Announcement {
            endpoints: self.ctx.endpoints.clone(),
            control: self.control.clone(),
            apps: Platform::ALL
                .iter()
                .map(|p| (p.as_str().to_owned(), self.app(*p)))
                .collect(),
        }
    }

    /// Plays the user's browser on an authorize page: requests
    /// `authorize_url` without following the redirect and returns the
    /// callback URL (with `code` and `state`, or `error`) the platform sends
    /// the browser to. Works for OAuth 2.0 and X's OAuth 1.0a authorize.
    pub async fn approve(&self, authorize_url: &str) -> Result<String, String> {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| e.to_string())?;
        let resp = client
            .get(authorize_url)
            .send()
            .await
            .map_err(|e| e.to_string())?;
        let status = resp.status();
        resp.headers()
            .get(reqwest::header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
            .ok_or_else(|| format!("authorize page answered {status} without a redirect"))
    }

    /// Stops every listener and waits for them.
    pub async fn shutdown(self) {
        let _ = self.shutdown.send(true);
        for t in self.tasks {
            let _ = t.await;
        }
    }
}
