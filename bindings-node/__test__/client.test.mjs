// The client against the emulator: loading, connect for all six, status and
// health, publishing text and media (file path, Buffer, URL) everywhere with
// progress, and idempotent retries.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { createRequire } from 'node:module'
import { createServer } from 'node:http'
import { mkdtemp, writeFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { CreatorSync, CreatorSyncError } from '../index.mjs'
import { PLATFORMS, startEmulator, client, connect, uniqueUser, videoBytes, pngBytes } from './helpers.mjs'

// All nine accounts the emulator gives: X, LinkedIn member + 2 organizations,
// 2 Facebook pages, Instagram, YouTube, TikTok.
const ALL_TARGETS = 9
const CLIP_SIZE = (1 << 20) + 4096

let emu
before(async () => { emu = await startEmulator() })
after(() => emu.stop())

test('loads from CommonJS and ESM alike', () => {
  const cjs = createRequire(import.meta.url)('../index.js')
  assert.equal(typeof cjs.CreatorSync, 'function')
  assert.equal(cjs.CreatorSync, CreatorSync)
  assert.equal(cjs.CreatorSyncError, CreatorSyncError)
})

test('connect all six, then status, health, expiry and disconnect', async () => {
  const sync = await client(emu)
  const user = uniqueUser('connect')
  for (const p of PLATFORMS) {
    const accounts = await connect(sync, user, p)
    for (const a of accounts) {
      assert.equal(a.key.userId, user)
      assert.equal(a.key.platform, p)
      assert.ok(a.profile.platformUserId)
    }
  }
  const status = await sync.status(user)
  assert.equal(status.length, ALL_TARGETS)
  assert.deepEqual(new Set(status.map((s) => s.account.key.platform)), new Set(PLATFORMS))
  assert.ok(status.every((s) => s.connected && !s.needsReauth))
  const health = await sync.health(user)
  assert.equal(health.length, ALL_TARGETS)
  assert.ok(health.every((h) => h.healthy), JSON.stringify(health.filter((h) => !h.healthy)))
  assert.ok(Array.isArray(await sync.expiringWithin(user, 3650)))
  // One account per call, as in Rust: whether it was connected.
  for (const s of status.filter((s) => s.account.key.platform === 'linkedin')) {
    assert.equal(await sync.disconnect(user, 'linkedin', s.account.key.accountId), true)
  }
  assert.equal(await sync.disconnect(user, 'linkedin', status.find((s) => s.account.key.platform === 'linkedin').account.key.accountId), false)
  assert.equal((await sync.status(user)).length, ALL_TARGETS - 3)
})

test('a video from a file path to all six, with progress and an idempotent retry', async () => {
  const sync = await client(emu)
  const user = uniqueUser('video')
  for (const p of PLATFORMS) await connect(sync, user, p)
  const dir = await mkdtemp(join(tmpdir(), 'creatorsync-'))
  const path = join(dir, 'clip.mp4')
  await writeFile(path, videoBytes(CLIP_SIZE))
  const post = {
    text: 'Launch day 🚀',
    media: [{ path }],
    options: {
      youtube: { title: 'Launch day', privacy: 'unlisted' },
      tiktok: { privacyLevel: 'SELF_ONLY', disableDuet: true, disableStitch: true },
    },
  }
  const events = []
  let ticks = 0
  const timer = setInterval(() => { ticks++ }, 1)
  const report = await sync.publish(user, post, { idempotencyKey: `launch-${user}`, onProgress: (e) => events.push(e) })
  clearInterval(timer)

  assert.equal(report.allOk, true, JSON.stringify(report.results.filter((r) => !r.ok)))
  assert.equal(report.results.length, ALL_TARGETS)
  assert.equal(report.idempotencyKey, `launch-${user}`)
  for (const r of report.results) {
    assert.ok(r.postId && r.url.startsWith('http'), JSON.stringify(r))
    assert.equal(r.error, null)
    assert.equal(r.reused, false)
  }
  assert.deepEqual(Object.keys(report.legacy.youtube).sort(), ['message', 'postId', 'success', 'url'])
  assert.equal(report.legacy.youtube.url, report.results.find((r) => r.platform === 'youtube').url)

  // Progress came through the event loop while the upload ran, not after it.
  assert.ok(ticks > 0, 'the event loop kept turning during the publish')
  await new Promise((r) => setImmediate(r))
  assert.equal(events[0].event, 'validated')
  assert.equal(events[0].targets, ALL_TARGETS)
  assert.equal(events.filter((e) => e.event === 'published').length, ALL_TARGETS)
  const uploads = events.filter((e) => e.event === 'uploading' && e.platform === 'youtube')
  assert.ok(uploads.length > 0)
  assert.equal(uploads.at(-1).sent, CLIP_SIZE)
  assert.equal(uploads.at(-1).total, CLIP_SIZE)

  // The same key again publishes nothing twice.
  const before = (await emu.posts()).length
  const again = await sync.publish(user, post, { idempotencyKey: `launch-${user}` })
  assert.equal(again.allOk, true)
  assert.ok(again.results.every((r) => r.reused))
  assert.equal((await emu.posts()).length, before)
  await rm(dir, { recursive: true })
})

test('text to the text platforms, chosen by platform and by account', async () => {
  const sync = await client(emu)
  const user = uniqueUser('text')
  for (const p of ['x', 'linkedin', 'facebook']) await connect(sync, user, p)
  const report = await sync.publish(user, { text: `Hello from Node ${user}` }, {
    targets: ['x', { platform: 'linkedin', accountId: 'li-demo-person' }, { platform: 'facebook', accountId: '1001' }],
  })
  assert.equal(report.allOk, true, JSON.stringify(report.results))
  assert.deepEqual(report.results.map((r) => `${r.platform}/${r.accountId}`).sort(),
    ['facebook/1001', 'linkedin/li-demo-person', 'x/2244994945'])
  const x = report.results.find((r) => r.platform === 'x')
  assert.equal(x.url, `https://x.com/creatorsync_demo/status/${x.postId}`)
  assert.equal(report.legacy.x.success, true)
  assert.equal(report.legacy.x.postId, x.postId)
})

test('images from a Buffer and from a URL', async () => {
  const sync = await client(emu)
  const user = uniqueUser('image')
  await connect(sync, user, 'x')
  await connect(sync, user, 'linkedin')
  const fromBuffer = await sync.publish(user, {
    text: 'An image from a Buffer',
    media: [{ buffer: pngBytes(), name: 'pic.png', altText: 'a square' }],
  }, { targets: ['x', { platform: 'linkedin', accountId: 'li-demo-person' }] })
  assert.equal(fromBuffer.allOk, true, JSON.stringify(fromBuffer.results))

  const png = pngBytes()
  let served = 0
  const server = createServer((req, res) => {
    served++
    res.writeHead(200, { 'content-type': 'image/png', 'content-length': png.length })
    res.end(req.method === 'HEAD' ? undefined : png)
  })
  await new Promise((r) => server.listen(0, '127.0.0.1', r))
  try {
    const url = `http://127.0.0.1:${server.address().port}/pic.png`
    const fromUrl = await sync.publish(user, { text: 'An image from a URL', media: [{ url, allowLoopback: true }] }, { targets: ['x'] })
    assert.equal(fromUrl.allOk, true, JSON.stringify(fromUrl.results))
    assert.ok(served >= 1)
    // Without the opt-in, a loopback URL is refused before any request.
    await assert.rejects(sync.publish(user, { text: 'no', media: [{ url }] }, { targets: ['x'] }),
      (e) => e instanceof CreatorSyncError && e.code === 'INVALID_MEDIA')
  } finally {
    server.close()
  }
})

test('a Facebook Page Reel through the reel option', async () => {
  const sync = await client(emu)
  const user = uniqueUser('reel')
  await connect(sync, user, 'facebook')
  const post = { text: 'A reel', media: [{ buffer: videoBytes(CLIP_SIZE), name: 'reel.mp4' }], options: { facebook: { reel: true } } }
  const report = await sync.publish(user, post, { targets: [{ platform: 'facebook', accountId: '1001' }] })
  assert.equal(report.allOk, true, JSON.stringify(report.results))
  assert.ok(report.results[0].url.startsWith('https://www.facebook.com/reel/'), report.results[0].url)
  // A reel is one video: an image is refused before anything is sent.
  const image = { text: 'no', media: [{ buffer: pngBytes(), name: 'a.png' }], options: { facebook: { reel: true } } }
  await assert.rejects(sync.publish(user, image, { targets: ['facebook'] }), (e) => {
    assert.ok(e.violations.some((v) => v.code === 'reel_requires_one_video'), JSON.stringify(e.violations))
    return true
  })
})
