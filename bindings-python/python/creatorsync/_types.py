"""Typed shapes of the plain values CreatorSync exchanges with Python code.

Options, posts, views (accounts, status, health, the publish report) and
progress events are plain dicts in the shapes of the core's contract
(``docs/contract.schema.json``; ``tests/test_contract.py`` fails when these
declarations drift from it); these ``TypedDict`` and ``Protocol``
declarations give them names for type checkers. Annotations are evaluated
(no ``from __future__ import annotations``) so that ``__required_keys__`` /
``__optional_keys__`` tell ``NotRequired`` fields at run time too.
"""

import datetime
import sys
from typing import Any, Awaitable, Dict, Iterable, List, Literal, Mapping, Optional, Tuple, Union

if sys.version_info >= (3, 11):
    from typing import NotRequired, Protocol, TypedDict
else:  # pragma: no cover - Python < 3.11
    from typing_extensions import NotRequired, Protocol, TypedDict

__all__ = [
    "AccountKey",
    "Profile",
    "Account",
    "AccountStatus",
    "AccountHealth",
    "ErrorView",
    "ErrorInfo",
    "AuthorizationRequest",
    "ProgressEvent",
    "Violation",
    "LegacyResult",
    "TargetResult",
    "FollowUpResult",
    "PublishReport",
    "TargetObject",
    "Target",
    "NamedKey",
    "SqliteOptions",
    "PostgresOptions",
    "StoreKeys",
    "Concurrency",
    "ClientOptions",
    "MediaInput",
    "PostInput",
    "ThreadPartInput",
    "LinkInput",
    "MentionInput",
    "LegacyPostBody",
    "QuotaUsage",
    "PostRef",
    "PostMetrics",
    "MetricsResult",
    "ComposeConstraints",
    "KeyValueStore",
    "InstagramOptions",
    "FacebookOptions",
    "BoxPosition",
    "ProbeView",
    "FitMode",
    "LocalTime",
    "ScheduleAt",
    "SchedulerOptions",
    "JobsOption",
    "BulkItem",
    "BulkMode",
    "ScheduledTarget",
    "ScheduledPost",
    "ScheduledPage",
    "BulkItemResult",
    "BulkReport",
    "SchedulerHealth",
]


class AccountKey(TypedDict):
    """Identifies one connected account of one of your users."""

    user_id: str
    platform: str
    account_id: str


class FacebookOptions(TypedDict, total=False):
    """``Post(facebook=...)``: a link for text posts, a video title, a Graph
    version override, ``reel`` to publish the one video as a Page Reel
    (3–90 s, 30 API reels per Page per 24 h; the duration is not checked
    by the SDK), and ``scheduled_publish_time`` (RFC 3339, 10 minutes to 30
    days ahead) for Facebook to publish a text, link or photo post later."""

    link: Optional[str]
    video_title: Optional[str]
    api_version: Optional[str]
    reel: bool
    scheduled_publish_time: Optional[str]


class Profile(TypedDict):
    """Who a connected account is."""

    platform_user_id: str
    handle: Optional[str]
    display_name: Optional[str]
    kind: Optional[str]


class Account(TypedDict):
    """A connected account (the core's ``AccountView``)."""

    key: AccountKey
    profile: Profile
    expires_at: Optional[str]
    needs_reauth: bool


class AccountStatus(TypedDict):
    """An account and its state, from the store alone (``StatusView``)."""

    account: Account
    connected: bool
    expires_at: Optional[str]
    needs_reauth: bool
    missing_scopes: List[str]
    can_refresh: bool


class ErrorView(TypedDict):
    """An error inside a view: its stable ``code``, ``message`` and the
    answers of its question methods."""

    code: str
    message: str
    platform: Optional[str]
    status: Optional[int]
    retryable: bool
    retry_after: Optional[float]
    resets_at: Optional[str]
    """``QUOTA_EXHAUSTED`` (and ``RATE_LIMITED`` when the platform said):
    when the quota or limit resets (RFC 3339)."""
    bucket: Optional[str]
    """``QUOTA_EXHAUSTED``: the quota's name (``posts``, ``uploads``...)."""
    limit: Optional[int]
    """``QUOTA_EXHAUSTED``: how many the window allows, when documented."""
    post_id: Optional[str]
    cause: Optional["ErrorView"]


ErrorInfo = ErrorView
"""Former name of :class:`ErrorView`."""


class AccountHealth(TypedDict):
    """The live check of one account (``HealthView``)."""

    key: AccountKey
    healthy: bool
    error: Optional[ErrorView]


class AuthorizationRequest(TypedDict):
    """Where to send the user (``url``) and the signed ``state``."""

    url: str
    state: str


class ProgressEvent(TypedDict):
    """A progress event. ``event`` is ``validated`` (``targets``),
    ``uploading`` (``sent``, ``total``), ``processing`` (``state``),
    ``published`` (``post_id``, ``url``) or ``failed`` (``code``,
    ``message``); all but ``validated`` carry ``platform`` and ``account``."""

    event: str
    targets: NotRequired[int]
    platform: NotRequired[str]
    account: NotRequired[str]
    sent: NotRequired[int]
    total: NotRequired[int]
    state: NotRequired[str]
    post_id: NotRequired[str]
    url: NotRequired[str]
    code: NotRequired[str]
    message: NotRequired[str]


class Violation(TypedDict):
    """One broken rule of a post: ``platform`` (None: every platform),
    ``field``, a stable ``code`` and a ``message``."""

    platform: Optional[str]
    field: str
    code: str
    message: str


LegacyResult = TypedDict(
    "LegacyResult",
    {"success": bool, "postId": Optional[str], "url": Optional[str], "message": str},
)
"""The seed system's per-platform result shape."""


DraftKind = Literal["unpublished", "private", "inbox"]
"""What a draft is on one platform: a Facebook unpublished post, a private
YouTube video, a TikTok inbox upload."""


class TargetResult(TypedDict):
    """The outcome of one target (``TargetResultView``)."""

    platform: str
    account_id: str
    ok: bool
    post_id: Optional[str]
    url: Optional[str]
    error: Optional[ErrorView]
    elapsed_ms: float
    reused: bool
    scheduled_for: Optional[str]
    parts: List["FollowUpResult"]
    comment: Optional["FollowUpResult"]
    draft: Optional[DraftKind]


class FollowUpResult(TypedDict):
    """One follow-up of a post: a thread part or the first comment
    (``FollowUpView``); on error, publish again with the same key to go on."""

    ok: bool
    post_id: Optional[str]
    url: Optional[str]
    error: Optional[ErrorView]


class PublishReport(TypedDict):
    """What a publish did, per target (``ReportView``). Publish again with
    ``idempotency_key`` to retry without double posting."""

    idempotency_key: str
    all_ok: bool
    results: List[TargetResult]
    legacy: Dict[str, LegacyResult]
    elapsed_ms: float


class TargetObject(TypedDict):
    """A target as a dict (no ``account_id``: every account of the platform)."""

    platform: str
    account_id: NotRequired[Optional[str]]


Target = Union[str, Tuple[str, str], TargetObject]
"""A publish target: ``"x"`` (every connected X account), ``"facebook:1001"``,
``("facebook", "1001")`` or ``{"platform": "facebook", "account_id": "1001"}``."""


class NamedKey(TypedDict):
    """One key of a ring: its id and the base64 of 32 bytes."""

    id: str
    key: str


class SqliteOptions(TypedDict):
    """``sqlite=``: the embedded encrypted SQLite file."""

    path: str
    key: NotRequired[Optional[str]]
    key_id: NotRequired[Optional[str]]
    keys: NotRequired[Optional[List[NamedKey]]]


class PostgresOptions(TypedDict):
    """``postgres=``: PostgreSQL, shared by every worker."""

    url: str
    key: NotRequired[Optional[str]]
    key_id: NotRequired[Optional[str]]
    keys: NotRequired[Optional[List[NamedKey]]]
    max_connections: NotRequired[Optional[int]]
    acquire_timeout_ms: NotRequired[Optional[float]]


class StoreKeys(TypedDict, total=False):
    """``store_keys=``: the key ring sealing what a store object keeps."""

    key: Optional[str]
    key_id: Optional[str]
    keys: Optional[List[NamedKey]]


Concurrency = TypedDict("Concurrency", {"per_publish": Optional[int], "global": Optional[int]}, total=False)
"""``concurrency=``: targets in flight per publish and across all publishes."""


class ClientOptions(TypedDict):
    """The options of :class:`~creatorsync.CreatorSync` (the core's
    ``ClientOptions``), as keyword arguments."""

    apps: NotRequired[Optional[Union[str, Mapping[str, Mapping[str, Any]]]]]
    endpoints: NotRequired[Optional[Mapping[str, Any]]]
    state_secret: str
    store: NotRequired[Optional[str]]
    sqlite: NotRequired[Optional[SqliteOptions]]
    postgres: NotRequired[Optional[PostgresOptions]]
    store_keys: NotRequired[Optional[StoreKeys]]
    store_timeout_ms: NotRequired[Optional[float]]
    concurrency: NotRequired[Optional[Union[Concurrency, Tuple[int, int]]]]
    lease_ttl_ms: NotRequired[Optional[int]]
    media_host: NotRequired[Optional[Mapping[str, Any]]]
    api_versions: NotRequired[Optional[Mapping[str, str]]]
    quota_limits: NotRequired[Optional[Mapping[str, Mapping[str, int]]]]
    """Caps counted for the platforms' quotas, per platform and quota name
    (``{"youtube": {"uploads": 500}}``; names in ``docs/quotas.md``)."""
    scheduler: NotRequired[Optional["SchedulerOptions"]]
    """Where scheduled posts' jobs live and how workers poll (default: beside
    the store; required with ``store="memory"`` or a store object)."""


class MediaInput(TypedDict, total=False):
    """One media item of a dict post: exactly one of ``path``, ``url`` or
    ``buffer`` (bytes)."""

    path: Optional[str]
    url: Optional[str]
    buffer: Optional[bytes]
    name: Optional[str]
    mime: Optional[str]
    alt_text: Optional[str]
    allow_loopback: Optional[bool]


class LinkInput(TypedDict):
    """A link to share: only ``url`` is required; without a ``title`` the
    card is read from the page's Open Graph tags."""

    url: str
    title: NotRequired[Optional[str]]
    description: NotRequired[Optional[str]]
    thumbnail: NotRequired[Optional[str]]
    allow_loopback: NotRequired[Optional[bool]]


class MentionInput(TypedDict):
    """Someone the text mentions: the plain name, and per platform the
    handle without ``@`` or the LinkedIn URN (``{"x": "ada"}``)."""

    name: str
    ids: NotRequired[Optional[Dict[str, str]]]


class PostInput(TypedDict, total=False):
    """A post as a dict (the core's ``PostInput``)."""

    text: str
    texts: Optional[Dict[str, str]]
    media: List[MediaInput]
    options: Optional[Mapping[str, Mapping[str, Any]]]
    thread: Optional[List["ThreadPartInput"]]
    first_comment: Optional[str]
    thread_mode: Optional[Literal["refuse", "comments"]]
    draft: Optional[bool]
    link: Optional[LinkInput]
    """A link to share with its card (``docs/post-content.md``)."""
    mentions: Optional[Dict[str, MentionInput]]
    """People the text mentions as ``@{key}``, by key."""
    mention_fallback: Optional[bool]


class ThreadPartInput(TypedDict, total=False):
    """One part of a thread after the first (``ThreadPartInput``)."""

    text: str


class LegacyPostBody(TypedDict, total=False):
    """The old backend's body, mapped by the core (``contract/legacy.rs``)."""

    caption: Optional[str]
    media_url: Optional[str]
    title: Optional[str]
    hashtags: List[str]
    privacy_status: Optional[str]
    media_type: Optional[str]


class QuotaUsage(TypedDict):
    """One quota of an account or app (the core's ``QuotaUsage``)."""

    platform: str
    bucket: str
    scope: str
    account_id: Optional[str]
    window: str
    used: int
    limit: Optional[int]
    remaining: Optional[int]
    resets_at: Optional[str]


class PostRef(TypedDict):
    """A published post whose metrics to read (the core's ``PostRefInput``);
    a :class:`TargetResult` of a publish report fits as it is."""

    platform: str
    post_id: str
    account_id: NotRequired[Optional[str]]


class PostMetrics(TypedDict):
    """One post's metrics at one moment (the core's ``MetricsView``): a
    count the platform does not report is ``None``, never 0."""

    platform: str
    account_id: str
    post_id: str
    views: Optional[int]
    reach: Optional[int]
    likes: Optional[int]
    comments: Optional[int]
    shares: Optional[int]
    saves: Optional[int]
    clicks: Optional[int]
    watch_time_secs: Optional[int]
    fetched_at: str
    raw: Dict[str, Any]


class MetricsResult(TypedDict):
    """One post's outcome of ``metrics`` (the core's ``MetricsResultView``)."""

    platform: str
    account_id: Optional[str]
    post_id: str
    ok: bool
    metrics: Optional[PostMetrics]
    error: Optional[ErrorView]


class ComposeConstraints(TypedDict):
    """What a TikTok creator may choose when composing a post."""

    creator_username: str
    creator_nickname: str
    creator_avatar_url: Optional[str]
    privacy_level_options: List[str]
    max_video_post_duration_sec: Optional[int]
    comment_disabled: bool
    duet_disabled: bool
    stitch_disabled: bool


class KeyValueStore(Protocol):
    """The one storage contract a host implements (e.g. over a MongoDB
    collection, Redis or its own SQL database): the core keeps everything
    (tokens with their secrets sealed by the core, pending connects, the
    publish log, upload sessions) as string values under string keys.
    Methods are ``async def`` (any awaitable; plain functions work too) and
    run on the event loop of the code calling the client.

    Semantics (checked by :func:`creatorsync.testing.check_key_value_store`,
    the core's own suite):

    * ``get(key)`` returns ``(value, version)``, or None when the key is absent.
    * ``put(key, value, None)`` inserts; if the key exists it raises
      ``Conflict(message, current_version)``.
    * ``put(key, value, v)`` replaces the value only if its version is ``v``,
      else raises ``Conflict(message, current_version)`` (``None`` when the
      key is gone). The check and the write must be atomic (e.g. Mongo
      ``update_one({"_id": key, "version": v}, ...)``, SQL ``UPDATE ...
      WHERE key = ? AND version = ?``).
    * A successful ``put`` returns the new version: 1 for an insert, ``v + 1``
      for a replace.
    * ``delete(key, None)`` removes the key whatever its version;
      ``delete(key, v)`` only at version ``v``. It returns whether it removed
      something (a ``bool``).
    * ``list(prefix)`` returns ``(key, value, version)`` for every key that
      starts with ``prefix`` (a plain string prefix; any order).

    Answers outside these shapes, exceptions and calls slower than the
    time limit become ``StoreError`` (``Conflict`` stays ``Conflict``).
    """

    def get(self, key: str) -> Union[Optional[Tuple[str, int]], Awaitable[Optional[Tuple[str, int]]]]:
        """Reads one key: ``(value, version)`` or None."""
        ...

    def put(self, key: str, value: str, expected_version: Optional[int]) -> Union[int, Awaitable[int]]:
        """Compare-and-swap write; returns the new version."""
        ...

    def delete(self, key: str, expected_version: Optional[int]) -> Union[bool, Awaitable[bool]]:
        """Removes a key (at ``expected_version`` when given); whether it did."""
        ...

    def list(self, prefix: str) -> Union[Iterable[Tuple[str, str, int]], Awaitable[Iterable[Tuple[str, str, int]]]]:
        """Every ``(key, value, version)`` under ``prefix``."""
        ...


class InstagramOptions(TypedDict, total=False):
    """``Post(instagram=...)``. Image alt text comes from ``Media(alt_text=...)``."""

    kind: Literal["auto", "feed", "reel", "carousel", "story"]
    share_to_feed: bool
    thumb_offset_ms: int
    trial_graduation: Literal["manual", "ss_performance"]
    """Publish a reel as a trial reel (non-followers first) that graduates
    manually or on performance; only for reels."""


FitMode = Literal["off", "pad", "crop"]
"""``publish(fit=...)``: ``"pad"`` or ``"crop"`` fixes media a target
would refuse instead of raising (``"off"``, the default, refuses)."""


class BoxPosition(TypedDict):
    """Where a top-level MP4 box lies (``BoxPosition``)."""

    offset: int
    size: int


class ProbeView(TypedDict):
    """What :func:`creatorsync.probe` found inside a media item
    (``ProbeView``); fields a format does not have are ``None``."""

    format: str
    """``mp4``, ``mov``, ``jpeg``, ``png``, ``gif``, ``webp``, ``heif``..."""
    mime: str
    bytes: int
    width: Optional[int]
    height: Optional[int]
    aspect_ratio: Optional[float]
    rotation: int
    duration_secs: Optional[float]
    frame_rate: Optional[float]
    video_codec: Optional[str]
    audio_codec: Optional[str]
    bitrate: Optional[int]
    faststart: Optional[bool]
    """Whether ``moov`` comes before the media data (MP4/MOV only)."""
    moov: Optional[BoxPosition]
    mdat: Optional[BoxPosition]
    frames: Optional[int]


class JobsOption(TypedDict, total=False):
    """Where the scheduler's jobs live: exactly one of ``sqlite`` (a file,
    one machine) or ``postgres`` (a URL, any number of worker processes)."""

    sqlite: str
    postgres: str


class SchedulerOptions(TypedDict):
    """The client option ``scheduler`` (the core's ``SchedulerOption``)."""

    jobs: NotRequired[Optional[JobsOption]]
    poll_ms: NotRequired[Optional[int]]
    heartbeat_ms: NotRequired[Optional[int]]
    concurrency: NotRequired[Optional[int]]


class LocalTime(TypedDict):
    """A wall-clock time in an IANA zone (``{"local": "2026-12-24T09:00",
    "zone": "Europe/Berlin"}``): stays 09:00 across DST changes."""

    local: Union[str, datetime.datetime]
    """``YYYY-MM-DDTHH:MM[:SS]`` text or a naive ``datetime``."""
    zone: str


ScheduleAt = Union[str, datetime.datetime, LocalTime]
"""When to publish: RFC 3339 text, a ``datetime`` (aware; with a
``zoneinfo.ZoneInfo`` it is that wall-clock time in that zone) or a
:class:`LocalTime`."""

BulkMode = Literal["all_or_nothing", "valid_only"]


class BulkItem(TypedDict):
    """One post of ``schedule_many`` (the core's ``BulkItemInput``)."""

    user_id: str
    post: Any
    """A :class:`~creatorsync.Post` or a dict post (media: files or URLs)."""
    at: ScheduleAt
    targets: NotRequired[Optional[List[Any]]]
    idempotency_key: NotRequired[Optional[str]]
    native: NotRequired[List[str]]


class ScheduledTarget(TypedDict):
    """One target's result of a scheduled post: a publish report's target
    plus ``mode`` (``at_time`` or ``native``)."""

    platform: str
    account_id: str
    ok: bool
    post_id: Optional[str]
    url: Optional[str]
    error: Optional[ErrorView]
    elapsed_ms: float
    reused: bool
    scheduled_for: Optional[str]
    parts: List[FollowUpResult]
    comment: Optional[FollowUpResult]
    draft: Optional[DraftKind]
    mode: str


class ScheduledPost(TypedDict):
    """A scheduled post (the core's ``ScheduledPostView``)."""

    id: str
    user_id: str
    state: str
    """``scheduled``, ``running``, ``published``, ``failed``,
    ``outcome_unknown`` or ``cancelled``."""
    due_at: str
    zone: Optional[str]
    local_time: Optional[str]
    text: str
    attempts: int
    results: List[ScheduledTarget]
    error: Optional[ErrorView]
    created_at: str
    started_at: Optional[str]
    finished_at: Optional[str]


class ScheduledPage(TypedDict):
    """One page of ``Scheduler.list``; give ``next`` as ``after``."""

    items: List[ScheduledPost]
    next: Optional[str]


class BulkItemResult(TypedDict):
    """One item of a bulk report."""

    index: int
    id: Optional[str]
    error: Optional[ErrorView]


class BulkReport(TypedDict):
    """What ``schedule_many`` did."""

    scheduled: int
    items: List[BulkItemResult]


class SchedulerHealth(TypedDict):
    """Workers alive and the backlog."""

    workers_alive: int
    due: int
    running: int
    late: int
    oldest_lateness_ms: int
    upcoming: int
