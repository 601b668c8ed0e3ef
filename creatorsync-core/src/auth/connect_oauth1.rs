//! OAuth 1.0a connect on [`Connector`] (X's, the one platform with such a
//! flow): request token → authorize → access token. The request-token secret waits server-side in the
//! [`PendingStore`](super::PendingStore), keyed by the (public) request
//! token, bound to the user and taken once.

use chrono::Utc;
use tracing::{Instrument, info_span};

use super::AuthorizationRequest;
use super::connect::{Connector, bad_state, check_redirect};
use super::pending::PendingConnect;
use crate::account::check_id;
use crate::{Account, Result, StateProblem};

impl Connector {
    /// Starts X's OAuth 1.0a connect: gets a request token for
    /// `redirect_uri` and returns the authorize URL. The request-token
    /// secret waits server-side.
    pub async fn begin_oauth1(
        &self,
        user_id: &str,
        redirect_uri: &str,
    ) -> Result<AuthorizationRequest> {
        check_id("user_id", user_id)?;
        check_redirect(redirect_uri)?;
        let ctx = &self.inner.ctx;
        let (platform, flow) = ctx.oauth1()?;
        let span = info_span!("connect_begin_oauth1", %platform, user_id);
        async {
            let app = ctx.app(ctx.module(platform)?);
            let (token, secret) = flow.request_token(&app, redirect_uri).await?;
            let expires_at = self.state_expiry()?;
            let state = self
                .inner
                .codec
                .issue(&token, user_id, platform, None, expires_at);
            let url = flow.authorize_url(&app, &token)?;
            self.inner
                .pending
                .insert(
                    &token,
                    PendingConnect {
                        user_id: user_id.to_owned(),
                        platform,
                        redirect_uri: redirect_uri.to_owned(),
                        pkce_verifier: None,
                        request_token_secret: Some(secret),
                        expires_at,
                    },
                )
                .await?;
            Ok(AuthorizationRequest { url, state })
        }
        .instrument(span)
        .await
    }

    pub(super) async fn take_oauth1_pending(
        &self,
        user_id: &str,
        token: &str,
    ) -> Result<PendingConnect> {
        let pending = self
            .inner
            .pending
            .take(token)
            .await?
            .ok_or(bad_state(StateProblem::Replayed))?;
        let platform = self.inner.ctx.oauth1()?.0;
        if pending.platform != platform || pending.request_token_secret.is_none() {
            return Err(bad_state(StateProblem::WrongPlatform));
        }
        if pending.user_id != user_id {
            // Not this user's: put it back for its owner.
            self.inner.pending.insert(token, pending).await?;
            return Err(bad_state(StateProblem::WrongUser));
        }
        if pending.expires_at <= Utc::now() {
            return Err(bad_state(StateProblem::Expired));
        }
        Ok(pending)
    }

    /// Completes X's OAuth 1.0a connect with the callback's `oauth_token`
    /// and `oauth_verifier`.
    pub async fn complete_oauth1(
        &self,
        user_id: &str,
        oauth_token: &str,
        oauth_verifier: &str,
    ) -> Result<Vec<Account>> {
        let ctx = &self.inner.ctx;
        let (platform, flow) = ctx.oauth1()?;
        let span = info_span!("connect_complete_oauth1", %platform, user_id);
        async {
            let pending = self.take_oauth1_pending(user_id, oauth_token).await?;
            let secret = pending
                .request_token_secret
                .as_ref()
                .map(|s| s.expose().as_str())
                .unwrap_or_default();
            let rows = flow
                .complete(
                    &ctx.app(ctx.module(platform)?),
                    user_id,
                    (oauth_token, secret),
                    oauth_verifier,
                )
                .await?;
            self.save(user_id, platform, rows).await
        }
        .instrument(span)
        .await
    }
}
