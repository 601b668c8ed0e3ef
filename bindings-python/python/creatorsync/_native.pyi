"""Type stubs of the native extension (``creatorsync._native``)."""

from __future__ import annotations

import asyncio
import datetime
import os
from typing import Any, Awaitable, Callable, Dict, List, Mapping, Optional, Sequence, Tuple, Union, final

from ._types import (
    BulkItem,
    BulkMode,
    BulkReport,
    ScheduleAt,
    ScheduledPage,
    ScheduledPost,
    SchedulerHealth,
    SchedulerOptions,
    FitMode,
    InstagramOptions,
    MediaInput,
    ProbeView,
    Account,
    AccountHealth,
    AccountStatus,
    AuthorizationRequest,
    ComposeConstraints,
    Concurrency,
    FacebookOptions,
    LegacyPostBody,
    NamedKey,
    PostgresOptions,
    PostInput,
    Profile,
    ProgressEvent,
    PublishReport,
    MetricsResult,
    PostMetrics,
    PostRef,
    TargetResult,
    QuotaUsage,
    SqliteOptions,
    StoreKeys,
    Target,
    KeyValueStore,
    Violation,
)

__all__ = [
    "__version__",
    "CreatorSyncError",
    "NotConnected",
    "ReauthRequired",
    "RateLimited",
    "QuotaExhausted",
    "InvalidInput",
    "InvalidPost",
    "InvalidMedia",
    "MediaRejected",
    "Duplicate",
    "PlatformError",
    "AuthorizationDenied",
    "InvalidState",
    "TransportError",
    "Conflict",
    "StoreError",
    "KeyMismatch",
    "ConfigError",
    "OperationTimeout",
    "Cancelled",
    "InProgress",
    "CreatedUnfinished",
    "OutcomeUnknown",
    "MemoryStore",
    "SqliteStore",
    "PostgresStore",
    "Media",
    "Post",
    "CreatorSync",
    "Scheduler",
    "OAuth1Signer",
    "sign_oauth1",
    "probe",
    "sample_mp4",
    "check_key_value_store",
    "create_postgres_database",
    "drop_postgres_database",
]

__version__: str

class CreatorSyncError(Exception):
    """Base class of every CreatorSync error."""

    code: str
    """Stable code, e.g. ``RATE_LIMITED``, ``NOT_CONNECTED``."""
    platform: Optional[str]
    """The platform the error came from, when there is one."""
    retryable: bool
    """Whether trying the same operation again later may succeed."""
    status: Optional[int]
    """The HTTP status of a platform answer, when there was one."""
    retry_after: Optional[float]
    """Seconds to wait before retrying, when known (``RATE_LIMITED``,
    ``IN_PROGRESS``)."""
    post_id: Optional[str]
    """``CREATED_UNFINISHED``: the id of what the platform created; publish
    again with the same idempotency key to finish, never with a new one."""
    cause_code: Optional[str]
    """``CREATED_UNFINISHED``, ``OUTCOME_UNKNOWN``: the code of the failure
    that came after the create."""

class NotConnected(CreatorSyncError):
    """No account is connected for this user and platform."""

    user_id: str
    account: Optional[str]

class ReauthRequired(CreatorSyncError):
    """The user must reconnect this account."""

    account: Optional[str]

class RateLimited(CreatorSyncError):
    """The platform throttled the request (see ``retry_after``)."""

class QuotaExhausted(RateLimited):
    """A platform quota is used up; nothing was sent for this target and
    the SDK never retries it. Publish again after ``resets_at``."""

    bucket: str
    """The quota's name in the platform's data (``posts``, ``uploads``...)."""
    limit: Optional[int]
    """How many the window allows, when the platform documents it."""
    resets_at: datetime.datetime
    """When a slot frees up again (an aware datetime, UTC)."""

class InvalidInput(CreatorSyncError, ValueError):
    """A caller-supplied value is malformed; ``field`` names it."""

    field: str

class InvalidPost(InvalidInput):
    """The post breaks platform rules; every violation is listed."""

    violations: List[Violation]

class InvalidMedia(InvalidInput):
    """A media source cannot be used."""

    source_name: str

class MediaRejected(CreatorSyncError):
    """The platform refused the media after upload."""

    reason: str
    platform_code: Optional[str]

class Duplicate(CreatorSyncError):
    """The platform refused the post as a duplicate."""

class PlatformError(CreatorSyncError):
    """Any other platform error answer; also an answer the SDK cannot use
    (``platform_code == "unexpected_response"``, ``status`` None unless it is
    about one HTTP answer) and an operation the platform does not offer
    (``platform_code == "unsupported"``)."""

    platform_code: Optional[str]
    body: Optional[str]

class AuthorizationDenied(CreatorSyncError):
    """The user or platform refused the authorization."""

    error: str
    description: Optional[str]

class InvalidState(CreatorSyncError):
    """The OAuth state of a callback was refused."""

    problem: str

class TransportError(CreatorSyncError):
    """Network or protocol failure."""

    maybe_sent: bool
    timeout: bool

class Conflict(CreatorSyncError):
    """A compare-and-swap write found another version."""

    current_version: Optional[int]
    def __init__(self, message: str = ..., current_version: Optional[int] = ...) -> None:
        """``current_version``: the version now stored (None: no record)."""

class StoreError(CreatorSyncError):
    """The token store or publish log failed."""

class KeyMismatch(CreatorSyncError):
    """A stored credential cannot be decrypted with the configured keys."""

    key_id: str

class ConfigError(CreatorSyncError):
    """CreatorSync is misconfigured."""

class OperationTimeout(CreatorSyncError):
    """Something did not finish in time."""

class Cancelled(CreatorSyncError):
    """The operation was cancelled."""

class InProgress(CreatorSyncError):
    """Another call is publishing this target with the same idempotency
    key; nothing was sent. Ask again after ``retry_after`` seconds."""

class CreatedUnfinished(CreatorSyncError):
    """The post was created (``post_id``) but a step after the create
    failed. Publish again with the same idempotency key to finish."""

    url: Optional[str]

class OutcomeUnknown(CreatorSyncError):
    """The create may have reached the platform. Publish again with the
    same idempotency key: the post is looked up first."""

@final
class MemoryStore:
    """The option ``store="memory"``: everything in process memory (lost on
    restart; one worker only)."""

    def __new__(cls) -> MemoryStore: ...

@final
class SqliteStore:
    """The option ``sqlite={...}``: the embedded encrypted SQLite file.
    Nothing is opened or checked until a client is built with it."""

    def __new__(
        cls,
        path: Union[str, os.PathLike[str]],
        key: Union[bytes, str, None] = None,
        key_id: Optional[str] = None,
        *,
        keys: Optional[Sequence[NamedKey]] = None,
    ) -> SqliteStore:
        """``key``: 32 raw bytes or their base64 (None: ``CREATORSYNC_KEY``);
        ``keys``: several ``{"id", "key"}``, the active one first."""
    @property
    def path(self) -> str:
        """The database file."""

@final
class PostgresStore:
    """The option ``postgres={...}``: PostgreSQL, shared by several
    workers or machines. Connects when a client is built with it."""

    def __new__(
        cls,
        url: str,
        key: Union[bytes, str, None] = None,
        key_id: Optional[str] = None,
        *,
        keys: Optional[Sequence[NamedKey]] = None,
        max_connections: Optional[int] = None,
        acquire_timeout_ms: Optional[float] = None,
    ) -> PostgresStore:
        """``url``: ``postgres://user:password@host:port/database``
        (``?sslmode=require`` for TLS). ``key``: 32 raw bytes or their
        base64 (None: ``CREATORSYNC_KEY``)."""
    @property
    def url(self) -> str:
        """The connection URL with its password replaced by ``[redacted]``."""

@final
class Media:
    """One image or video of a post, read lazily in ranges."""

    @staticmethod
    def file(path: Union[str, os.PathLike[str]], *, alt_text: Optional[str] = None) -> Media:
        """A local file."""
    @staticmethod
    def bytes(data: bytes, *, name: Optional[str] = None, alt_text: Optional[str] = None) -> Media:
        """Bytes in memory; ``name`` helps type detection."""
    @staticmethod
    def url(url: str, *, allow_private: bool = False, alt_text: Optional[str] = None) -> Media:
        """An http(s) URL, streamed (private addresses refused unless allowed)."""
    @property
    def alt_text(self) -> Optional[str]:
        """The alt text, if any."""

@final
class Post:
    """A post: text, media and per-platform options (dicts)."""

    def __new__(
        cls,
        text: str = "",
        media: Optional[Sequence[Media]] = None,
        texts: Optional[Mapping[str, str]] = None,
        *,
        draft: bool = False,
        x: Optional[Mapping[str, Any]] = None,
        linkedin: Optional[Mapping[str, Any]] = None,
        facebook: Optional[Union[FacebookOptions, Mapping[str, Any]]] = None,
        instagram: Union[InstagramOptions, Mapping[str, Any], None] = None,
        youtube: Optional[Mapping[str, Any]] = None,
        tiktok: Optional[Mapping[str, Any]] = None,
    ) -> Post: ...
    @property
    def text(self) -> str:
        """The text."""
    @property
    def texts(self) -> Dict[str, str]:
        """Per-platform text replacing ``text`` there (``{"x": "short"}``)."""
    @property
    def draft(self) -> bool:
        """Whether the post is published as a draft (each platform's closest meaning)."""
    @property
    def media(self) -> List[Media]:
        """The media, in order."""
    @property
    def options(self) -> Dict[str, Dict[str, Any]]:
        """Every platform's options, defaults filled in."""

@final
class CreatorSync:
    """The client: connect accounts, check them, publish.

    ``apps`` maps a platform name to ``{"client_id", "client_secret"}`` (plus
    ``"consumer_key"``/``"consumer_secret"`` for X); the key
    ``"instagram_login"`` (the Instagram app) makes Instagram connect with
    Instagram Login instead of Facebook Login."""

    def __new__(
        cls,
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
    ) -> CreatorSync:
        """The options of the core's contract (see ``ClientOptions``)."""
    def connect_begin(
        self, user_id: str, platform: str, redirect_uri: str, *, oauth1: bool = False
    ) -> Awaitable[AuthorizationRequest]:
        """Starts a connect; send the user to the returned ``url``."""
    def connect_complete(
        self, user_id: str, platform: str, code: str, state: str
    ) -> Awaitable[List[Account]]:
        """Completes a connect with the callback's code and state."""
    def connect_complete_from_url(
        self, user_id: str, platform: str, callback_url: str
    ) -> Awaitable[List[Account]]:
        """Completes a connect from the full callback URL."""
    def disconnect(self, user_id: str, platform: str, account_id: str) -> Awaitable[bool]:
        """Revokes and forgets an account; returns whether it was connected."""
    def status(self, user_id: str) -> Awaitable[List[AccountStatus]]:
        """Every connected account and its state, from the store."""
    def expiring_within(self, user_id: str, days: int) -> Awaitable[List[Account]]:
        """Accounts whose token expires within ``days`` and cannot be refreshed."""
    def health(self, user_id: str) -> Awaitable[List[AccountHealth]]:
        """Live check of every account's token."""
    def quota(self, user_id: str) -> Awaitable[List[QuotaUsage]]:
        """Every quota of the user's accounts: used, limit, remaining, resets_at."""
    def metrics(self, user_id: str, posts: Sequence[PostRef]) -> Awaitable[List[MetricsResult]]:
        """The metrics of published posts, one result per post in order; an unreported count is None."""
    def metrics_history(
        self,
        user_id: str,
        post: PostRef,
        since: Optional[Union[datetime.datetime, str]] = None,
        until: Optional[Union[datetime.datetime, str]] = None,
    ) -> Awaitable[List[PostMetrics]]:
        """The stored snapshots of one post, oldest first, within [since, until]."""
    def edit(self, user_id: str, post: Union[PostRef, TargetResult], text: str) -> Awaitable[None]:
        """Replaces a published post's text (LinkedIn, Facebook, YouTube); elsewhere PlatformError (platform_code "unsupported")."""
    def delete(self, user_id: str, post: Union[PostRef, TargetResult]) -> Awaitable[None]:
        """Deletes a published post (X, LinkedIn, Facebook, YouTube); already gone is deleted."""
    def rotate_key(self, new_id: str, new_key: bytes) -> Awaitable[int]:
        """Re-seals every stored secret under the new active key (32 bytes)."""
    def compose_constraints(
        self, user_id: str, account_id: str, platform: str = "tiktok"
    ) -> Awaitable[ComposeConstraints]:
        """What a TikTok creator may choose when composing a post."""
    def publish(
        self,
        user_id: str,
        post: Union[Post, PostInput, LegacyPostBody, Mapping[str, Any]],
        targets: Optional[Sequence[Target]] = None,
        idempotency_key: Optional[str] = None,
        on_progress: Optional[Callable[[ProgressEvent], object]] = None,
        valid_targets_only: bool = False,
        fit: Optional[FitMode] = None,
    ) -> Awaitable[PublishReport]:
        """Publishes to every target at once and reports per target."""
    def profile(self, user_id: str, platform: str, account_id: str) -> Awaitable[Profile]:
        """The account's live profile (cached 24 h; the stored one when the
        platform cannot be reached)."""
    def scheduler(self) -> Scheduler:
        """Scheduled and bulk publishing, and the in-process worker."""

@final
class Scheduler:
    """Schedules posts for later and runs the worker that publishes them
    when due (``CreatorSync.scheduler()``)."""

    def schedule(
        self,
        user_id: str,
        post: Union[Post, PostInput, LegacyPostBody, Mapping[str, Any]],
        at: ScheduleAt,
        targets: Optional[Sequence[Target]] = None,
        idempotency_key: Optional[str] = None,
        valid_targets_only: bool = False,
        native: Optional[Sequence[str]] = None,
    ) -> Awaitable[str]:
        """Checks and schedules the post; returns its id."""
    def schedule_many(self, items: Sequence[BulkItem], mode: BulkMode = "all_or_nothing") -> Awaitable[BulkReport]:
        """Schedules many posts: all or nothing, or the valid ones only."""
    def get(self, id: str) -> Awaitable[ScheduledPost]:
        """One scheduled post."""
    def list(
        self,
        *,
        user_id: Optional[str] = None,
        state: Optional[str] = None,
        due_from: Optional[Union[datetime.datetime, str]] = None,
        due_to: Optional[Union[datetime.datetime, str]] = None,
        limit: Optional[int] = None,
        after: Optional[str] = None,
    ) -> Awaitable[ScheduledPage]:
        """One page of scheduled posts, by due time then id."""
    def reschedule(self, id: str, at: ScheduleAt) -> Awaitable[ScheduledPost]:
        """Moves a post still scheduled to another time."""
    def cancel(self, id: str) -> Awaitable[ScheduledPost]:
        """Cancels a post that has not started."""
    def retry(self, id: str) -> Awaitable[ScheduledPost]:
        """Runs a failed or outcome-unknown post again now."""
    def health(self) -> Awaitable[SchedulerHealth]:
        """Workers alive and the backlog."""
    def run(self, stop: Optional[asyncio.Event] = None) -> Awaitable[None]:
        """Runs a worker until ``stop`` is set (or the task is cancelled),
        then finishes the jobs it runs."""

@final
class OAuth1Signer:
    """OAuth 1.0a (HMAC-SHA1) signing for one consumer and, optionally, a
    user token; the HMAC key is derived once. Its repr shows no secret."""

    def __new__(
        cls, consumer_key: str, consumer_secret: str, token: Optional[str] = None, token_secret: Optional[str] = None
    ) -> OAuth1Signer: ...
    def authorization(self, method: str, url: str, form: Optional[Mapping[str, str]] = None) -> str:
        """The ``Authorization`` header value (fresh nonce and time)."""

def sign_oauth1(
    consumer_key: str,
    consumer_secret: str,
    method: str,
    url: str,
    *,
    token: Optional[str] = None,
    token_secret: Optional[str] = None,
    form: Optional[Mapping[str, str]] = None,
    nonce: Optional[str] = None,
    timestamp: Optional[int] = None,
) -> str:
    """The ``Authorization`` header value for one request; ``url``'s query
    and the ``form`` fields are signed. ``nonce`` and ``timestamp`` fix
    what is otherwise fresh (give both or neither)."""

def probe(media: Union[Media, MediaInput, Mapping[str, Any]]) -> Awaitable[ProbeView]:
    """What is inside ``media`` (a :class:`Media`, or a dict ``{"path"}``,
    ``{"url"}`` or ``{"buffer": bytes, "name"}``): a video's duration, size,
    rotation, frame rate, codecs, bitrate and ``moov`` position; an image's
    format, pixel size and frame count. Reads a few small ranges. Raises
    ``InvalidMedia`` for media it cannot read."""

def sample_mp4(
    duration_secs: int, width: int, height: int, *, fps: int = 30, moov_at_end: bool = False
) -> bytes:
    """A valid MP4 container (not decodable video) of the given duration,
    size and frame rate, ``moov`` at the end when asked: test media."""

def check_key_value_store(
    store: Union[KeyValueStore, Callable[[], KeyValueStore]], *, timeout: Optional[float] = None
) -> Awaitable[None]:
    """Runs the core's key-value store conformance suite against ``store``
    (an empty store, or a factory called once per case) through the bridge
    the client uses; each call must answer within ``timeout`` seconds
    (default 30). Raises ``AssertionError`` naming the broken rule."""

def create_postgres_database(server_url: str, name: str) -> Awaitable[str]:
    """Creates the empty database ``name`` (lowercase letters, digits, ``_``)
    on the PostgreSQL server at ``server_url``; returns its URL. For tests."""

def drop_postgres_database(server_url: str, name: str) -> Awaitable[None]:
    """Drops the database ``name`` if it exists, closing connections to it."""
