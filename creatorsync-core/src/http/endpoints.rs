//! Base URLs of one platform's hosts, overridable (the emulator's in tests).

use serde::{Deserialize, Serialize};
use url::Url;

use crate::{Error, Result};

/// Which host of a platform a request goes to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Host {
    /// The browser-facing authorize page host.
    Auth,
    /// The OAuth token endpoint host.
    Token,
    /// The REST API host.
    Api,
    /// The upload host (when the platform uses a separate one).
    Upload,
}

/// Base URLs of one platform. Real hosts by default (each platform module
/// knows its own; see `docs/platforms.md`); the emulator hands out loopback
/// ones. A base may carry a path prefix; paths are appended to it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Endpoints {
    /// Authorize page host.
    pub auth: Url,
    /// OAuth token host.
    pub token: Url,
    /// API host.
    pub api: Url,
    /// Upload host.
    pub upload: Url,
}

fn u(s: &str) -> Url {
    // The literals below are valid URLs; parsing cannot fail.
    Url::parse(s).unwrap_or_else(|_| unreachable!("static URL {s}"))
}

impl Endpoints {
    /// Four fixed hosts (a platform module's production hosts).
    pub(crate) fn fixed(auth: &str, token: &str, api: &str, upload: &str) -> Self {
        Self {
            auth: u(auth),
            token: u(token),
            api: u(api),
            upload: u(upload),
        }
    }

    /// One base URL for every host (handy for a single mock server).
    pub fn all(base: &str) -> Result<Self> {
        let url = Url::parse(base)
            .map_err(|e| Error::invalid_input("endpoint", format!("{base:?} is not a URL: {e}")))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(Error::invalid_input(
                "endpoint",
                "scheme must be http or https",
            ));
        }
        Ok(Self {
            auth: url.clone(),
            token: url.clone(),
            api: url.clone(),
            upload: url,
        })
    }

    /// The base URL of `host`.
    pub fn base(&self, host: Host) -> &Url {
        match host {
            Host::Auth => &self.auth,
            Host::Token => &self.token,
            Host::Api => &self.api,
            Host::Upload => &self.upload,
        }
    }

    /// `base(host)` with `path` (starting with `/`, may hold a query) appended
    /// to the base's own path.
    pub fn url(&self, host: Host, path: &str) -> Url {
        let base = self.base(host).as_str().trim_end_matches('/');
        let path = if path.starts_with('/') {
            path.to_owned()
        } else {
            format!("/{path}")
        };
        // A valid base plus a path is a valid URL; fall back to the base
        // itself rather than panicking on odd input.
        Url::parse(&format!("{base}{path}")).unwrap_or_else(|_| self.base(host).clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joins_paths_onto_prefixed_bases() {
        let mut e = Endpoints::fixed(
            "https://x.com",
            "https://api.x.com",
            "https://api.x.com",
            "https://api.x.com",
        );
        assert_eq!(
            e.url(Host::Api, "/2/tweets").as_str(),
            "https://api.x.com/2/tweets"
        );
        e.api = Url::parse("http://127.0.0.1:9/x/").unwrap();
        assert_eq!(
            e.url(Host::Api, "/2/media/upload?command=STATUS&media_id=1")
                .as_str(),
            "http://127.0.0.1:9/x/2/media/upload?command=STATUS&media_id=1"
        );
        assert!(Endpoints::all("ftp://x").is_err());
    }
}
