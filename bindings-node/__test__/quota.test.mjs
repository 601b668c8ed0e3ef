// Quotas from Node against the emulator binary: TikTok's 6 video inits per
// minute per creator (the emulator enforces the same cap) are used up →
// the next publish fails that target with QUOTA_EXHAUSTED before any
// request reaches TikTok, with the time a slot frees; `quota()` shows it,
// shared by client instances on one host store. (The thrown form's
// `resetsAt`, `bucket` and `limit` are checked in src/error.rs.) Also the
// other client methods of this release: `composeConstraints`, `rotateKey`.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { startEmulator, client, connect, uniqueUser, videoBytes } from './helpers.mjs'
import { MapKeyValueStore } from './kv_stores.mjs'

let emu
before(async () => { emu = await startEmulator() })
after(() => emu?.stop())

const VIDEO_INITS_PER_MINUTE = 6
const video = (n) => ({
  text: `clip ${n}`,
  media: [{ buffer: videoBytes(64 << 10), name: `clip-${n}.mp4` }],
  options: { tiktok: { privacyLevel: 'SELF_ONLY', disableDuet: true, disableStitch: true } },
})

test('a used-up quota fails the target before any request, and quota() shows it', async () => {
  const sync = await client(emu)
  const user = uniqueUser('quota')
  await connect(sync, user, 'tiktok')
  const started = Date.now()
  for (let n = 0; n < VIDEO_INITS_PER_MINUTE; n++) {
    const r = await sync.publish(user, video(n), { targets: ['tiktok'] })
    assert.equal(r.allOk, true, JSON.stringify(r.results))
  }
  const [usage] = (await sync.quota(user)).filter((q) => q.platform === 'tiktok' && q.bucket === 'video_init')
  assert.equal(usage.used, VIDEO_INITS_PER_MINUTE)
  assert.equal(usage.limit, VIDEO_INITS_PER_MINUTE)
  assert.equal(usage.remaining, 0)
  assert.equal(usage.scope, 'account')
  assert.equal(typeof usage.accountId, 'string')
  const resetsAt = Date.parse(usage.resetsAt)
  assert.ok(resetsAt > Date.now() && resetsAt <= started + 61_000, usage.resetsAt)

  const { mark } = await emu.ctl('GET', '/requests/mark')
  const report = await sync.publish(user, video('over'), { targets: ['tiktok'] })
  const { error } = report.results[0]
  assert.equal(error.code, 'QUOTA_EXHAUSTED', JSON.stringify(error))
  assert.ok(error.retryAfter > 0 && error.retryAfter <= 61, String(error.retryAfter))
  assert.match(error.message, /video_init/)
  const sent = await emu.ctl('GET', `/requests?since=${mark}&platform=tiktok`)
  assert.deepEqual(sent, [], 'not a single request reached TikTok')
  // The other quotas of the account are listed too, each with a remaining count.
  const posts = (await sync.quota(user)).find((q) => q.platform === 'tiktok' && q.bucket === 'posts')
  assert.equal(posts.used, VIDEO_INITS_PER_MINUTE)
  assert.equal(posts.remaining, posts.limit - VIDEO_INITS_PER_MINUTE)
})

test('quota() of a user without accounts is empty; of a host-store client it is shared by instances', async () => {
  const store = new MapKeyValueStore()
  const storeKeys = { key: randomBytes(32).toString('base64') }
  const a = await client(emu, { store, storeKeys })
  const b = await client(emu, { store, storeKeys })
  assert.deepEqual(await a.quota(uniqueUser('nobody')), [])
  const user = uniqueUser('quota-shared')
  await connect(a, user, 'x')
  const r = await a.publish(user, { text: `shared ledger ${user}` }, { targets: ['x'] })
  assert.equal(r.allOk, true, JSON.stringify(r.results))
  const seen = (await b.quota(user)).find((q) => q.platform === 'x' && q.bucket === 'posts')
  assert.equal(seen.used, 1, 'the second instance reads the ledger the first one wrote')
})

test('composeConstraints: TikTok creator info for the posting screen; other platforms are UNSUPPORTED', async () => {
  const sync = await client(emu)
  const user = uniqueUser('compose')
  const [tiktok] = await connect(sync, user, 'tiktok')
  const c = await sync.composeConstraints(user, tiktok.key.accountId)
  assert.ok(c.privacyLevelOptions.length > 0 && c.privacyLevelOptions.includes('SELF_ONLY'), JSON.stringify(c))
  assert.equal(typeof c.creatorNickname, 'string')
  for (const k of ['commentDisabled', 'duetDisabled', 'stitchDisabled']) assert.equal(typeof c[k], 'boolean')
  await assert.rejects(sync.composeConstraints(user, 'no-such-account'), (e) => e.code === 'NOT_CONNECTED')
})

test('rotateKey re-seals a host store under a new key; memory stores refuse; bad keys are INVALID_INPUT', async () => {
  const store = new MapKeyValueStore()
  const old = { id: 'k1', key: randomBytes(32).toString('base64') }
  const sync = await client(emu, { store, storeKeys: { keys: [old] } })
  const user = uniqueUser('rotate')
  await connect(sync, user, 'youtube')
  const fresh = randomBytes(32)
  assert.ok(await sync.rotateKey('k2', fresh) >= 1)
  // A client knowing only the new key reads everything.
  const next = await client(emu, { store, storeKeys: { keys: [{ id: 'k2', key: fresh.toString('base64') }] } })
  assert.equal((await next.status(user))[0].connected, true)
  // Base64 text works as in the options.
  assert.ok(await next.rotateKey('k3', randomBytes(32).toString('base64')) >= 1)

  for (const bad of ['not base64!', 42, null]) {
    await assert.rejects(next.rotateKey('k4', bad), (e) => {
      assert.equal(e.code, 'INVALID_INPUT')
      assert.equal(e.field, 'newKey')
      assert.ok(!e.message.includes('not base64!'))
      return true
    })
  }
  // The length is the core's rule.
  await assert.rejects(next.rotateKey('k4', randomBytes(16)), (e) => e.code === 'INVALID_INPUT')
  const memory = await client(emu)
  await assert.rejects(memory.rotateKey('k2', fresh), (e) => e.code === 'CONFIG_ERROR')
})
