// JS port of creatorsync_core::testing::token_store_conformance, plus the
// host store used by a real client (connect + publish through it).
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { CreatorSync } from '../index.mjs'
import { startEmulator, SECRET } from './emulator.mjs'

/** A reference host store: a Map with compare-and-swap versions. */
export class MapStore {
  constructor() { this.rows = new Map() }
  id(k) { return `${k.userId}\u0000${k.platform}\u0000${k.accountId}` }
  async get(key) { const r = this.rows.get(this.id(key)); return r ? structuredClone(r) : null }
  async list(userId) { return [...this.rows.values()].filter((r) => r.key.userId === userId).map((r) => structuredClone(r)) }
  async put(token, expected) {
    await new Promise((r) => setImmediate(r))
    const id = this.id(token.key)
    const cur = this.rows.get(id)
    const current = cur ? cur.version : null
    if (current !== expected) throw Object.assign(new Error('conflict'), { code: 'CONFLICT', currentVersion: current })
    const version = (current ?? 0) + 1
    this.rows.set(id, { ...structuredClone(token), version })
    return version
  }
  async delete(key) { return this.rows.delete(this.id(key)) }
}

const key = (u, a = 'acc-1') => ({ userId: u, platform: 'tiktok', accountId: a })
const token = (k, access) => ({
  key: k, version: 0, updatedAt: new Date().toISOString(), needsReauth: false, metadata: { page_id: 'p-1' },
  profile: { platformUserId: k.accountId, handle: 'creator', displayName: 'A Créator', kind: 'person' },
  credential: { type: 'oauth2', access, refresh: `r-${access}`, expiresAt: null, refreshExpiresAt: null, scopes: ['video.publish'] },
})

test('conformance: round trip, list isolation, CAS conflict, delete', async () => {
  const s = new MapStore()
  assert.equal(await s.get(key('u')), null)
  assert.equal(await s.put(token(key('u'), 'a'), null), 1)
  assert.equal((await s.get(key('u'))).credential.access, 'a')
  await assert.rejects(s.put(token(key('u'), 'b'), null), (e) => e.code === 'CONFLICT' && e.currentVersion === 1)
  await assert.rejects(s.put(token(key('u'), 'b'), 7), (e) => e.code === 'CONFLICT' && e.currentVersion === 1)
  assert.equal(await s.put(token(key('u'), 'b'), 1), 2)
  await s.put(token(key('other'), 'c'), null)
  assert.deepEqual((await s.list('u')).map((t) => t.credential.access), ['b'])
  assert.equal(await s.delete(key('u')), true)
  assert.equal(await s.delete(key('u')), false)
  await assert.rejects(s.put(token(key('u'), 'd'), 2), (e) => e.code === 'CONFLICT' && e.currentVersion === null)
})

test('conformance: 50 concurrent CAS racers, exactly one winner per round', async () => {
  const s = new MapStore()
  let version = await s.put(token(key('race'), 'v0'), null)
  for (let round = 0; round < 4; round++) {
    const results = await Promise.allSettled(Array.from({ length: 50 }, (_, i) => s.put(token(key('race'), `r${round}-${i}`), version)))
    const wins = results.filter((r) => r.status === 'fulfilled')
    assert.equal(wins.length, 1)
    assert.ok(results.filter((r) => r.status === 'rejected').every((r) => r.reason.code === 'CONFLICT'))
    version = wins[0].value
  }
  assert.equal(version, 5)
})

let emu
before(async () => { emu = await startEmulator() })
after(() => emu.stop())

test('a host store keeps the tokens of a real connect and publish', async () => {
  const store = new MapStore()
  const sync = await CreatorSync.create({ apps: 'emulator', endpoints: emu.info, stateSecret: SECRET, store })
  const { url } = await sync.connectBegin('host-user', 'youtube', 'http://127.0.0.1:9/cb')
  const res = await fetch(url, { redirect: 'manual' })
  const accounts = await sync.connectCompleteFromUrl('host-user', 'youtube', res.headers.get('location'))
  assert.equal(accounts[0].key.platform, 'youtube')
  const rows = await store.list('host-user')
  assert.equal(rows.length, 1)
  assert.equal(rows[0].credential.type, 'oauth2')
  assert.equal(typeof rows[0].credential.access, 'string')
  const status = await sync.status('host-user')
  assert.equal(status[0].connected, true)
  assert.equal(await sync.disconnect('host-user', 'youtube'), 1)
  assert.equal((await store.list('host-user')).length, 0)
})

test('a failing host store surfaces as STORE_ERROR', async () => {
  const store = new MapStore()
  store.list = async () => { throw new Error('mongo is down') }
  const sync = await CreatorSync.create({ apps: 'emulator', endpoints: emu.info, stateSecret: SECRET, store })
  await assert.rejects(sync.status('u'), (e) => e.code === 'STORE_ERROR' && e.message.includes('mongo is down'))
})
