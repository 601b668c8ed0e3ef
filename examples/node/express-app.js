// An Express backend over CreatorSync: the routes the old per-platform
// services had, with the same per-platform `{ success, postId, url, message }`
// results, and none of the token bookkeeping.
//
// Routes (the user is `X-User-Id` or `?userId=`, standing in for your
// session; the OAuth round trip keeps it in a cookie):
//
//   GET  /oauth/start/:platform      302 to the platform's consent page
//   GET  /oauth/callback/:platform   completes the connect → { connected: [...] }
//   POST /publish                    { text, platforms?, mediaUrls?, options?, idempotencyKey? }, or the
//                                    old backend's body { caption, hashtags, mediaUrl, mediaType, title,
//                                    privacyStatus, platforms?, idempotencyKey? } (mapped by the core:
//                                    creatorsync-core/src/contract/legacy.rs)
//                                    → { idempotencyKey, results: { x: { success, postId, url, message }, ... } }
//   GET  /status                     every connected account and its state, and every quota
//                                    (used, limit, remaining, resetsAt)
//   GET  /health                     { ok: true } (liveness); with a user, each account checked live
//   POST /disconnect/:platform       { accountId? } → revokes and forgets one account, or all of the
//                                    platform → { disconnected: n }
//   POST /schedule                   the body of /publish plus `at` (RFC 3339, or
//                                    { local: '2026-12-24T09:00', zone: 'Europe/Berlin' })
//                                    → 201 the scheduled post { id, state, dueAt, ... } (checked now:
//                                    a violation is a 422, as for /publish)
//   GET  /scheduled                  ?state=scheduled&after=<cursor> → { items, next }
//   DELETE /scheduled/:id            cancels a post that has not started → the post (400 once it started)
//
// Run as a program, the app also runs the scheduler's worker in-process
// (`startWorker`): it publishes scheduled posts when due, and on SIGTERM or
// SIGINT it stops taking posts and finishes the ones it is publishing
// before the process exits. Every process runs one; they share the jobs
// through the store's database.
//
// Several workers (processes or machines) serve the same routes when they
// share the store (one SQLite file, PostgreSQL, or your own database through
// a key-value store object), the state secret and
// PUBLIC_BASE_URL: a connect begun on one finishes on another, and a publish
// retried on another with the same idempotencyKey posts once.
//
// Run against the local emulator:
//
//   creatorsync-emulator > /tmp/emu.json &
//   CREATORSYNC_EMULATOR_JSON="$(head -1 /tmp/emu.json)" CREATORSYNC_STATE_SECRET=... node express-app.js
//
// Configuration (environment): CREATORSYNC_EMULATOR_JSON (the emulator's
// JSON line) or CREATORSYNC_APPS_JSON ({ x: { clientId, ... }, ... });
// CREATORSYNC_STATE_SECRET (≥ 32 characters); CREATORSYNC_DB (SQLite file,
// key from CREATORSYNC_KEY) or CREATORSYNC_POSTGRES_URL; PUBLIC_BASE_URL; PORT.
'use strict'

const express = require('express')
const { CreatorSync, CreatorSyncError } = require('creatorsync')

/** HTTP status per CreatorSyncError code (anything else: 502). */
const STATUS_OF = {
  INVALID_INPUT: 400,
  INVALID_POST: 422,
  INVALID_MEDIA: 422,
  INVALID_STATE: 400,
  AUTHORIZATION_DENIED: 403,
  NOT_CONNECTED: 409,
  REAUTH_REQUIRED: 409,
  RATE_LIMITED: 429,
  QUOTA_EXHAUSTED: 429,
  CONFIG_ERROR: 500,
  STORE_ERROR: 503,
}

const USER_COOKIE = 'cs_user'

function cookie(req, name) {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=')
    if (k === name) return decodeURIComponent(v.join('='))
  }
  return undefined
}

/** The caller: replace with your authentication. */
function currentUser(req) {
  const user = req.get('x-user-id') ?? req.query.userId ?? cookie(req, USER_COOKIE)
  if (typeof user !== 'string' || user.length === 0 || user.length > 256) {
    const err = new Error('who is calling? send X-User-Id')
    err.status = 401
    throw err
  }
  return user
}

/**
 * The app. `options.publicBaseUrl`: where the platforms send users back
 * (may also be set later as `app.locals.publicBaseUrl`);
 * `options.allowLoopbackMedia`: accept media URLs on loopback (tests only).
 */
function createApp(sync, options = {}) {
  const app = express()
  app.locals.publicBaseUrl = options.publicBaseUrl
  app.use(express.json({ limit: '1mb' }))
  const callbackUrl = (platform) => `${String(app.locals.publicBaseUrl).replace(/\/$/, '')}/oauth/callback/${platform}`

  app.get('/oauth/start/:platform', async (req, res) => {
    const user = currentUser(req)
    const { url } = await sync.connectBegin(user, req.params.platform, callbackUrl(req.params.platform))
    res.cookie(USER_COOKIE, user, { httpOnly: true, sameSite: 'lax' })
    res.redirect(302, url)
  })

  app.get('/oauth/callback/:platform', async (req, res) => {
    const user = currentUser(req)
    const here = `${String(app.locals.publicBaseUrl).replace(/\/$/, '')}${req.originalUrl}`
    const accounts = await sync.connectCompleteFromUrl(user, req.params.platform, here)
    res.json({ connected: accounts })
  })

  app.post('/publish', async (req, res) => {
    const user = currentUser(req)
    // `platforms`, `idempotencyKey` and `mediaUrls` are this app's; the rest
    // is the post, in either shape, as the core reads it.
    const { platforms, idempotencyKey, mediaUrls, ...post } = req.body ?? {}
    if (mediaUrls !== undefined) {
      if (!Array.isArray(mediaUrls) || mediaUrls.some((u) => typeof u !== 'string')) {
        return res.status(400).json({ error: 'INVALID_INPUT', message: 'mediaUrls must be a list of URLs' })
      }
      post.media = mediaUrls.map((url) => ({ url, allowLoopback: options.allowLoopbackMedia === true }))
    }
    const report = await sync.publish(user, post, { targets: platforms, idempotencyKey })
    res.json({ idempotencyKey: report.idempotencyKey, results: report.legacy })
  })

  // Post metrics. `posts`: `[{ platform, postId, accountId? }]` (the
  // `results` of a publish report fit as they are). Each result is one
  // post's metrics or its error; a metric the platform does not report is
  // null, never 0.
  // Scheduling: the post as /publish takes it, plus `at`.
  app.post('/schedule', async (req, res) => {
    const user = currentUser(req)
    const { platforms, idempotencyKey, at, ...post } = req.body ?? {}
    if (at === undefined) {
      return res.status(400).json({ error: 'INVALID_INPUT', message: 'at (RFC 3339 or { local, zone }) is required' })
    }
    const scheduler = sync.scheduler()
    const id = await scheduler.schedule(user, post, at, { targets: platforms, idempotencyKey })
    res.status(201).json(await scheduler.get(id))
  })

  app.get('/scheduled', async (req, res) => {
    const { state, after } = req.query
    const query = { userId: currentUser(req), limit: 100, ...(state ? { state } : {}), ...(after ? { after } : {}) }
    res.json(await sync.scheduler().list(query))
  })

  app.delete('/scheduled/:id', async (req, res) => {
    const user = currentUser(req)
    const scheduler = sync.scheduler()
    // Only the caller's own posts (another user's id is not found).
    if ((await scheduler.get(req.params.id)).userId !== user) {
      return res.status(404).json({ error: 'NOT_FOUND', message: 'no such scheduled post' })
    }
    res.json(await scheduler.cancel(req.params.id))
  })

  app.post('/metrics', async (req, res) => {
    const { posts } = req.body ?? {}
    if (!Array.isArray(posts)) {
      return res.status(400).json({ error: 'INVALID_INPUT', message: 'posts must be a list of { platform, postId }' })
    }
    const results = await sync.metrics(currentUser(req), posts)
    res.json({ results })
  })

  // How one post's metrics grew (every read is kept); `?since=` RFC 3339.
  app.get('/metrics/:platform/:postId/history', async (req, res) => {
    const { accountId, since } = req.query
    const post = { platform: req.params.platform, postId: req.params.postId, ...(accountId ? { accountId } : {}) }
    res.json({ history: await sync.metricsHistory(currentUser(req), post, since ?? null) })
  })

  app.get('/status', async (req, res) => {
    const user = currentUser(req)
    const [accounts, quotas] = await Promise.all([sync.status(user), sync.quota(user)])
    res.json({
      accounts: accounts.map((s) => ({
        platform: s.account.key.platform,
        accountId: s.account.key.accountId,
        handle: s.account.profile.handle,
        connected: s.connected,
        needsReauth: s.needsReauth,
        expiresAt: s.expiresAt,
      })),
      quotas: quotas.map((q) => ({
        platform: q.platform,
        accountId: q.accountId,
        bucket: q.bucket,
        window: q.window,
        used: q.used,
        limit: q.limit,
        remaining: q.remaining,
        resetsAt: q.resetsAt,
      })),
    })
  })

  app.get('/health', async (req, res) => {
    const user = req.get('x-user-id') ?? req.query.userId
    if (user === undefined) return res.json({ ok: true })
    const accounts = await sync.health(currentUser(req))
    res.json({
      ok: accounts.every((a) => a.healthy),
      accounts: accounts.map((a) => ({
        platform: a.key.platform,
        accountId: a.key.accountId,
        healthy: a.healthy,
        error: a.error ? { code: a.error.code, message: a.error.message } : null,
      })),
    })
  })

  app.post('/disconnect/:platform', async (req, res) => {
    const { accountId } = req.body ?? {}
    if (accountId !== undefined && typeof accountId !== 'string') {
      return res.status(400).json({ error: 'INVALID_INPUT', message: 'accountId must be a string' })
    }
    const user = currentUser(req)
    const { platform } = req.params
    // One account, or every account of the platform (the old route's meaning).
    const ids = accountId !== undefined
      ? [accountId]
      : (await sync.status(user)).map((s) => s.account.key).filter((k) => k.platform === platform).map((k) => k.accountId)
    let n = 0
    for (const id of ids) if (await sync.disconnect(user, platform, id)) n++
    res.json({ disconnected: n })
  })

  // Express 5 passes rejected promises here.
  app.use((err, req, res, next) => {
    if (res.headersSent) return next(err)
    if (err instanceof CreatorSyncError) {
      if (err.retryAfter != null) res.set('Retry-After', String(Math.ceil(err.retryAfter)))
      const body = { error: err.code, message: err.message }
      if (err.violations) body.violations = err.violations
      return res.status(STATUS_OF[err.code] ?? 502).json(body)
    }
    res.status(err.status ?? 500).json({ error: err.status ? 'BAD_REQUEST' : 'INTERNAL', message: err.message })
  })
  return app
}

/** The client from the environment (see the header). */
async function clientFromEnv(env = process.env) {
  let apps
  let endpoints
  if (env.CREATORSYNC_EMULATOR_JSON) {
    const line = JSON.parse(env.CREATORSYNC_EMULATOR_JSON)
    apps = line.apps
    endpoints = line
  } else {
    apps = JSON.parse(env.CREATORSYNC_APPS_JSON)
  }
  const store = env.CREATORSYNC_POSTGRES_URL
    ? { postgres: { url: env.CREATORSYNC_POSTGRES_URL } }
    : { sqlite: { path: env.CREATORSYNC_DB ?? 'creatorsync.db' } }
  return CreatorSync.create({ apps, endpoints, stateSecret: env.CREATORSYNC_STATE_SECRET, ...store })
}

/**
 * Runs the scheduler's worker in this process; `stop()` resolves once it
 * has finished the posts it is publishing.
 */
function startWorker(sync) {
  const controller = new AbortController()
  const done = sync.scheduler().run({ signal: controller.signal })
  return { done, stop: () => { controller.abort(); return done } }
}

module.exports = { createApp, clientFromEnv, startWorker }

if (require.main === module) {
  const port = Number(process.env.PORT ?? 3000)
  clientFromEnv().then((sync) => {
    // Behind a load balancer: its public address, the same on every worker.
    const publicBaseUrl = process.env.PUBLIC_BASE_URL ?? `http://127.0.0.1:${port}`
    const worker = startWorker(sync)
    worker.done.catch((err) => {
      process.stderr.write(`scheduler worker: ${err.code ?? 'ERROR'}: ${err.message}\n`)
      process.exit(1)
    })
    const server = createApp(sync, { publicBaseUrl }).listen(port, '127.0.0.1', () => {
      // The bound address (PORT=0 picks a free port).
      process.stderr.write(`listening on http://127.0.0.1:${server.address().port}\n`)
    })
    const shutdown = () => {
      server.close()
      worker.stop().finally(() => process.exit(0))
    }
    process.once('SIGTERM', shutdown)
    process.once('SIGINT', shutdown)
  }, (err) => {
    process.stderr.write(`${err.code ?? 'ERROR'}: ${err.message}\n`)
    process.exit(1)
  })
}
