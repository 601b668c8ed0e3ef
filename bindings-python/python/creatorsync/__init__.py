"""CreatorSync: connect creators' accounts on X, LinkedIn, Facebook Pages,
Instagram, YouTube and TikTok, and publish to all of them at once.

The API is asyncio-first::

    sync = CreatorSync(apps=..., state_secret=..., store="memory")
    req = await sync.connect_begin("user-1", "x", "https://app.example/cb/x")
    accounts = await sync.connect_complete_from_url("user-1", "x", callback_url)
    report = await sync.publish("user-1", {"text": "Hello"})  # or Post("Hello")

Every call runs in the Rust core without holding the GIL; cancelling the
awaiting task cancels the work. Errors are :class:`CreatorSyncError`
subclasses. :mod:`creatorsync.blocking` offers the same API for scripts.
"""

from __future__ import annotations

from typing import Optional

from ._native import (
    AuthorizationDenied,
    Cancelled,
    ConfigError,
    Conflict,
    CreatedUnfinished,
    CreatorSync,
    Scheduler,
    CreatorSyncError,
    Duplicate,
    InProgress,
    InvalidInput,
    InvalidMedia,
    InvalidPost,
    InvalidState,
    KeyMismatch,
    Media,
    MediaRejected,
    MemoryStore,
    NotConnected,
    OAuth1Signer,
    OperationTimeout,
    OutcomeUnknown,
    PlatformError,
    Post,
    PostgresStore,
    QuotaExhausted,
    RateLimited,
    ReauthRequired,
    SqliteStore,
    StoreError,
    TransportError,
    __version__,
    probe,
    sign_oauth1,
)
from ._types import (
    Account,
    AccountHealth,
    AccountKey,
    BoxPosition,
    DraftKind,
    FitMode,
    ProbeView,
    AccountStatus,
    AuthorizationRequest,
    ClientOptions,
    ComposeConstraints,
    ErrorInfo,
    ErrorView,
    FacebookOptions,
    InstagramOptions,
    KeyValueStore,
    LegacyPostBody,
    LegacyResult,
    MediaInput,
    PostInput,
    LinkInput,
    MentionInput,
    Profile,
    ProgressEvent,
    PublishReport,
    MetricsResult,
    PostMetrics,
    PostRef,
    QuotaUsage,
    Target,
    TargetResult,
    FollowUpResult,
    ThreadPartInput,
    Violation,
    BulkItem,
    BulkItemResult,
    BulkMode,
    BulkReport,
    JobsOption,
    LocalTime,
    ScheduleAt,
    ScheduledPage,
    ScheduledPost,
    ScheduledTarget,
    SchedulerHealth,
    SchedulerOptions,
)

PLATFORMS = ("x", "linkedin", "facebook", "instagram", "youtube", "tiktok")
"""Every platform name, in display order."""


def _conflict_init(
    self: Conflict, message: str = "store conflict", current_version: Optional[int] = None
) -> None:
    Exception.__init__(self, message, current_version)
    self.current_version = current_version
    self.code = "CONFLICT"
    self.retryable = True


# Host stores raise `Conflict(message, current_version)`; give the class a
# constructor that keeps the version as an attribute too.
Conflict.__init__ = _conflict_init  # type: ignore[method-assign]

__all__ = [
    "PLATFORMS",
    "Account",
    "InstagramOptions",
    "AccountHealth",
    "AccountKey",
    "AccountStatus",
    "AuthorizationDenied",
    "AuthorizationRequest",
    "FacebookOptions",
    "Cancelled",
    "ConfigError",
    "Conflict",
    "CreatedUnfinished",
    "InProgress",
    "OutcomeUnknown",
    "CreatorSync",
    "CreatorSyncError",
    "Duplicate",
    "ErrorInfo",
    "ErrorView",
    "ClientOptions",
    "ComposeConstraints",
    "LegacyPostBody",
    "MediaInput",
    "PostInput",
    "LinkInput",
    "MentionInput",
    "QuotaExhausted",
    "QuotaUsage",
    "MetricsResult",
    "PostMetrics",
    "PostRef",
    "InvalidInput",
    "InvalidMedia",
    "InvalidPost",
    "InvalidState",
    "KeyMismatch",
    "KeyValueStore",
    "LegacyResult",
    "Media",
    "MediaRejected",
    "MemoryStore",
    "NotConnected",
    "OAuth1Signer",
    "OperationTimeout",
    "PlatformError",
    "Post",
    "PostgresStore",
    "Profile",
    "ProgressEvent",
    "PublishReport",
    "RateLimited",
    "ReauthRequired",
    "SqliteStore",
    "StoreError",
    "Target",
    "TargetResult",
    "FollowUpResult",
    "ThreadPartInput",
    "TransportError",
    "Violation",
    "__version__",
    "sign_oauth1",
    "probe",
    "ProbeView",
    "BoxPosition",
    "DraftKind",
    "FitMode",
    "Scheduler",
    "BulkItem",
    "BulkItemResult",
    "BulkMode",
    "BulkReport",
    "JobsOption",
    "LocalTime",
    "ScheduleAt",
    "ScheduledPage",
    "ScheduledPost",
    "ScheduledTarget",
    "SchedulerHealth",
    "SchedulerOptions",
]
