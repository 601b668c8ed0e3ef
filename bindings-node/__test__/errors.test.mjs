// Every error code a caller branches on, produced for real against the
// emulator (faults through its control API), never by hand.
import { test, before, after, afterEach } from 'node:test'
import assert from 'node:assert/strict'
import { CreatorSync, CreatorSyncError } from '../index.mjs'
import { randomBytes } from 'node:crypto'
import { PLATFORMS, SECRET, startEmulator, client, connect, uniqueUser, videoBytes } from './helpers.mjs'
import { MapKeyValueStore } from './kv_stores.mjs'

let emu
before(async () => { emu = await startEmulator() })
after(() => emu.stop())
afterEach(() => emu.clearFaults())

/** Publishes and returns the one target's error (the report resolves). */
async function failure(sync, user, post, target) {
  const report = await sync.publish(user, post, { targets: [target] })
  assert.equal(report.results.length, 1)
  const [r] = report.results
  assert.equal(r.ok, false, JSON.stringify(r))
  assert.equal(report.legacy[r.platform].success, false)
  assert.equal(report.legacy[r.platform].message.length > 0, true)
  return r.error
}

test('bad options reject with CONFIG_ERROR / INVALID_INPUT before any request', async () => {
  await assert.rejects(CreatorSync.create({ apps: 'emulator' }), (e) => e instanceof CreatorSyncError && e.code === 'INVALID_INPUT')
  await assert.rejects(CreatorSync.create({ apps: 'emulator', stateSecret: SECRET, store: 'redis' }), (e) => e.code === 'INVALID_INPUT')
  const sync = await client(emu)
  await assert.rejects(sync.connectBegin('u', 'myspace', 'http://127.0.0.1/cb'), (e) => {
    assert.ok(e instanceof CreatorSyncError && e instanceof Error)
    assert.equal(e.code, 'INVALID_INPUT')
    assert.equal(e.retryable, false)
    return true
  })
  await assert.rejects(sync.publish('u', { text: 'hi', media: [{}] }), (e) => e.code === 'INVALID_INPUT')
  await assert.rejects(sync.publish('u', { text: 'hi', options: { youtube: { titel: 'typo' } } }), (e) => e.code === 'INVALID_INPUT')
  await assert.rejects(sync.publish('u', { text: 'hi' }, { targets: ['myspace'] }), (e) => e.code === 'INVALID_INPUT')
  // A mistyped option never widens or changes the publish: it is refused.
  for (const [field, value] of [['targets', 'x'], ['idempotencyKey', 42], ['validTargetsOnly', 'yes'], ['onProgress', true], ['signal', 'abort']]) {
    await assert.rejects(sync.publish('u', { text: 'hi' }, { [field]: value }), (e) => {
      assert.equal(e.code, 'INVALID_INPUT', field)
      assert.equal(e.field, field)
      return true
    })
  }
})

test('INVALID_POST lists every violation before any request', async () => {
  const sync = await client(emu)
  const user = uniqueUser('invalid')
  for (const p of PLATFORMS) await connect(sync, user, p)
  const before = (await emu.posts()).length
  await assert.rejects(sync.publish(user, { text: 'x'.repeat(300) }), (e) => {
    assert.equal(e.code, 'INVALID_POST')
    const platforms = new Set(e.violations.map((v) => v.platform))
    for (const p of ['x', 'youtube', 'tiktok', 'instagram']) assert.ok(platforms.has(p), p)
    assert.ok(e.violations.every((v) => v.code && v.message))
    return true
  })
  assert.equal((await emu.posts()).length, before)
  // validTargetsOnly publishes where the post is valid and reports the rest.
  const report = await sync.publish(user, { text: 'Text only' }, { validTargetsOnly: true })
  const youtube = report.results.find((r) => r.platform === 'youtube')
  assert.equal(youtube.error.code, 'INVALID_POST')
  assert.ok(report.results.find((r) => r.platform === 'x').ok)
})

test('INVALID_MEDIA for a missing file', async () => {
  const sync = await client(emu)
  await assert.rejects(sync.publish('u', { text: 'hi', media: [{ path: '/nonexistent/clip.mp4' }] }, { targets: ['x'] }),
    (e) => e.code === 'INVALID_MEDIA')
})

test('NOT_CONNECTED for a target the user never connected', async () => {
  const sync = await client(emu)
  const user = uniqueUser('notconnected')
  await connect(sync, user, 'x')
  const report = await sync.publish(user, { text: `hi ${user}` }, { targets: ['x', 'facebook'] })
  assert.ok(report.results.find((r) => r.platform === 'x').ok)
  const fb = report.results.find((r) => r.platform === 'facebook')
  assert.equal(fb.error.code, 'NOT_CONNECTED')
  assert.equal(report.legacy.facebook.success, false)
})

test('RATE_LIMITED carries retryAfter', async () => {
  const sync = await client(emu)
  const user = uniqueUser('ratelimited')
  await connect(sync, user, 'x')
  await emu.fault('x', { kind: 'rate_limit', retry_after_secs: 3600, path_contains: '/2/tweets' })
  const err = await failure(sync, user, { text: 'throttled' }, 'x')
  assert.equal(err.code, 'RATE_LIMITED')
  assert.ok(err.retryAfter > 60, String(err.retryAfter))
  assert.equal(err.status, 429)
  assert.equal(err.retryable, true)
})

test('PLATFORM_ERROR with the platform and status', async () => {
  const sync = await client(emu)
  const user = uniqueUser('platform')
  await connect(sync, user, 'linkedin')
  await emu.fault('linkedin', { kind: 'fail', status: 400, path_contains: '/rest/posts' })
  const err = await failure(sync, user, { text: 'refused' }, { platform: 'linkedin', accountId: 'li-demo-person' })
  assert.equal(err.code, 'PLATFORM_ERROR')
  assert.equal(err.platform, 'linkedin')
  assert.equal(err.status, 400)
})

test('REAUTH_REQUIRED after the platform revokes the token, and status says so', async () => {
  const sync = await client(emu)
  const user = uniqueUser('reauth')
  await connect(sync, user, 'x')
  await emu.ctl('POST', '/tokens/x/revoke', {})
  const err = await failure(sync, user, { text: 'after revoke' }, 'x')
  assert.equal(err.code, 'REAUTH_REQUIRED')
  const [status] = await sync.status(user)
  assert.equal(status.needsReauth, true)
})

test('DUPLICATE when the platform refuses the same text twice', async () => {
  const sync = await client(emu)
  const user = uniqueUser('duplicate')
  await connect(sync, user, 'x')
  const first = await sync.publish(user, { text: `same words ${user}` }, { targets: ['x'] })
  assert.equal(first.allOk, true)
  const err = await failure(sync, user, { text: `same words ${user}` }, 'x')
  assert.equal(err.code, 'DUPLICATE')
})

test('CREATED_UNFINISHED with the video id and the MEDIA_REJECTED cause when processing fails after the upload', async () => {
  const sync = await client(emu)
  const user = uniqueUser('rejected')
  await connect(sync, user, 'youtube')
  await emu.fault('youtube', { kind: 'fail_processing' })
  const err = await failure(sync, user, {
    text: 'clip', media: [{ buffer: videoBytes(), name: 'clip.mp4' }], options: { youtube: { title: 't' } },
  }, 'youtube')
  // The upload created the video; it exists, so the answer names it
  // instead of inviting a second upload.
  assert.equal(err.code, 'CREATED_UNFINISHED')
  assert.ok(err.postId, 'the video id')
  assert.equal(err.cause.code, 'MEDIA_REJECTED')
})

test('TRANSPORT_ERROR when the platform cannot be reached; no secret in the error', async () => {
  // Tokens never reach JS in clear (the core seals them before the host
  // store sees them): the error must not carry the sealed records, the
  // sealing key or the state secret either.
  const host = new MapKeyValueStore()
  const storeKeys = { key: randomBytes(32).toString('base64') }
  const user = uniqueUser('transport')
  await connect(await client(emu, { store: host, storeKeys }), user, 'facebook')
  const dead = 'http://127.0.0.1:9/'
  const endpoints = { ...emu.info, facebook: { auth: dead, token: dead, api: dead, upload: dead } }
  const broken = await CreatorSync.create({ apps: 'emulator', endpoints, stateSecret: SECRET, store: host, storeKeys })
  const err = await failure(broken, user, { text: 'unreachable' }, { platform: 'facebook', accountId: '1001' })
  assert.equal(err.code, 'TRANSPORT_ERROR')
  const secrets = [storeKeys.key, SECRET, ...[...host.map.values()].map((e) => e.value).filter((v) => v.length >= 16)]
  assert.ok(secrets.length > 2)
  const seen = JSON.stringify({ ...err, message: err.message, stack: err.stack })
  for (const s of secrets) assert.ok(!seen.includes(s), 'no secret in the error')
})
