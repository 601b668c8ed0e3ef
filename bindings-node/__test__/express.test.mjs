// examples/node/express-app.js end to end: a browser connects all six
// platforms through the app's OAuth routes, then /publish posts a video
// (served from a URL) everywhere and answers in the seed's per-platform shape.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { createRequire } from 'node:module'
import { createServer } from 'node:http'
import { PLATFORMS, startEmulator, client, authorize, videoBytes } from './helpers.mjs'

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
  const unknown = await fetch(`${base}/oauth/start/myspace?userId=someone`, { redirect: 'manual' })
  assert.equal(unknown.status, 400)
  assert.equal((await unknown.json()).error, 'INVALID_INPUT')
  // Not connected anywhere: every requested platform reports failure, in the seed's shape.
  const nothing = await (await publish('nobody', { text: 'hello', platforms: ['x', 'linkedin'] })).json()
  assert.equal(nothing.results.x.success, false)
  assert.match(nothing.results.x.message, /no connected account/)
})
