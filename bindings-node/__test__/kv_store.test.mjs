// Host key-value stores through the bridge the core uses
// (`testing.checkKeyValueStore` runs the core's own conformance suite):
// a Map store and a JSON file shared by two processes pass; broken stores
// (wrong versions, throwing, garbage, never settling) fail with a typed
// CreatorSyncError, without crashing or hanging the process.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { testing, CreatorSyncError } from '../index.mjs'
import { MapKeyValueStore, JsonFileKeyValueStore } from './kv_stores.mjs'

const { checkKeyValueStore } = testing

test('a Map store passes the core key-value conformance suite', async () => {
  await checkKeyValueStore(new MapKeyValueStore())
})

/** Runs the suite in a child process on the file store under `namespace`. */
function childCheck(path, namespace) {
  const code = `
    import { testing } from ${JSON.stringify(new URL('../index.mjs', import.meta.url).href)}
    import { JsonFileKeyValueStore } from ${JSON.stringify(new URL('./kv_stores.mjs', import.meta.url).href)}
    await testing.checkKeyValueStore(new JsonFileKeyValueStore(${JSON.stringify(path)}, ${JSON.stringify(namespace)}))
  `
  const child = spawn(process.execPath, ['--input-type=module', '-e', code], { stdio: ['ignore', 'inherit', 'pipe'] })
  let stderr = ''
  child.stderr.on('data', (d) => { stderr += d })
  return new Promise((resolve) => child.on('exit', (status) => resolve({ status, stderr })))
}

test('a JSON file store shared by two processes passes in both at once', async () => {
  const path = join(mkdtempSync(join(tmpdir(), 'cs-kv-')), 'kv.json')
  const [a, b] = await Promise.all([childCheck(path, 'a:'), childCheck(path, 'b:')])
  assert.equal(a.status, 0, a.stderr)
  assert.equal(b.status, 0, b.stderr)
  // Both processes' writes survived each other's (the lock held).
  const keys = Object.keys(JSON.parse(readFileSync(path, 'utf8')))
  for (const ns of ['a:', 'b:']) {
    assert.ok(keys.includes(`${ns}rt/a`) && keys.includes(`${ns}ls/b/2`), `${ns}: ${keys}`)
  }
})

/** A Map store with one method replaced. */
const broken = (overrides) => Object.assign(new MapKeyValueStore(), overrides)

async function rejectsTyped(store, code, pattern, options) {
  await assert.rejects(checkKeyValueStore(store, options), (e) => {
    assert.ok(e instanceof CreatorSyncError, `not a CreatorSyncError: ${e}`)
    assert.equal(e.code, code, e.message)
    assert.match(e.message, pattern)
    return true
  })
}

test('wrong versions are STORE_ERRORs naming the rule', async () => {
  await rejectsTyped(broken({ async put() { return 7 } }), 'STORE_ERROR', /must resolve the new version, 1 here/)
  await rejectsTyped(broken({ async put() { return '1' } }), 'STORE_ERROR', /new version.*got a string/)
  const badConflict = broken({ async put() { throw Object.assign(new Error('no'), { code: 'CONFLICT', currentVersion: -3 }) } })
  await rejectsTyped(badConflict, 'STORE_ERROR', /currentVersion -3/)
  await rejectsTyped(broken({ async get(k) { const v = this.map.get(k); return v && { ...v, version: 0 } } }),
    'STORE_ERROR', /version: positive integer/)
})

test('a store that ignores compare-and-swap fails the conformance rule', async () => {
  const lax = broken({
    async put(key, value, expected) {
      const cur = this.map.get(key)
      const version = (cur?.version ?? 0) + 1
      this.map.set(key, { value, version })
      return expected === null ? 1 : expected + 1
    },
  })
  await rejectsTyped(lax, 'STORE_ERROR', /insert over existing|Conflict/)
})

test('throwing stores (sync throw, rejection, thrown non-Error) are STORE_ERRORs', async () => {
  await rejectsTyped(broken({ get() { throw new Error('db down') } }), 'STORE_ERROR', /`get` failed: db down/)
  await rejectsTyped(broken({ async get() { throw Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' }) } }),
    'STORE_ERROR', /\(ETIMEDOUT\): timeout/)
  await rejectsTyped(broken({ async list() { throw 'plain string' } }), 'STORE_ERROR', /`list` failed: plain string/)
})

test('garbage answers are STORE_ERRORs that do not echo the value', async () => {
  await rejectsTyped(broken({ async get() { return { value: 5, version: 1 } } }), 'STORE_ERROR', /got an object/)
  await rejectsTyped(broken({ async get() { return 'secret-ish' } }), 'STORE_ERROR', /got a string\)/)
  await assert.rejects(checkKeyValueStore(broken({ async get() { return 'secret-ish' } })), (e) => !e.message.includes('secret-ish'))
  await rejectsTyped(broken({ async delete() { return 'yes' } }), 'STORE_ERROR', /`delete`.*boolean/)
  await rejectsTyped(broken({ async list() { return { nope: true } } }), 'STORE_ERROR', /`list`/)
  await rejectsTyped(broken({ async list(p) { return [{ key: 'elsewhere/1', value: 'v', version: 1 }] } }),
    'STORE_ERROR', /keys under the prefix/)
  await rejectsTyped(broken({ async get() { return 10n } }), 'STORE_ERROR', /`get`/)
})

test('a call that never settles ends with STORE_ERROR after the limit', async () => {
  const started = Date.now()
  await rejectsTyped(broken({ get() { return new Promise(() => {}) } }), 'STORE_ERROR', /did not answer within/, { timeoutMs: 200 })
  assert.ok(Date.now() - started < 20_000)
})

test('a store without the four methods, or a bad limit, is INVALID_INPUT', async () => {
  await rejectsTyped({ get: async () => null }, 'INVALID_INPUT', /async `put`/)
  await rejectsTyped(new MapKeyValueStore(), 'INVALID_INPUT', /timeoutMs/, { timeoutMs: -1 })
})
