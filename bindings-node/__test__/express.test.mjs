// examples/node/express-app.js end to end: a browser connects all six
// platforms through the app's OAuth routes, then /publish posts a video
// (served from a URL) everywhere and answers in the seed's per-platform shape.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { createRequire } from 'node:module'
import { createServer } from 'node:http'
import { spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { randomBytes } from 'node:crypto'
import { PLATFORMS, SECRET, startEmulator, client, authorize, videoBytes } from './helpers.mjs'

const require = createRequire(import.meta.url)
const { createApp } = require('../../examples/node/express-app.js')

let emu
let server
let base
let media
before(async () => {
  emu = await startEmulator()
  const sync = await client(emu)
  const app = createApp(sync, { allowLoopbackMedia: true })
  server = await new Promise((resolve) => { const s = app.listen(0, '127.0.0.1', () => resolve(s)) })
  base = `http://127.0.0.1:${server.address().port}`
  app.locals.publicBaseUrl = base
  const clip = videoBytes((1 << 20) + 4096)
  media = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'video/mp4', 'content-length': clip.length })
    res.end(req.method === 'HEAD' ? undefined : clip)
  })
  await new Promise((r) => media.listen(0, '127.0.0.1', r))
})
after(() => { server.close(); media.close(); emu.stop() })

const user = `express-${process.pid}`

test('connect all six through the OAuth routes, publish everywhere, read status', async () => {
  for (const platform of PLATFORMS) {
    const start = await fetch(`${base}/oauth/start/${platform}?userId=${user}`, { redirect: 'manual' })
    assert.equal(start.status, 302, platform)
    const cookie = start.headers.get('set-cookie').split(';')[0]
    const callback = await authorize(start.headers.get('location'))
    assert.ok(callback.startsWith(`${base}/oauth/callback/${platform}?`), callback)
    const done = await fetch(callback, { headers: { cookie } })
    assert.equal(done.status, 200, await done.clone().text())
    const { connected } = await done.json()
    assert.ok(connected.length >= 1 && connected.every((a) => a.key.userId === user))
  }

  const status = await (await fetch(`${base}/status`, { headers: { 'x-user-id': user } })).json()
  assert.deepEqual(new Set(status.accounts.map((a) => a.platform)), new Set(PLATFORMS))

  const body = {
    text: 'Launch day from Express',
    mediaUrls: [`http://127.0.0.1:${media.address().port}/clip.mp4`],
    options: { youtube: { title: 'Launch day' }, tiktok: { privacyLevel: 'SELF_ONLY', disableDuet: true, disableStitch: true } },
    idempotencyKey: `express-launch-${user}`,
  }
  const res = await fetch(`${base}/publish`, {
    method: 'POST', headers: { 'content-type': 'application/json', 'x-user-id': user }, body: JSON.stringify(body),
  })
  assert.equal(res.status, 200)
  const { idempotencyKey, results } = await res.json()
  assert.equal(idempotencyKey, body.idempotencyKey)
  for (const platform of PLATFORMS) assert.ok(Object.keys(results).some((k) => k.split(':')[0] === platform), platform)
  for (const [target, r] of Object.entries(results)) {
    assert.deepEqual(Object.keys(r).sort(), ['message', 'postId', 'success', 'url'], target)
    assert.equal(r.success, true, `${target}: ${r.message}`)
    assert.ok(r.postId && r.url.startsWith('https://'), target)
  }
  assert.ok(results.youtube.url.startsWith('https://www.youtube.com/watch?v='))

  // The status route shows every quota, counted from the publish above.
  const { quotas } = await (await fetch(`${base}/status`, { headers: { 'x-user-id': user } })).json()
  const uploads = quotas.find((q) => q.platform === 'youtube' && q.bucket === 'uploads')
  assert.equal(uploads.used, 1, JSON.stringify(quotas))
  assert.equal(uploads.remaining, uploads.limit - 1)
  assert.ok(Date.parse(uploads.resetsAt) > Date.now(), uploads.resetsAt)
  assert.ok(new Set(quotas.map((q) => q.platform)).size === PLATFORMS.length, JSON.stringify(quotas.map((q) => q.platform)))
})

test('errors become HTTP statuses with the stable code', async () => {
  const publish = (user, body) => fetch(`${base}/publish`, {
    method: 'POST', headers: { 'content-type': 'application/json', ...(user ? { 'x-user-id': user } : {}) }, body: JSON.stringify(body),
  })
  assert.equal((await publish(null, { text: 'hi' })).status, 401)
  const tooLong = await publish(user, { text: 'x'.repeat(400), platforms: ['x'] })
  assert.equal(tooLong.status, 422)
  const err = await tooLong.json()
  assert.equal(err.error, 'INVALID_POST')
  assert.ok(err.violations.some((v) => v.platform === 'x'))
  // A draft passes through the route; X has none: refused with the violation.
  const draft = await publish(user, { text: 'an Express draft', draft: true, platforms: ['x'] })
  assert.equal(draft.status, 422)
  assert.ok((await draft.json()).violations.some((v) => v.code === 'draft_unsupported'))
  const unknown = await fetch(`${base}/oauth/start/myspace?userId=someone`, { redirect: 'manual' })
  assert.equal(unknown.status, 400)
  assert.equal((await unknown.json()).error, 'INVALID_INPUT')
  // Not connected anywhere: every requested platform reports failure, in the seed's shape.
  const nothing = await (await publish('nobody', { text: 'hello', platforms: ['x', 'linkedin'] })).json()
  assert.equal(nothing.results.x.success, false)
  assert.match(nothing.results.x.message, /no connected account/)
})

test('health and disconnect routes', async () => {
  const who = `${user}-hd`
  const start = await fetch(`${base}/oauth/start/linkedin?userId=${who}`, { redirect: 'manual' })
  const cookie = start.headers.get('set-cookie').split(';')[0]
  const done = await fetch(await authorize(start.headers.get('location')), { headers: { cookie } })
  assert.equal(done.status, 200)
  const { connected } = await done.json()
  assert.ok(connected.length >= 2, 'member + organizations')

  assert.deepEqual(await (await fetch(`${base}/health`)).json(), { ok: true })
  const health = await (await fetch(`${base}/health`, { headers: { 'x-user-id': who } })).json()
  assert.equal(health.ok, true)
  assert.equal(health.accounts.length, connected.length)
  assert.ok(health.accounts.every((a) => a.platform === 'linkedin' && a.healthy && a.error === null))

  const disconnect = (body) => fetch(`${base}/disconnect/linkedin`, {
    method: 'POST', headers: { 'content-type': 'application/json', 'x-user-id': who }, body: JSON.stringify(body),
  })
  assert.equal((await disconnect({ accountId: 42 })).status, 400)
  assert.deepEqual(await (await disconnect({ accountId: connected[0].key.accountId })).json(), { disconnected: 1 })
  assert.deepEqual(await (await disconnect({})).json(), { disconnected: connected.length - 1 })
  const status = await (await fetch(`${base}/status`, { headers: { 'x-user-id': who } })).json()
  assert.deepEqual(status.accounts, [])
})

/** Starts express-app.js as its own process on a free loopback port. */
async function worker(env) {
  const app = new URL('../../examples/node/express-app.js', import.meta.url).pathname
  const child = spawn(process.execPath, [app], { env: { ...process.env, ...env, PORT: '0' }, stdio: ['ignore', 'inherit', 'pipe'] })
  const url = await new Promise((resolve, reject) => {
    createInterface({ input: child.stderr }).on('line', (line) => {
      const m = /^listening on (\S+)/.exec(line)
      if (m) resolve(m[1]); else process.stderr.write(`${line}\n`)
    })
    child.once('exit', (c) => reject(new Error(`express worker exited ${c}`)))
  })
  return { url, stop: () => child.kill('SIGTERM') }
}

test('two worker processes on one SQLite file: connect begun on one finishes on the other; a retried publish posts once', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cs-express-'))
  const env = {
    CREATORSYNC_EMULATOR_JSON: JSON.stringify(emu.info),
    CREATORSYNC_STATE_SECRET: SECRET,
    CREATORSYNC_DB: join(dir, 'creatorsync.db'),
    CREATORSYNC_KEY: randomBytes(32).toString('base64'),
    // The load balancer's address, the same on both workers (never contacted).
    PUBLIC_BASE_URL: 'http://app.test',
  }
  // One at a time: the first creates the schema.
  const a = await worker(env)
  const b = await worker(env)
  try {
    const who = `${user}-workers`
    const start = await fetch(`${a.url}/oauth/start/x?userId=${who}`, { redirect: 'manual' })
    assert.equal(start.status, 302)
    const cookie = start.headers.get('set-cookie').split(';')[0]
    const callback = new URL(await authorize(start.headers.get('location')))
    assert.equal(callback.origin, 'http://app.test')
    // The load balancer sends the callback to the other worker.
    const done = await fetch(`${b.url}${callback.pathname}${callback.search}`, { headers: { cookie } })
    assert.equal(done.status, 200, await done.clone().text())
    const [account] = (await done.json()).connected
    assert.equal(account.key.userId, who)
    // Single use across workers: replaying the callback on the first fails.
    const replay = await fetch(`${a.url}${callback.pathname}${callback.search}`, { headers: { cookie } })
    assert.equal(replay.status, 400)
    assert.equal((await replay.json()).error, 'INVALID_STATE')

    const text = `Two workers, one post ${process.pid}`
    const publish = (w) => fetch(`${w.url}/publish`, {
      method: 'POST', headers: { 'content-type': 'application/json', 'x-user-id': who },
      body: JSON.stringify({ text, platforms: ['x'], idempotencyKey: `two-workers-${who}` }),
    }).then(async (r) => { assert.equal(r.status, 200); return r.json() })
    const first = await publish(a)
    const retried = await publish(b)
    assert.equal(first.results.x.success, true, first.results.x.message)
    assert.deepEqual(retried.results.x, first.results.x)
    const posts = (await emu.posts('x')).filter((p) => JSON.stringify(p).includes(text))
    assert.equal(posts.length, 1, 'one post on the emulator')
  } finally {
    a.stop()
    b.stop()
  }
})

test('the old backend body shape (caption, hashtags, ...) publishes; an unknown old field is refused', async () => {
  // The old body is mapped by the core (contract/legacy.rs). Its `mediaUrl`
  // takes public addresses only, and this test has loopback media only, so
  // the old shape is published as text (caption + hashtags) to X.
  const who = `${user}-old-shape`
  const start = await fetch(`${base}/oauth/start/x?userId=${who}`, { redirect: 'manual' })
  const cookie = start.headers.get('set-cookie').split(';')[0]
  assert.equal((await fetch(await authorize(start.headers.get('location')), { headers: { cookie } })).status, 200)
  const publish = (body) => fetch(`${base}/publish`, {
    method: 'POST', headers: { 'content-type': 'application/json', 'x-user-id': who }, body: JSON.stringify(body),
  })
  const caption = `Old shape ${process.pid}`
  const res = await publish({ caption, hashtags: ['creatorsync', '#launch'], platforms: ['x'], idempotencyKey: `old-${who}` })
  assert.equal(res.status, 200, await res.clone().text())
  const { results } = await res.json()
  assert.equal(results.x.success, true, results.x.message)
  const [post] = (await emu.posts('x')).filter((p) => JSON.stringify(p).includes(caption))
  assert.match(JSON.stringify(post), /Old shape \d+\\n\\n#creatorsync #launch/)
  // An old field that does not exist is an error, not silently dropped.
  const typo = await publish({ caption, captoin: 'typo', platforms: ['x'] })
  assert.equal(typo.status, 400, await typo.clone().text())
  assert.equal((await typo.json()).error, 'INVALID_INPUT')
})

test('schedule, list and cancel routes; the app process publishes a due post and exits cleanly on SIGTERM', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cs-express-schedule-'))
  const app = new URL('../../examples/node/express-app.js', import.meta.url).pathname
  const env = {
    CREATORSYNC_EMULATOR_JSON: JSON.stringify(emu.info),
    CREATORSYNC_STATE_SECRET: SECRET,
    CREATORSYNC_DB: join(dir, 'creatorsync.db'),
    CREATORSYNC_KEY: randomBytes(32).toString('base64'),
    PUBLIC_BASE_URL: 'http://app.test',
    PORT: '0',
  }
  const child = spawn(process.execPath, [app], { env: { ...process.env, ...env }, stdio: ['ignore', 'inherit', 'pipe'] })
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })))
  const url = await new Promise((resolve, reject) => {
    createInterface({ input: child.stderr }).on('line', (line) => {
      const m = /^listening on (\S+)/.exec(line)
      if (m) resolve(m[1]); else process.stderr.write(`${line}\n`)
    })
    exited.then(({ code }) => reject(new Error(`express app exited ${code}`)))
  })
  try {
    const who = `${user}-schedule`
    const start = await fetch(`${url}/oauth/start/x?userId=${who}`, { redirect: 'manual' })
    const cookie = start.headers.get('set-cookie').split(';')[0]
    const callback = new URL(await authorize(start.headers.get('location')))
    assert.equal((await fetch(`${url}${callback.pathname}${callback.search}`, { headers: { cookie } })).status, 200)

    const headers = { 'content-type': 'application/json', 'x-user-id': who }
    const schedule = (body) => fetch(`${url}/schedule`, { method: 'POST', headers, body: JSON.stringify(body) })
    const later = await schedule({ text: `Express later ${process.pid}`, platforms: ['x'], at: { local: '2031-12-24T09:00', zone: 'Europe/Berlin' } })
    assert.equal(later.status, 201, await later.clone().text())
    const laterView = await later.json()
    assert.equal(laterView.state, 'scheduled')
    assert.equal(Date.parse(laterView.dueAt), Date.parse('2031-12-24T08:00:00Z'))

    const text = `Express due soon ${process.pid}`
    const soon = await schedule({ text, platforms: ['x'], at: new Date(Date.now() + 2000).toISOString() })
    assert.equal(soon.status, 201, await soon.clone().text())
    const soonId = (await soon.json()).id
    const invalid = await schedule({ text: 'x'.repeat(400), platforms: ['x'], at: '2031-01-01T00:00:00Z' })
    assert.equal(invalid.status, 422)
    assert.equal((await invalid.json()).error, 'INVALID_POST')
    assert.equal((await schedule({ text: 'no time', platforms: ['x'] })).status, 400)

    const listed = await (await fetch(`${url}/scheduled?state=scheduled`, { headers })).json()
    assert.ok(listed.items.some((p) => p.id === laterView.id))
    const cancel = (h) => fetch(`${url}/scheduled/${laterView.id}`, { method: 'DELETE', headers: h })
    assert.equal((await cancel({ 'x-user-id': 'someone-else' })).status, 404)
    const cancelled = await cancel(headers)
    assert.equal(cancelled.status, 200)
    assert.equal((await cancelled.json()).state, 'cancelled')
    assert.equal((await cancel(headers)).status, 400)

    const deadline = Date.now() + 30_000
    let published = false
    while (!published && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200))
      const page = await (await fetch(`${url}/scheduled?state=published`, { headers })).json()
      published = page.items.some((p) => p.id === soonId)
    }
    assert.ok(published, "the app's worker published the due post")
    assert.equal((await emu.posts('x')).filter((p) => p.text === text).length, 1, 'exactly once')
  } finally {
    child.kill('SIGTERM')
  }
  assert.deepEqual(await exited, { code: 0, signal: null }, 'the worker stopped and the process exited by itself')
})
