//! Meta's Graph API, shared by Facebook Pages and Instagram (with Facebook
//! Login): the one Graph version ([`version`]), the signed request helper
//! ([`Graph`]: every call carries `access_token` and `appsecret_proof`),
//! OAuth ([`oauth`]: code exchange by GET, then the long-lived token; no
//! refresh), account discovery ([`accounts`]: one row per Page or per
//! linked Instagram professional account) and error bodies ([`errors`]).
//! [`super::facebook`] and [`super::instagram`] build on these.

pub(crate) mod accounts;
pub(crate) mod errors;
pub(crate) mod insights;
pub(crate) mod oauth;
pub(crate) mod rupload;
pub(crate) mod version;

use hmac::{Hmac, Mac};
use reqwest::Method;
use serde_json::Value;
use sha2::Sha256;
use url::Url;

use crate::http::{ErrorShape, Host, Idempotency, decode_json};
use crate::{Endpoints, HttpClient, Result};

/// Form or query parameters of a Graph call.
pub(crate) type Params = Vec<(&'static str, String)>;

/// `hex(HMAC-SHA256(key = app secret, message = access token))`, sent with
/// every Graph call.
pub(crate) fn appsecret_proof(app_secret: &str, access_token: &str) -> String {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(app_secret.as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC accepts keys of any length"));
    mac.update(access_token.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// One token's signed view of the Graph API.
pub(crate) struct Graph<'a> {
    http: &'a HttpClient,
    endpoints: &'a Endpoints,
    shape: &'a dyn ErrorShape,
    token: &'a str,
    proof: String,
    version: String,
}

impl std::fmt::Debug for Graph<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Graph")
            .field("platform", &self.shape.platform())
            .field("version", &self.version)
            .finish_non_exhaustive()
    }
}

impl<'a> Graph<'a> {
    /// Calls for `shape`'s platform with `token`, signed with the app
    /// secret, on `version` (None: [`version::GRAPH_VERSION`]).
    pub(crate) fn new(
        http: &'a HttpClient,
        endpoints: &'a Endpoints,
        shape: &'a dyn ErrorShape,
        app_secret: &str,
        token: &'a str,
        version: Option<&str>,
    ) -> Self {
        Self {
            http,
            endpoints,
            shape,
            token,
            proof: appsecret_proof(app_secret, token),
            version: version.unwrap_or(version::GRAPH_VERSION).to_owned(),
        }
    }

    /// Calls of connect, discovery and revoke: the app's secret, hosts and
    /// configured version.
    pub(crate) fn for_app(
        app: &crate::platforms::OAuthApp<'a>,
        shape: &'a dyn ErrorShape,
        token: &'a str,
    ) -> Result<Self> {
        Ok(Self::new(
            app.http,
            app.endpoints,
            shape,
            app.secret()?,
            token,
            app.api_version,
        ))
    }

    /// The token.
    pub(crate) fn token(&self) -> &str {
        self.token
    }

    /// The token's `appsecret_proof`.
    pub(crate) fn proof(&self) -> &str {
        &self.proof
    }

    /// `/{version}{path}` on `host`, without credentials.
    pub(crate) fn url(&self, host: Host, path: &str) -> Url {
        self.endpoints
            .url(host, &format!("/{}{path}", self.version))
    }

    /// `/{version}{path}` on `host` with the token and its proof in the
    /// query.
    pub(crate) fn signed_url(&self, host: Host, path: &str) -> Url {
        let mut url = self.url(host, path);
        url.query_pairs_mut()
            .append_pair("access_token", self.token)
            .append_pair("appsecret_proof", &self.proof);
        url
    }

    /// `params` plus the token and its proof.
    pub(crate) fn signed(&self, mut params: Params) -> Params {
        params.push(("access_token", self.token.to_owned()));
        params.push(("appsecret_proof", self.proof.clone()));
        params
    }

    /// Sends a request built on `method url` by `with`.
    pub(crate) async fn send<F>(
        &self,
        op: &'static str,
        idem: Idempotency,
        method: Method,
        url: Url,
        with: F,
    ) -> Result<reqwest::Response>
    where
        F: Fn(reqwest::RequestBuilder) -> reqwest::RequestBuilder + Send + Sync,
    {
        let resp = self
            .http
            .send(self.shape, op, idem, |c| {
                with(c.request(method.clone(), url.clone()))
            })
            .await?;
        version::check_served(self.shape.platform(), &self.version, &resp);
        Ok(resp)
    }

    /// [`Graph::send`] under another retry policy for this one call (where
    /// an outer loop retries, e.g. the resumable upload driver).
    pub(crate) async fn send_with<F>(
        &self,
        policy: &crate::http::RetryConfig,
        op: &'static str,
        idem: Idempotency,
        method: Method,
        url: Url,
        with: F,
    ) -> Result<reqwest::Response>
    where
        F: Fn(reqwest::RequestBuilder) -> reqwest::RequestBuilder + Send + Sync,
    {
        self.http
            .send_with(policy, self.shape, op, idem, |c| {
                with(c.request(method.clone(), url.clone()))
            })
            .await
    }

    /// Reads a JSON answer of this platform.
    pub(crate) async fn decode<T: serde::de::DeserializeOwned>(
        &self,
        resp: reqwest::Response,
    ) -> Result<T> {
        decode_json(self.shape.platform(), resp).await
    }

    /// [`Graph::send`], the answer read as JSON.
    pub(crate) async fn json<T: serde::de::DeserializeOwned, F>(
        &self,
        op: &'static str,
        idem: Idempotency,
        method: Method,
        url: Url,
        with: F,
    ) -> Result<T>
    where
        F: Fn(reqwest::RequestBuilder) -> reqwest::RequestBuilder + Send + Sync,
    {
        let resp = self.send(op, idem, method, url, with).await?;
        self.decode(resp).await
    }

    /// `GET /{version}{path}` with `params`, signed.
    pub(crate) async fn get(&self, op: &'static str, path: &str, params: Params) -> Result<Value> {
        let url = self.url(Host::Api, path);
        let query = self.signed(params);
        let resp = self
            .send(op, Idempotency::Idempotent, Method::GET, url, |rb| {
                rb.query(&query)
            })
            .await?;
        self.decode(resp).await
    }

    /// `POST /{version}{path}` with form `params`, signed.
    pub(crate) async fn post(
        &self,
        op: &'static str,
        idem: Idempotency,
        path: &str,
        params: Params,
    ) -> Result<Value> {
        let url = self.url(Host::Api, path);
        let form = self.signed(params);
        let resp = self
            .send(op, idem, Method::POST, url, |rb| rb.form(&form))
            .await?;
        self.decode(resp).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proof_is_the_hmac_of_the_token() {
        // Reference: python -c "import hmac,hashlib;print(hmac.new(b'secret',b'token',hashlib.sha256).hexdigest())"
        assert_eq!(
            appsecret_proof("secret", "token"),
            "e941110e3d2bfe82621f0e3e1434730d7305d106c5f68c87165d0b27a4611a4a"
        );
        let proof = appsecret_proof("app-secret", "token");
        assert_eq!(proof.len(), 64);
        assert_ne!(proof, appsecret_proof("app-secret", "token2"));
        assert_ne!(proof, appsecret_proof("app-secret2", "token"));
    }
}
