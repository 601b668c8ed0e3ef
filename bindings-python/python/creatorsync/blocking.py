"""A blocking facade over :class:`creatorsync.CreatorSync`, for scripts and
synchronous frameworks::

    from creatorsync.blocking import CreatorSync
    sync = CreatorSync(apps=..., state_secret=..., store="memory")
    report = sync.publish("user-1", Post("Hello"))

Each call runs on a private asyncio loop in a background thread (so host
stores written with async code work too); the calling thread waits for the
result. Progress callbacks run on that background thread. Close the client
(or use it as a context manager) to stop the thread.
"""

from __future__ import annotations

import asyncio
import datetime
import threading
from types import TracebackType
from typing import Any, Awaitable, Callable, List, Mapping, Optional, Sequence, Tuple, Type, TypeVar, Union

from . import _native
from ._native import MemoryStore, Post, PostgresStore, SqliteStore
from ._types import (
    Account,
    AccountHealth,
    AccountStatus,
    ComposeConstraints,
    Concurrency,
    FitMode,
    KeyValueStore,
    LegacyPostBody,
    MetricsResult,
    PostMetrics,
    PostRef,
    PostgresOptions,
    PostInput,
    Profile,
    AuthorizationRequest,
    ProgressEvent,
    PublishReport,
    QuotaUsage,
    SchedulerOptions,
    SqliteOptions,
    StoreKeys,
    Target,
    TargetResult,
)

__all__ = ["CreatorSync"]

T = TypeVar("T")


class CreatorSync:
    """The blocking client; same arguments and methods as
    :class:`creatorsync.CreatorSync`, returning values instead of awaitables."""

    def __init__(
        self,
        apps: Union[str, Mapping[str, Mapping[str, Any]], None] = None,
        endpoints: Optional[Mapping[str, Any]] = None,
        state_secret: Union[str, bytes, None] = None,
        store: Union[str, MemoryStore, SqliteStore, PostgresStore, KeyValueStore, None] = None,
        *,
        sqlite: Optional[SqliteOptions] = None,
        postgres: Optional[PostgresOptions] = None,
        store_keys: Optional[StoreKeys] = None,
        store_timeout_ms: Optional[float] = None,
        concurrency: Union[Concurrency, Tuple[int, int], None] = None,
        lease_ttl_ms: Optional[int] = None,
        media_host: Optional[Mapping[str, Any]] = None,
        api_versions: Optional[Mapping[str, str]] = None,
        quota_limits: Optional[Mapping[str, Mapping[str, int]]] = None,
        scheduler: Optional[SchedulerOptions] = None,
    ) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="creatorsync", daemon=True)
        self._thread.start()

        async def build() -> _native.CreatorSync:
            # Built on the loop so a host store binds to it.
            return _native.CreatorSync(
                apps,
                endpoints,
                state_secret,
                store,
                sqlite=sqlite,
                postgres=postgres,
                store_keys=store_keys,
                store_timeout_ms=store_timeout_ms,
                concurrency=concurrency,
                lease_ttl_ms=lease_ttl_ms,
                media_host=media_host,
                api_versions=api_versions,
                quota_limits=quota_limits,
                scheduler=scheduler,
            )

        self._client = self._call(build)

    def _call(self, fn: Callable[[], Awaitable[T]]) -> T:
        async def wrap() -> T:
            return await fn()

        return asyncio.run_coroutine_threadsafe(wrap(), self._loop).result()

    def connect_begin(
        self, user_id: str, platform: str, redirect_uri: str, *, oauth1: bool = False
    ) -> AuthorizationRequest:
        """Starts a connect; send the user to the returned ``url``."""
        return self._call(lambda: self._client.connect_begin(user_id, platform, redirect_uri, oauth1=oauth1))

    def connect_complete(self, user_id: str, platform: str, code: str, state: str) -> List[Account]:
        """Completes a connect with the callback's code and state."""
        return self._call(lambda: self._client.connect_complete(user_id, platform, code, state))

    def connect_complete_from_url(self, user_id: str, platform: str, callback_url: str) -> List[Account]:
        """Completes a connect from the full callback URL."""
        return self._call(lambda: self._client.connect_complete_from_url(user_id, platform, callback_url))

    def disconnect(self, user_id: str, platform: str, account_id: str) -> bool:
        """Revokes and forgets an account."""
        return self._call(lambda: self._client.disconnect(user_id, platform, account_id))

    def status(self, user_id: str) -> List[AccountStatus]:
        """Every connected account and its state."""
        return self._call(lambda: self._client.status(user_id))

    def expiring_within(self, user_id: str, days: int) -> List[Account]:
        """Accounts expiring within ``days`` that cannot be refreshed."""
        return self._call(lambda: self._client.expiring_within(user_id, days))

    def health(self, user_id: str) -> List[AccountHealth]:
        """Live check of every account's token."""
        return self._call(lambda: self._client.health(user_id))

    def profile(self, user_id: str, platform: str, account_id: str) -> Profile:
        """See :meth:`creatorsync.CreatorSync.profile`."""
        return self._call(lambda: self._client.profile(user_id, platform, account_id))

    def quota(self, user_id: str) -> List[QuotaUsage]:
        """See :meth:`creatorsync.CreatorSync.quota`."""
        return self._call(lambda: self._client.quota(user_id))

    def metrics(self, user_id: str, posts: Sequence[PostRef]) -> List[MetricsResult]:
        """See :meth:`creatorsync.CreatorSync.metrics`."""
        return self._call(lambda: self._client.metrics(user_id, posts))

    def metrics_history(
        self,
        user_id: str,
        post: PostRef,
        since: Optional[Union[datetime.datetime, str]] = None,
        until: Optional[Union[datetime.datetime, str]] = None,
    ) -> List[PostMetrics]:
        """See :meth:`creatorsync.CreatorSync.metrics_history`."""
        return self._call(lambda: self._client.metrics_history(user_id, post, since, until))

    def edit(self, user_id: str, post: Union[PostRef, TargetResult], text: str) -> None:
        """See :meth:`creatorsync.CreatorSync.edit`."""
        self._call(lambda: self._client.edit(user_id, post, text))

    def delete(self, user_id: str, post: Union[PostRef, TargetResult]) -> None:
        """See :meth:`creatorsync.CreatorSync.delete`."""
        self._call(lambda: self._client.delete(user_id, post))

    def rotate_key(self, new_id: str, new_key: bytes) -> int:
        """See :meth:`creatorsync.CreatorSync.rotate_key`."""
        return self._call(lambda: self._client.rotate_key(new_id, new_key))

    def compose_constraints(self, user_id: str, account_id: str, platform: str = "tiktok") -> ComposeConstraints:
        """See :meth:`creatorsync.CreatorSync.compose_constraints`."""
        return self._call(lambda: self._client.compose_constraints(user_id, account_id, platform))

    def publish(
        self,
        user_id: str,
        post: Union[Post, PostInput, LegacyPostBody, Mapping[str, Any]],
        targets: Optional[Sequence[Target]] = None,
        idempotency_key: Optional[str] = None,
        on_progress: Optional[Callable[[ProgressEvent], object]] = None,
        valid_targets_only: bool = False,
        fit: Optional[FitMode] = None,
    ) -> PublishReport:
        """Publishes to every target at once and reports per target."""
        return self._call(
            lambda: self._client.publish(
                user_id, post, targets, idempotency_key, on_progress, valid_targets_only, fit
            )
        )

    def close(self) -> None:
        """Stops the background loop."""
        if self._loop.is_running():
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join()
        self._loop.close()

    def __enter__(self) -> CreatorSync:
        return self

    def __exit__(
        self,
        exc_type: Optional[Type[BaseException]],
        exc: Optional[BaseException],
        tb: Optional[TracebackType],
    ) -> None:
        self.close()
