//! Running core futures for JS: every async method returns a Promise that
//! settles on the JS thread, rejecting with a `CreatorSyncError`.
//!
//! napi's `async fn` can only reject with a napi `Status` code, so methods
//! return `PromiseRaw` from [`spawn`], which runs the future on napi's
//! Tokio runtime and converts the outcome on the JS thread (TOOLCHAIN #7).

use std::future::Future;

use creatorsync_core::{Error, Result};
use napi::bindgen_prelude::JsObjectValue;
use napi::bindgen_prelude::{FnArgs, Function, Object, PromiseRaw, ToNapiValue};
use napi::{Env, JsValue};
use tokio_util::sync::CancellationToken;

use crate::error;

/// Runs `fut` and resolves with `convert(value)` or rejects with the
/// `CreatorSyncError` of its error.
pub(crate) fn spawn<'env, T, V, F, C>(
    env: &'env Env,
    fut: F,
    convert: C,
) -> napi::Result<PromiseRaw<'env, V>>
where
    T: Send + 'static,
    V: ToNapiValue,
    F: Future<Output = Result<T>> + Send + 'static,
    C: FnOnce(T) -> V + 'static,
{
    env.spawn_future_with_callback(async move { Ok(fut.await) }, move |env, r| match r {
        Ok(v) => Ok(convert(v)),
        Err(e) => Err(error::to_js(env, &e)),
    })
}

/// `signal.addEventListener(type, listener, options)`.
type AddEventListener<'a> = Function<'a, FnArgs<(String, Function<'a, (), ()>, Object<'a>)>, ()>;

/// Wires an `AbortSignal` to a cancellation token: aborting (or an already
/// aborted signal) cancels the token, and the caller's future is dropped.
pub(crate) fn abort_token(
    env: &Env,
    signal: Option<Object<'_>>,
) -> napi::Result<CancellationToken> {
    let token = CancellationToken::new();
    let Some(signal) = signal else {
        return Ok(token);
    };
    if signal
        .get_named_property_unchecked::<bool>("aborted")
        .unwrap_or(false)
    {
        token.cancel();
        return Ok(token);
    }
    let on_abort = {
        let token = token.clone();
        env.create_function_from_closure::<(), (), _>("onAbort", move |_| {
            token.cancel();
            Ok(())
        })?
    };
    let add: AddEventListener<'_> = signal.get_named_property_unchecked("addEventListener")?;
    let mut options = Object::new(env)?;
    options.set_named_property("once", true)?;
    // FnArgs: three arguments, not one array.
    add.apply(
        signal,
        FnArgs::from(("abort".to_owned(), on_abort, options)),
    )?;
    let _ = signal.raw();
    Ok(token)
}

/// Runs `fut` unless `token` is cancelled first (then the future is
/// dropped, which stops its requests, and the result is `Cancelled`).
pub(crate) async fn cancellable<T>(
    token: CancellationToken,
    fut: impl Future<Output = Result<T>>,
) -> Result<T> {
    tokio::select! {
        biased;
        () = token.cancelled() => Err(Error::Cancelled),
        r = fut => r,
    }
}
