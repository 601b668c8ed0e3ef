// JS port of creatorsync_core::testing::token_store_conformance, the host
// store used by a real client (connect + publish through it), and the
// PostgreSQL store shared by two clients (two workers).
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { CreatorSync, coreTokenStoreConformance } from '../index.mjs'
import { startEmulator, SECRET, client, connect, uniqueUser } from './helpers.mjs'

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

test("the core's own conformance suite passes on the host store, through the bridge", async () => {
  await coreTokenStoreConformance(() => new MapStore())
})

test("the core's suite catches a store without compare-and-swap", async () => {
  class NoCas extends MapStore {
    async put(token) {
      const cur = this.rows.get(this.id(token.key))
      const version = (cur ? cur.version : 0) + 1
      this.rows.set(this.id(token.key), { ...structuredClone(token), version })
      return version
    }
  }
  await assert.rejects(coreTokenStoreConformance(() => new NoCas()), /token store conformance: .*(conflict|Conflict)/)
})

let emu
before(async () => { emu = await startEmulator() })
after(() => emu.stop())

test('a host store keeps the tokens of a real connect and publish', async () => {
  const store = new MapStore()
  const sync = await CreatorSync.create({ apps: 'emulator', endpoints: emu.info, stateSecret: SECRET, store })
  const accounts = await connect(sync, 'host-user', 'youtube')
  assert.equal(accounts[0].key.platform, 'youtube')
  const rows = await store.list('host-user')
  assert.equal(rows.length, 1)
  assert.equal(rows[0].credential.type, 'oauth2')
  assert.equal(typeof rows[0].credential.access, 'string')
  const status = await sync.status('host-user')
  assert.equal(status[0].connected, true)
  assert.equal(await sync.disconnect('host-user', 'youtube', accounts[0].key.accountId), true)
  assert.equal((await store.list('host-user')).length, 0)
})

test('a failing host store surfaces as STORE_ERROR', async () => {
  const store = new MapStore()
  store.list = async () => { throw new Error('mongo is down') }
  const sync = await CreatorSync.create({ apps: 'emulator', endpoints: emu.info, stateSecret: SECRET, store })
  await assert.rejects(sync.status('u'), (e) => e.code === 'STORE_ERROR' && e.message.includes('mongo is down'))
})

// The test command starts a throwaway server and exports its URL; without
// it (a local run that could not start one) this test skips, but never in CI.
const PG = process.env.CREATORSYNC_TEST_POSTGRES_URL
test('postgres: two workers share tokens and the publish log', { skip: !PG && process.env.CI !== 'true' && 'no CREATORSYNC_TEST_POSTGRES_URL' }, async () => {
  assert.ok(PG, 'CI=true: the PostgreSQL server must be running')
  const postgres = { url: PG, key: Buffer.alloc(32, 7).toString('base64'), keyId: 'node-test', maxConnections: 2, acquireTimeoutMs: 5000 }
  const a = await client(emu, { postgres })
  const b = await client(emu, { postgres })
  const user = uniqueUser('pg')
  await connect(a, user, 'x')
  const [status] = await b.status(user)
  assert.equal(status.account.key.platform, 'x')
  const text = `Hello from two workers ${user}`
  const first = await a.publish(user, { text }, { targets: ['x'], idempotencyKey: `pg-${user}` })
  assert.equal(first.allOk, true, JSON.stringify(first.results))
  const again = await b.publish(user, { text }, { targets: ['x'], idempotencyKey: `pg-${user}` })
  assert.equal(again.results[0].reused, true)
  assert.equal(again.results[0].postId, first.results[0].postId)
  assert.equal((await emu.posts('x')).filter((p) => JSON.stringify(p).includes(text)).length, 1)
  assert.equal(await a.disconnect(user, 'x', status.account.key.accountId), true)
  assert.equal((await b.status(user)).length, 0)
})

test('postgres: a refused login is STORE_ERROR without the password', { skip: !PG && process.env.CI !== 'true' && 'no CREATORSYNC_TEST_POSTGRES_URL' }, async () => {
  const server = new URL(PG)
  const url = `postgres://no_such_role:hunter2-secret@${server.host}/no_such_database?sslmode=disable`
  await assert.rejects(client(emu, { postgres: { url, key: Buffer.alloc(32, 7).toString('base64') } }), (e) => {
    assert.ok(['STORE_ERROR', 'TRANSPORT_ERROR'].includes(e.code), e.code)
    assert.ok(!e.message.includes('hunter2-secret') && !JSON.stringify(e).includes('hunter2-secret'))
    return true
  })
})

test('bad pool settings are refused before connecting', async () => {
  for (const [field, value] of [['maxConnections', 0], ['maxConnections', 1.5], ['acquireTimeoutMs', -1]]) {
    const key = Buffer.alloc(32, 7).toString('base64')
    await assert.rejects(client(emu, { postgres: { url: 'postgres://127.0.0.1:9/none', key, [field]: value } }), (e) => {
      assert.equal(e.code, 'INVALID_INPUT')
      assert.equal(e.field, `postgres.${field}`)
      return true
    })
  }
})

test('only one of store, sqlite and postgres', async () => {
  await assert.rejects(client(emu, { store: 'memory', postgres: { url: 'postgres://127.0.0.1/x' } }), (e) => e.code === 'INVALID_INPUT')
})
