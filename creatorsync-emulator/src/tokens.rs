//! OAuth state shared by every emulated platform: authorization codes
//! (with PKCE), access and refresh tokens with expiry on the emulator clock,
//! rotation, revocation, and a count of successful refreshes.

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use creatorsync_core::Platform;
use rand::Rng;
use sha2::{Digest, Sha256};

/// What an access token stands for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenInfo {
    /// Platform that issued it.
    pub platform: Platform,
    /// Platform user id (or page id for page tokens).
    pub subject: String,
    /// App that owns it.
    pub client_id: String,
    /// Granted scopes.
    pub scopes: Vec<String>,
    /// Expiry (None: never).
    pub expires_at: Option<DateTime<Utc>>,
}

/// Why a token was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenProblem {
    /// Never issued (or garbage).
    Unknown,
    /// Past its expiry on the emulator clock.
    Expired,
    /// Revoked (by the user, or spent by rotation).
    Revoked,
}

/// A fresh grant.
#[derive(Clone, Debug)]
pub struct Issued {
    /// Access token.
    pub access_token: String,
    /// Refresh token, if issued.
    pub refresh_token: Option<String>,
    /// Seconds until the access token expires.
    pub expires_in: Option<u64>,
    /// Seconds until the refresh token expires.
    pub refresh_expires_in: Option<u64>,
    /// Scopes.
    pub scopes: Vec<String>,
    /// Subject.
    pub subject: String,
}

/// How a platform treats refresh tokens on refresh.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RefreshPolicy {
    /// A new refresh token each time; the old one is dead (X OAuth2, TikTok).
    Rotate,
    /// The same refresh token stays valid and is not returned (Google).
    KeepOmit,
    /// The same refresh token stays valid and is returned again with its
    /// original expiry counting down (LinkedIn).
    KeepReturn,
}

/// A pending authorization code.
#[derive(Clone, Debug)]
pub struct AuthCode {
    /// Platform.
    pub platform: Platform,
    /// App.
    pub client_id: String,
    /// redirect_uri given at authorize.
    pub redirect_uri: String,
    /// Who approved.
    pub subject: String,
    /// Scopes approved.
    pub scopes: Vec<String>,
    /// PKCE (challenge, method) when the client sent one.
    pub pkce: Option<(String, String)>,
    /// Expiry.
    pub expires_at: DateTime<Utc>,
}

#[derive(Clone, Debug)]
struct Access {
    info: TokenInfo,
    revoked: bool,
}

#[derive(Clone, Debug)]
struct Refresh {
    platform: Platform,
    subject: String,
    client_id: String,
    scopes: Vec<String>,
    expires_at: Option<DateTime<Utc>>,
    dead: bool,
}

#[derive(Debug, Default)]
struct Inner {
    codes: HashMap<String, AuthCode>,
    access: HashMap<String, Access>,
    refresh: HashMap<String, Refresh>,
}

/// The token registry.
#[derive(Debug, Default)]
pub struct Tokens {
    inner: Mutex<Inner>,
    refreshes: [AtomicU64; 6],
}

fn idx(p: Platform) -> usize {
    Platform::ALL.iter().position(|q| *q == p).unwrap_or(0)
}

/// A random URL-safe token with a prefix.
pub fn random_token(prefix: &str, bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::rng().fill(&mut buf[..]);
    format!("{prefix}{}", URL_SAFE_NO_PAD.encode(buf))
}

/// Whether `verifier` matches the PKCE `challenge` for `method` (S256 or plain).
pub fn verify_pkce(challenge: &str, method: &str, verifier: &str) -> bool {
    match method {
        "S256" => URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes())) == challenge,
        "plain" => verifier == challenge,
        _ => false,
    }
}

fn token_prefix(p: Platform) -> (&'static str, &'static str) {
    match p {
        Platform::X => ("xat-", "xrt-"),
        Platform::LinkedIn => ("AQV", "AQX"),
        Platform::Facebook | Platform::Instagram => ("EAA", "EAR"),
        Platform::YouTube => ("ya29.", "1//"),
        Platform::TikTok => ("act.", "rft."),
    }
}

fn secs(d: Duration) -> chrono::Duration {
    chrono::Duration::from_std(d).unwrap_or(chrono::Duration::MAX)
}

impl Tokens {
    /// Stores a new authorization code (valid 10 minutes) and returns it.
    pub fn issue_code(&self, code: AuthCode) -> String {
        let value = random_token("code-", 18);
        self.lock().codes.insert(value.clone(), code);
        value
    }

    /// Takes a code (single use): returns it only once.
    pub fn take_code(&self, code: &str) -> Option<AuthCode> {
        self.lock().codes.remove(code)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Issues an access token (and a refresh token when `refresh_ttl` is
    /// given: `Some(None)` = refresh token without expiry).
    #[allow(clippy::too_many_arguments)] // mirrors the grant's fields one to one
    pub fn issue(
        &self,
        platform: Platform,
        subject: &str,
        client_id: &str,
        scopes: &[String],
        now: DateTime<Utc>,
        access_ttl: Option<Duration>,
        refresh_ttl: Option<Option<Duration>>,
    ) -> Issued {
        let (ap, rp) = token_prefix(platform);
        let access_token = random_token(ap, 24);
        let info = TokenInfo {
            platform,
            subject: subject.to_owned(),
            client_id: client_id.to_owned(),
            scopes: scopes.to_vec(),
            expires_at: access_ttl.map(|d| now + secs(d)),
        };
        let mut inner = self.lock();
        inner.access.insert(
            access_token.clone(),
            Access {
                info,
                revoked: false,
            },
        );
        let refresh_token = refresh_ttl.map(|ttl| {
            let rt = random_token(rp, 24);
            inner.refresh.insert(
                rt.clone(),
                Refresh {
                    platform,
                    subject: subject.to_owned(),
                    client_id: client_id.to_owned(),
                    scopes: scopes.to_vec(),
                    expires_at: ttl.map(|d| now + secs(d)),
                    dead: false,
                },
            );
            rt
        });
        Issued {
            access_token,
            refresh_token,
            expires_in: access_ttl.map(|d| d.as_secs()),
            refresh_expires_in: refresh_ttl.flatten().map(|d| d.as_secs()),
            scopes: scopes.to_vec(),
            subject: subject.to_owned(),
        }
    }

    /// Checks an access token of `platform` at `now`.
    pub fn check(
        &self,
        platform: Platform,
        token: &str,
        now: DateTime<Utc>,
    ) -> Result<TokenInfo, TokenProblem> {
        let inner = self.lock();
        let a = inner.access.get(token).ok_or(TokenProblem::Unknown)?;
        let same_family = a.info.platform == platform
            || matches!(
                (a.info.platform, platform),
                (Platform::Facebook, Platform::Instagram)
                    | (Platform::Instagram, Platform::Facebook)
            );
        if !same_family {
            return Err(TokenProblem::Unknown);
        }
        if a.revoked {
            return Err(TokenProblem::Revoked);
        }
        if a.info.expires_at.is_some_and(|at| at <= now) {
            return Err(TokenProblem::Expired);
        }
        Ok(a.info.clone())
    }

    /// Refreshes with `refresh_token` under `policy`. Any problem (unknown,
    /// spent, revoked, expired, other app) is `Err(())`: the platforms
    /// answer `invalid_grant` for all of them.
    #[allow(clippy::too_many_arguments, clippy::result_unit_err)] // every failure is `invalid_grant` to the platforms
    pub fn refresh(
        &self,
        platform: Platform,
        refresh_token: &str,
        client_id: &str,
        now: DateTime<Utc>,
        access_ttl: Option<Duration>,
        refresh_ttl: Option<Duration>,
        policy: RefreshPolicy,
    ) -> Result<Issued, ()> {
        let r = {
            let mut inner = self.lock();
            let Some(r) = inner.refresh.get_mut(refresh_token) else {
                return Err(());
            };
            if r.dead
                || r.platform != platform
                || r.client_id != client_id
                || r.expires_at.is_some_and(|at| at <= now)
            {
                return Err(());
            }
            if policy == RefreshPolicy::Rotate {
                r.dead = true;
            }
            r.clone()
        };
        self.refreshes[idx(platform)].fetch_add(1, Ordering::SeqCst);
        let mut issued = match policy {
            RefreshPolicy::Rotate => self.issue(
                platform,
                &r.subject,
                client_id,
                &r.scopes,
                now,
                access_ttl,
                Some(refresh_ttl),
            ),
            RefreshPolicy::KeepOmit | RefreshPolicy::KeepReturn => {
                let mut i = self.issue(
                    platform, &r.subject, client_id, &r.scopes, now, access_ttl, None,
                );
                if policy == RefreshPolicy::KeepReturn {
                    i.refresh_token = Some(refresh_token.to_owned());
                    i.refresh_expires_in = r
                        .expires_at
                        .map(|at| (at - now).num_seconds().max(0).unsigned_abs());
                }
                i
            }
        };
        issued.subject = r.subject;
        Ok(issued)
    }

    /// Revokes an access or refresh token (and, for a refresh token, the
    /// access tokens of the same subject and app). Returns whether it existed.
    pub fn revoke(&self, token: &str) -> bool {
        let mut inner = self.lock();
        if let Some(a) = inner.access.get_mut(token) {
            a.revoked = true;
            return true;
        }
        if let Some(r) = inner.refresh.get_mut(token) {
            r.dead = true;
            let (subject, client) = (r.subject.clone(), r.client_id.clone());
            for a in inner.access.values_mut() {
                if a.info.subject == subject && a.info.client_id == client {
                    a.revoked = true;
                }
            }
            return true;
        }
        false
    }

    /// Makes every access token of `platform` (optionally one subject)
    /// expire now.
    pub fn expire_now(
        &self,
        platform: Platform,
        subject: Option<&str>,
        now: DateTime<Utc>,
    ) -> usize {
        let mut n = 0;
        for a in self.lock().access.values_mut() {
            if a.info.platform == platform && subject.is_none_or(|s| s == a.info.subject) {
                a.info.expires_at = Some(now - chrono::Duration::seconds(1));
                n += 1;
            }
        }
        n
    }

    /// Revokes every token (access and refresh) of `platform` (optionally one subject).
    pub fn revoke_all(&self, platform: Platform, subject: Option<&str>) -> usize {
        let mut inner = self.lock();
        let mut n = 0;
        for a in inner.access.values_mut() {
            if a.info.platform == platform && subject.is_none_or(|s| s == a.info.subject) {
                a.revoked = true;
                n += 1;
            }
        }
        for r in inner.refresh.values_mut() {
            if r.platform == platform && subject.is_none_or(|s| s == r.subject) {
                r.dead = true;
                n += 1;
            }
        }
        n
    }

    /// Successful refreshes of `platform` so far.
    pub fn refresh_count(&self, platform: Platform) -> u64 {
        self.refreshes[idx(platform)].load(Ordering::SeqCst)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rotation_kills_the_old_refresh_token() {
        let t = Tokens::default();
        let now = Utc::now();
        let i = t.issue(
            Platform::TikTok,
            "u",
            "c",
            &[],
            now,
            Some(Duration::from_secs(60)),
            Some(None),
        );
        let rt = i.refresh_token.unwrap();
        let j = t
            .refresh(
                Platform::TikTok,
                &rt,
                "c",
                now,
                None,
                None,
                RefreshPolicy::Rotate,
            )
            .unwrap();
        assert_ne!(j.refresh_token.as_deref(), Some(rt.as_str()));
        assert!(
            t.refresh(
                Platform::TikTok,
                &rt,
                "c",
                now,
                None,
                None,
                RefreshPolicy::Rotate
            )
            .is_err()
        );
        assert_eq!(t.refresh_count(Platform::TikTok), 1);
        assert!(verify_pkce(
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
            "S256",
            "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
        ));
    }
}
