// Host key-value stores as the client's `store`: a Map store keeps a real
// connect, publish and status; client instances (and OS processes) sharing
// one host store share the publish log and pending connects; and the
// PostgreSQL store shared by two clients (two workers).
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { authorize, startEmulator, client, connect, uniqueUser, SECRET } from './helpers.mjs'
import { MapKeyValueStore, JsonFileKeyValueStore } from './kv_stores.mjs'

/** The key sealing what host stores keep (as `CREATORSYNC_KEY` would). */
const storeKeys = { key: randomBytes(32).toString('base64'), keyId: 'node-kv' }
const onStore = (store) => client(emu, { store, storeKeys })

let emu
before(async () => { emu = await startEmulator() })
after(() => emu.stop())

test('a host store keeps a real connect, status, publish and disconnect (secrets sealed)', async () => {
  const store = new MapKeyValueStore()
  const sync = await onStore(store)
  const user = uniqueUser('host')
  const [account] = await connect(sync, user, 'x')
  const [status] = await sync.status(user)
  assert.equal(status.connected, true)
  assert.ok(store.map.size > 0)
  const report = await sync.publish(user, { text: `through a host store ${user}` }, { targets: ['x'] })
  assert.equal(report.allOk, true, JSON.stringify(report.results))
  // The store holds opaque records: no value is the token record in clear.
  for (const { value } of store.map.values()) assert.ok(!/"access"\s*:\s*"/.test(value), value.slice(0, 80))
  assert.equal(await sync.disconnect(user, 'x', account.key.accountId), true)
  assert.deepEqual(await sync.status(user), [])
})

test('a failing host store surfaces as STORE_ERROR', async () => {
  const store = new MapKeyValueStore()
  store.list = async () => { throw new Error('mongo is down') }
  store.get = store.list
  const sync = await onStore(store)
  await assert.rejects(sync.status('u'), (e) => e.code === 'STORE_ERROR' && e.message.includes('mongo is down'))
})

test('a second client instance on the same host store with the same idempotency key: one post', async () => {
  const store = new MapKeyValueStore()
  const [a, b] = [await onStore(store), await onStore(store)]
  const user = uniqueUser('twice')
  await connect(a, user, 'x')
  const text = `once across instances ${user}`
  const key = `twice-${user}`
  const first = await a.publish(user, { text }, { targets: ['x'], idempotencyKey: key })
  assert.equal(first.allOk, true, JSON.stringify(first.results))
  const again = await b.publish(user, { text }, { targets: ['x'], idempotencyKey: key })
  assert.equal(again.results[0].reused, true, JSON.stringify(again.results))
  assert.equal(again.results[0].postId, first.results[0].postId)
  assert.equal((await emu.posts('x')).filter((p) => JSON.stringify(p).includes(text)).length, 1)
})

test('a connect begun on one client instance completes on another over the same host store', async () => {
  const store = new MapKeyValueStore()
  const [a, b] = [await onStore(store), await onStore(store)]
  const user = uniqueUser('handoff')
  const { url } = await a.connectBegin(user, 'youtube', 'http://127.0.0.1:9/cb/youtube')
  const accounts = await b.connectCompleteFromUrl(user, 'youtube', await authorize(url))
  assert.equal(accounts[0].key.platform, 'youtube')
  assert.equal((await a.status(user))[0].connected, true)
  // The pending connect was single use: replaying the callback fails.
  await assert.rejects(a.connectCompleteFromUrl(user, 'youtube', await authorize(url)), (e) => e.code === 'INVALID_STATE')
})

/** Runs `connectBegin` in a child process on the file store; resolves the authorize URL. */
function beginInChild(path, user) {
  const code = `
    import { CreatorSync } from ${JSON.stringify(new URL('../index.mjs', import.meta.url).href)}
    import { JsonFileKeyValueStore } from ${JSON.stringify(new URL('./kv_stores.mjs', import.meta.url).href)}
    const { endpoints, stateSecret, storeKeys } = JSON.parse(process.env.CS_CHILD)
    const sync = await CreatorSync.create({ apps: 'emulator', endpoints, stateSecret, storeKeys, store: new JsonFileKeyValueStore(${JSON.stringify(path)}) })
    const { url } = await sync.connectBegin(${JSON.stringify(user)}, 'tiktok', 'http://127.0.0.1:9/cb/tiktok')
    process.stdout.write(url)
  `
  const env = { ...process.env, CS_CHILD: JSON.stringify({ endpoints: emu.info, stateSecret: SECRET, storeKeys }) }
  const child = spawn(process.execPath, ['--input-type=module', '-e', code], { env, stdio: ['ignore', 'pipe', 'pipe'] })
  let out = '', err = ''
  child.stdout.on('data', (d) => { out += d })
  child.stderr.on('data', (d) => { err += d })
  return new Promise((resolve, reject) => child.on('exit', (status) => (status === 0 ? resolve(out) : reject(new Error(`child ${status}: ${err}`)))))
}

test('a connect begun in one OS process completes in another over a file-backed host store', async () => {
  const path = join(mkdtempSync(join(tmpdir(), 'cs-kv-connect-')), 'kv.json')
  const user = uniqueUser('process')
  const url = await beginInChild(path, user)
  assert.match(url, /^http:\/\/127\.0\.0\.1/)
  const here = await onStore(new JsonFileKeyValueStore(path))
  const accounts = await here.connectCompleteFromUrl(user, 'tiktok', await authorize(url))
  assert.equal(accounts[0].key.platform, 'tiktok')
  assert.equal((await here.status(user))[0].connected, true)
})

test('storeKeys only with a store object; a store object and a store option are refused together', async () => {
  await assert.rejects(client(emu, { storeKeys }), (e) => e.code === 'INVALID_INPUT' && e.field === 'storeKeys')
  await assert.rejects(client(emu, { store: new MapKeyValueStore(), storeKeys, sqlite: { path: '/nonexistent/x.db' } }),
    (e) => e.code === 'INVALID_INPUT' && e.field === 'store')
  await assert.rejects(client(emu, { store: new MapKeyValueStore(), storeKeys: { key: 'short' } }),
    (e) => e.code === 'INVALID_INPUT' && e.field.startsWith('storeKeys'))
})

test('a store object without the four methods is INVALID_INPUT', async () => {
  await assert.rejects(client(emu, { store: { get: async () => null } }), (e) => e.code === 'INVALID_INPUT' && /async `put`/.test(e.message))
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
