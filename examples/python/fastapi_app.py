"""A FastAPI service over CreatorSync: the routes of the old backend, as a
drop-in, without the per-platform services.

Routes (the caller is identified by the ``X-User-Id`` header or a
``user_id`` query parameter, standing in for your real authentication):

* ``GET /connect/{platform}`` → ``302`` to the platform's authorize URL.
* ``GET /callback/{platform}?code=...&state=...`` → the connected accounts.
* ``GET /status`` → every connected account and its state, and its quotas.
* ``GET /health`` → ``{"status": "ok"}``; with a user, also each account's
  live check.
* ``POST /disconnect/{platform}`` (``?account_id=`` for one account) → how
  many accounts were disconnected.
* ``POST /publish`` ``{"text": ..., "media": [{"url": ...}], "options":
  {...}, "targets": [...], "idempotency_key": ...}``, or the old backend's
  body (``caption``, ``mediaUrl``, ``title``, ``hashtags``,
  ``privacyStatus``, ``mediaType``) beside ``targets`` → per-platform
  results in the legacy ``{success, postId, url, message}`` shape, plus
  details. The body goes to the core as it is (``PostSpec``).
* ``POST /schedule`` — the body of ``/publish`` plus ``at`` (RFC 3339, or
  ``{"local": "2026-12-24T09:00", "zone": "Europe/Berlin"}``) → ``201`` with
  the scheduled post (``id``, ``state``, ``due_at``, ...). Checked now:
  every violation is a ``422``, as for ``/publish``.
* ``GET /scheduled`` (``?state=scheduled``, ``?after=`` for the next page)
  → the caller's scheduled posts and the ``next`` cursor.
* ``DELETE /scheduled/{id}`` → the cancelled post (``400`` once it started).

The app runs the scheduler's worker in-process while it serves (started
with the app, stopped on shutdown after the posts it is publishing); with
several workers, each process runs one and they share the jobs.

Every worker process shares the state through the store (``CREATORSYNC_DB``:
one SQLite file; a connect begun on one worker completes on another, and a
publish retried on another worker with the same idempotency key posts
once). Run two workers against the emulator::

    creatorsync-emulator > /tmp/emu.json &
    export CREATORSYNC_EMULATOR_JSON="$(head -1 /tmp/emu.json)" CREATORSYNC_DB=/tmp/cs.db \
        CREATORSYNC_KEY="$(python -c 'import base64,os;print(base64.b64encode(os.urandom(32)).decode())')" \
        CREATORSYNC_STATE_SECRET=change-me-to-32-bytes-or-more-of-secret
    uvicorn fastapi_app:app --workers 2

Configuration (environment, read at startup when no client is injected):
``CREATORSYNC_EMULATOR_JSON`` (the emulator's JSON line: endpoints + apps) or
``CREATORSYNC_APPS_JSON`` (``{"x": {"client_id": ..., ...}, ...}``);
``CREATORSYNC_STATE_SECRET`` (≥ 32 bytes, the same on every worker);
``CREATORSYNC_DB`` (SQLite path, key from ``CREATORSYNC_KEY``; scheduled
posts' jobs live there too; without it, in ``CREATORSYNC_JOBS_DB``,
default ``creatorsync-jobs.db``);
``PUBLIC_BASE_URL`` (where callbacks land).
"""

from __future__ import annotations

import asyncio
import json
import os
from contextlib import asynccontextmanager
from typing import Any, AsyncIterator, Dict, List, Optional

from fastapi import Body, Depends, FastAPI, Header, HTTPException, Query, Request
from fastapi.responses import JSONResponse, RedirectResponse

import creatorsync as cs


def client_from_env() -> cs.CreatorSync:
    """Builds the client from the environment (see the module docs)."""
    endpoints: Optional[Dict[str, Any]] = None
    emu = os.environ.get("CREATORSYNC_EMULATOR_JSON")
    if emu:
        line = json.loads(emu)
        apps = line["apps"]
        endpoints = {k: v for k, v in line.items() if k not in ("control", "apps")}
    else:
        apps = json.loads(os.environ["CREATORSYNC_APPS_JSON"])
    db = os.environ.get("CREATORSYNC_DB")
    store: Any = cs.SqliteStore(db) if db else cs.MemoryStore()
    # Jobs live beside a SQLite store; a memory store needs a file of its own.
    jobs: Optional[cs.SchedulerOptions] = (
        None if db else {"jobs": {"sqlite": os.environ.get("CREATORSYNC_JOBS_DB", "creatorsync-jobs.db")}}
    )
    return cs.CreatorSync(
        apps=apps,
        endpoints=endpoints,
        state_secret=os.environ["CREATORSYNC_STATE_SECRET"],
        store=store,
        scheduler=jobs,
    )


STATUS_OF: Dict[str, int] = {
    "INVALID_INPUT": 400,
    "INVALID_POST": 422,
    "INVALID_MEDIA": 422,
    "INVALID_STATE": 400,
    "AUTHORIZATION_DENIED": 403,
    "NOT_CONNECTED": 409,
    "REAUTH_REQUIRED": 409,
    "RATE_LIMITED": 429,
    "QUOTA_EXHAUSTED": 429,
    "CONFIG_ERROR": 500,
}


def create_app(
    sync: Optional[cs.CreatorSync] = None, public_base_url: Optional[str] = None, run_worker: bool = True
) -> FastAPI:
    """The FastAPI app; pass a client (tests) or configure the environment.
    ``run_worker=False`` leaves publishing scheduled posts to other
    processes (``creatorsync worker``)."""
    base = (public_base_url or os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:8000")).rstrip("/")
    holder: Dict[str, cs.CreatorSync] = {}
    if sync is not None:
        holder["sync"] = sync

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        if "sync" not in holder:
            holder["sync"] = client_from_env()
        if not run_worker:
            yield
            return
        # The scheduler's worker lives as long as the app: on shutdown it
        # stops taking posts and finishes the ones it is publishing.
        stop = asyncio.Event()
        worker = asyncio.ensure_future(holder["sync"].scheduler().run(stop))
        try:
            yield
        finally:
            stop.set()
            await worker

    app = FastAPI(title="CreatorSync example", lifespan=lifespan)

    def client() -> cs.CreatorSync:
        if "sync" not in holder:
            holder["sync"] = client_from_env()
        return holder["sync"]

    def user(
        x_user_id: Optional[str] = Header(None, min_length=1, max_length=256),
        user_id: Optional[str] = Query(None, min_length=1, max_length=256),
    ) -> str:
        found = x_user_id or user_id
        if not found:
            raise HTTPException(status_code=422, detail="X-User-Id header or user_id query parameter required")
        return found

    def maybe_user(
        x_user_id: Optional[str] = Header(None, min_length=1, max_length=256),
        user_id: Optional[str] = Query(None, min_length=1, max_length=256),
    ) -> Optional[str]:
        return x_user_id or user_id

    @app.exception_handler(cs.CreatorSyncError)
    async def on_error(_: Request, e: Exception) -> JSONResponse:
        code = getattr(e, "code", "ERROR")
        body: Dict[str, Any] = {"error": code, "message": str(e)}
        if isinstance(e, cs.InvalidPost):
            body["violations"] = e.violations
        headers = {}
        retry_after = getattr(e, "retry_after", None)
        if retry_after is not None:
            headers["Retry-After"] = str(int(retry_after))
        return JSONResponse(body, status_code=STATUS_OF.get(code, 502), headers=headers)

    @app.get("/connect/{platform}")
    async def connect_route(
        platform: str, user_id: str = Depends(user), sync: cs.CreatorSync = Depends(client)
    ) -> RedirectResponse:
        req = await sync.connect_begin(user_id, platform, f"{base}/callback/{platform}")
        return RedirectResponse(req["url"], status_code=302)

    @app.get("/callback/{platform}")
    async def callback_route(
        platform: str, request: Request, user_id: str = Depends(user), sync: cs.CreatorSync = Depends(client)
    ) -> Dict[str, Any]:
        accounts = await sync.connect_complete_from_url(user_id, platform, str(request.url))
        return {"connected": accounts}

    @app.post("/publish")
    async def publish_route(
        body: Dict[str, Any] = Body(...), user_id: str = Depends(user), sync: cs.CreatorSync = Depends(client)
    ) -> Dict[str, Any]:
        # Routing fields are the route's; the rest is the post, new shape or
        # old, read by the core's contract (which names a bad field).
        post = dict(body)
        targets = post.pop("targets", None)
        key = post.pop("idempotency_key", post.pop("idempotencyKey", None))
        report = await sync.publish(user_id, post, targets=targets, idempotency_key=key)
        return {
            "idempotency_key": report["idempotency_key"],
            "results": report["legacy"],
            "details": [
                {
                    "platform": r["platform"],
                    "account_id": r["account_id"],
                    "ok": r["ok"],
                    "post_id": r["post_id"],
                    "url": r["url"],
                    "error": None if r["error"] is None else r["error"]["code"],
                    "reused": r["reused"],
                    "draft": r["draft"],
                }
                for r in report["results"]
            ],
        }

    @app.post("/schedule", status_code=201)
    async def schedule_route(
        body: Dict[str, Any] = Body(...), user_id: str = Depends(user), sync: cs.CreatorSync = Depends(client)
    ) -> Dict[str, Any]:
        # As /publish, plus `at`; the core checks the post for every target now.
        post = dict(body)
        if "at" not in post:
            raise HTTPException(status_code=400, detail="at (RFC 3339 or {local, zone}) required")
        at = post.pop("at")
        targets = post.pop("targets", None)
        key = post.pop("idempotency_key", post.pop("idempotencyKey", None))
        sched = sync.scheduler()
        sid = await sched.schedule(user_id, post, at, targets=targets, idempotency_key=key)
        return dict(await sched.get(sid))

    @app.get("/scheduled")
    async def scheduled_route(
        state: Optional[str] = None,
        after: Optional[str] = None,
        user_id: str = Depends(user),
        sync: cs.CreatorSync = Depends(client),
    ) -> Dict[str, Any]:
        return dict(await sync.scheduler().list(user_id=user_id, state=state, after=after, limit=100))

    @app.delete("/scheduled/{schedule_id}")
    async def cancel_route(
        schedule_id: str, user_id: str = Depends(user), sync: cs.CreatorSync = Depends(client)
    ) -> Dict[str, Any]:
        sched = sync.scheduler()
        # Only the caller's own posts (another user's id is not found).
        if (await sched.get(schedule_id))["user_id"] != user_id:
            raise HTTPException(status_code=404, detail="no such scheduled post")
        return dict(await sched.cancel(schedule_id))

    @app.post("/metrics")
    async def metrics_route(
        body: Dict[str, Any] = Body(...), user_id: str = Depends(user), sync: cs.CreatorSync = Depends(client)
    ) -> Dict[str, Any]:
        # `posts`: [{"platform", "post_id", "account_id"?}] (a publish
        # report's `results` fit as they are). A metric the platform does
        # not report is None (null), never 0.
        posts = body.get("posts")
        if not isinstance(posts, list):
            raise HTTPException(status_code=400, detail="posts must be a list of {platform, post_id}")
        return {"results": await sync.metrics(user_id, posts)}

    @app.get("/metrics/{platform}/{post_id}/history")
    async def metrics_history_route(
        platform: str,
        post_id: str,
        account_id: Optional[str] = None,
        since: Optional[str] = None,
        user_id: str = Depends(user),
        sync: cs.CreatorSync = Depends(client),
    ) -> Dict[str, Any]:
        post: cs.PostRef = {"platform": platform, "post_id": post_id, "account_id": account_id}
        return {"history": await sync.metrics_history(user_id, post, since=since)}

    @app.get("/status")
    async def status_route(user_id: str = Depends(user), sync: cs.CreatorSync = Depends(client)) -> Dict[str, Any]:
        return {"accounts": await sync.status(user_id), "quota": await sync.quota(user_id)}

    @app.get("/health")
    async def health_route(
        user_id: Optional[str] = Depends(maybe_user), sync: cs.CreatorSync = Depends(client)
    ) -> Dict[str, Any]:
        if user_id is None:
            return {"status": "ok"}
        return {"status": "ok", "accounts": await sync.health(user_id)}

    @app.post("/disconnect/{platform}")
    async def disconnect_route(
        platform: str,
        account_id: Optional[str] = None,
        user_id: str = Depends(user),
        sync: cs.CreatorSync = Depends(client),
    ) -> Dict[str, int]:
        if platform not in cs.PLATFORMS:
            raise HTTPException(status_code=400, detail=f"unknown platform {platform!r}")
        if account_id is not None:
            ids = [account_id]
        else:
            keys = [s["account"]["key"] for s in await sync.status(user_id)]
            ids = [k["account_id"] for k in keys if k["platform"] == platform]
        count = 0
        for a in ids:
            count += int(await sync.disconnect(user_id, platform, a))
        return {"disconnected": count}

    return app


app = create_app()
"""The app uvicorn serves (configured from the environment at startup)."""
