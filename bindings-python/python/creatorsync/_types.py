"""Typed shapes of the plain values CreatorSync exchanges with Python code.

Stores, status calls and progress events use plain dicts so that they
serialize naturally (JSON, BSON for a MongoDB collection); these
``TypedDict`` and ``Protocol`` declarations give them names for type checkers.
"""

from __future__ import annotations

import sys
from typing import Awaitable, Dict, Iterable, List, Literal, Optional, Tuple, Union

if sys.version_info >= (3, 11):
    from typing import NotRequired, Protocol, TypedDict
else:  # pragma: no cover - Python < 3.11
    from typing_extensions import NotRequired, Protocol, TypedDict

__all__ = [
    "AccountKey",
    "Credential",
    "Profile",
    "Token",
    "Account",
    "AccountStatus",
    "AccountHealth",
    "ErrorInfo",
    "AuthorizationRequest",
    "ProgressEvent",
    "Violation",
    "LegacyResult",
    "TokenStore",
    "Target",
    "InstagramOptions",
]


class AccountKey(TypedDict):
    """Identifies one connected account of one of your users."""

    user_id: str
    platform: str
    account_id: str


class Credential(TypedDict):
    """A credential, in clear: ``type`` is ``"oauth1"`` (``token``,
    ``secret``) or ``"oauth2"`` (``access``, ``refresh``, ``expires_at``,
    ``refresh_expires_at``, ``scopes``, ``user_token``: Facebook Pages
    keep the user token behind the Page token). Keep it encrypted at rest."""

    type: str
    token: NotRequired[str]
    secret: NotRequired[str]
    access: NotRequired[str]
    refresh: NotRequired[Optional[str]]
    expires_at: NotRequired[Optional[str]]
    refresh_expires_at: NotRequired[Optional[str]]
    scopes: NotRequired[List[str]]
    user_token: NotRequired[Optional[str]]


class FacebookOptions(TypedDict, total=False):
    """``Post(facebook=...)``: a link for text posts, a video title, a Graph
    version override, and ``reel`` to publish the one video as a Page Reel
    (3–90 s, 30 API reels per Page per 24 h; the duration is not checked
    by the SDK)."""

    link: Optional[str]
    video_title: Optional[str]
    api_version: Optional[str]
    reel: bool


class Profile(TypedDict):
    """Public profile of a connected account."""

    platform_user_id: str
    handle: Optional[str]
    display_name: Optional[str]
    kind: Optional[str]


class Token(TypedDict):
    """A token record as kept by a store. ``version`` is the store's
    compare-and-swap version (set by the store); ``updated_at`` is an
    RFC 3339 string."""

    key: AccountKey
    credential: Credential
    profile: Profile
    version: int
    updated_at: str
    needs_reauth: bool
    metadata: Dict[str, str]


class Account(TypedDict):
    """A connected account as reported to your application."""

    user_id: str
    platform: str
    account_id: str
    handle: Optional[str]
    display_name: Optional[str]
    kind: Optional[str]
    expires_at: Optional[str]
    needs_reauth: bool


class AccountStatus(Account):
    """An account and its state, from the store alone."""

    connected: bool
    missing_scopes: List[str]
    can_refresh: bool


class ErrorInfo(TypedDict):
    """A stable error ``code`` (``REAUTH_REQUIRED``, ...) and its message."""

    code: str
    message: str


class AccountHealth(TypedDict):
    """The live check of one account."""

    user_id: str
    platform: str
    account_id: str
    healthy: bool
    error: Optional[ErrorInfo]


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


Target = Union[str, Tuple[str, str]]
"""A publish target: ``"x"`` (every connected X account), ``"facebook:1001"``
or ``("facebook", "1001")`` (one account)."""


class TokenStore(Protocol):
    """What a store written in Python implements (e.g. over a MongoDB
    collection with Motor). All four methods are ``async def`` (any
    awaitable will do) and run on the event loop of the code calling the
    client.

    Semantics (checked by :mod:`creatorsync.testing`):

    * ``get(key)`` returns the record with its current ``version``, or None.
    * ``put(token, None)`` inserts; if the key exists it raises
      ``Conflict(message, current_version)``.
    * ``put(token, v)`` replaces the record only if its version is ``v``,
      else raises ``Conflict(message, current_version)`` (``None`` when the
      record is gone). The incoming ``token["version"]`` is ignored.
    * A successful ``put`` returns the new version: 1 for an insert, ``v + 1``
      for a replace. The check and the write must be atomic (e.g. Mongo
      ``update_one({"_id": ..., "version": v}, ...)``).
    * ``list(user_id)`` returns only that user's records.
    * ``delete(key)`` returns whether a record was removed.
    """

    def get(self, key: AccountKey) -> Awaitable[Optional[Token]]:
        """Reads one record."""
        ...

    def list(self, user_id: str) -> Awaitable[List[Token]]:
        """Lists a user's records."""
        ...

    def put(self, token: Token, expected_version: Optional[int]) -> Awaitable[int]:
        """Compare-and-swap write; returns the new version."""
        ...

    def delete(self, key: AccountKey) -> Awaitable[bool]:
        """Removes a record; returns whether one existed."""
        ...


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
