// Bad input never hurts the host: every public method that takes input gets
// a table of wrong types, huge and negative numbers, NaN, deep nesting,
// unknown platforms and unusable files. Each call must reject (or throw)
// with a CreatorSyncError carrying a stable `code` within a deadline: no
// crash, no hang.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { CreatorSync, CreatorSyncError, accountKey } from '../index.mjs'
import { SECRET, startEmulator, client, connect, uniqueUser, pngBytes } from './helpers.mjs'

const DEADLINE_MS = 10_000

let emu
let dir
before(async () => {
  emu = await startEmulator()
  dir = mkdtempSync(join(tmpdir(), 'cs-bad-'))
})
after(() => {
  emu.stop()
  rmSync(dir, { recursive: true, force: true })
})

/** `{ a: { a: ... } }`, `levels` deep. */
function deep(levels) {
  let v = {}
  for (let i = 0; i < levels; i++) v = { a: v }
  return v
}

/** A path that is not a usable media file. */
function special(kind) {
  switch (kind) {
    case 'fifo': {
      const p = join(dir, `fifo-${Math.random()}.mp4`)
      execFileSync('mkfifo', [p])
      return p
    }
    case 'empty': {
      const p = join(dir, 'empty.png')
      writeFileSync(p, Buffer.alloc(0))
      return p
    }
    case 'vanished': {
      const p = join(dir, 'gone.png')
      writeFileSync(p, pngBytes())
      rmSync(p)
      return p
    }
    case 'dir': return dir
    case 'devZero': return '/dev/zero'
    case 'missing': return join(dir, 'missing.mp4')
  }
  throw new Error(kind)
}

/** Runs `call` and returns what it rejected or threw with (fails on success or after the deadline). */
async function outcome(call) {
  let timer
  const deadline = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error('hung')), DEADLINE_MS)
  })
  try {
    await Promise.race([Promise.resolve().then(call), deadline])
  } catch (e) {
    return e
  } finally {
    clearTimeout(timer)
  }
  assert.fail('resolved instead of failing')
}

const create = (extra) => () => CreatorSync.create({ apps: 'emulator', endpoints: emu.info, stateSecret: SECRET, ...extra })
const publishFile = (kind) => (s) => s.publish('u', { text: 'hi', media: [{ path: special(kind) }] }, { targets: ['x'] })

const CASES = [
  // Numbers: no u32 coercion (-1 used to become 4294967295), no overflow panic.
  ...[-1, -0.5, 1.5, NaN, Infinity, -Infinity, 2 ** 32, 2 ** 53, Number.MAX_VALUE, '3', null, true, {}, 10n]
    .map((d) => [`expiringWithin days=${String(d)}`, (s) => s.expiringWithin('u', d), 'INVALID_INPUT']),
  ...[0, -1, NaN, Infinity, 1e300, '1000', true]
    .map((ms) => [`storeTimeoutMs=${String(ms)}`, create({ store: { get() {}, list() {}, put() {}, delete() {} }, storeTimeoutMs: ms }), 'INVALID_INPUT']),
  ['postgres.maxConnections huge', create({ postgres: { url: 'postgres://127.0.0.1:9/x', key: Buffer.alloc(32).toString('base64'), maxConnections: 2 ** 62 } }), 'INVALID_INPUT'],
  // Deep nesting: a typed rejection, not a stack overflow or a synchronous throw.
  ['post options nested 10k deep', (s) => s.publish('u', { text: 'hi', options: { x: deep(10_000) } }), 'INVALID_INPUT'],
  ['post options nested 129 deep', (s) => s.publish('u', { text: 'hi', options: { youtube: deep(129) } }), 'INVALID_INPUT'],
  ['targets nested deep', (s) => s.publish('u', { text: 'hi' }, { targets: [deep(10_000)] }), 'INVALID_INPUT'],
  ['apps nested deep', create({ apps: deep(10_000) }), 'INVALID_INPUT'],
  ['endpoints nested deep', create({ endpoints: deep(10_000) }), 'INVALID_INPUT'],
  ['accountKey nested deep', () => accountKey(deep(10_000)), null],
  ['accountKey unknown platform', () => accountKey({ userId: 'u', platform: 'myspace', accountId: 'a' }), 'INVALID_INPUT'],
  // Wrong types of whole arguments.
  ['publish post not an object', (s) => s.publish('u', 'hi'), 'INVALID_INPUT'],
  ['publish post null', (s) => s.publish('u', null), 'INVALID_INPUT'],
  ['publish media not an array', (s) => s.publish('u', { text: 'hi', media: 'a.png' }), 'INVALID_INPUT'],
  ['publish options.targets not an array', (s) => s.publish('u', { text: 'hi' }, { targets: 'x' }), 'INVALID_INPUT'],
  ['publish onProgress not a function', (s) => s.publish('u', { text: 'hi' }, { onProgress: 1 }), 'INVALID_INPUT'],
  ['create store not an object', create({ store: 42 }), 'INVALID_INPUT'],
  ['create store without methods', create({ store: {} }), 'INVALID_INPUT'],
  ['create stateSecret not a string', () => CreatorSync.create({ apps: 'emulator', stateSecret: 42 }), 'INVALID_INPUT'],
  // Unknown platforms.
  ['connectBegin unknown platform', (s) => s.connectBegin('u', 'myspace', 'http://127.0.0.1:9/cb'), 'INVALID_INPUT'],
  ['connectComplete unknown platform', (s) => s.connectComplete('u', 'myspace', 'c', 's'), 'INVALID_INPUT'],
  ['connectCompleteFromUrl unknown platform', (s) => s.connectCompleteFromUrl('u', 'myspace', 'http://127.0.0.1:9/cb'), 'INVALID_INPUT'],
  ['disconnect unknown platform', (s) => s.disconnect('u', 'myspace', 'a'), 'INVALID_INPUT'],
  ['publish unknown target', (s) => s.publish('u', { text: 'hi' }, { targets: ['myspace'] }), 'INVALID_INPUT'],
  ['publish unknown account target', (s) => s.publish('u', { text: 'hi' }, { targets: [{ platform: 'myspace', accountId: '1' }] }), 'INVALID_INPUT'],
  ['publish unknown platform option', (s) => s.publish('u', { text: 'hi', options: { myspace: {} } }), 'INVALID_INPUT'],
  ['oauth1 for another platform', (s) => s.connectBegin('u', 'tiktok', 'http://127.0.0.1:9/cb', { oauth1: true }), 'INVALID_INPUT'],
  // Files that cannot be media: refused before anything blocks on them.
  ...['fifo', 'devZero', 'dir', 'empty', 'vanished', 'missing']
    .map((k) => [`media file ${k}`, publishFile(k), 'INVALID_MEDIA']),
  ['media two sources', (s) => s.publish('u', { text: 'hi', media: [{ path: '/dev/zero', buffer: Buffer.from('a') }] }), 'INVALID_INPUT'],
  ['media url not http', (s) => s.publish('u', { text: 'hi', media: [{ url: 'file:///etc/passwd' }] }, { targets: ['x'] }), null],
]

test('bad input: a typed error for every case, no crash, no hang', async () => {
  const sync = await client(emu)
  const failures = []
  for (const [name, call, code] of CASES) {
    const e = await outcome(() => call(sync))
    if (!(e instanceof Error) || typeof e.code !== 'string' || (code && e.code !== code)) {
      failures.push(`${name}: ${e?.constructor?.name} code=${e?.code} ${e?.message}`)
    } else if (code && !(e instanceof CreatorSyncError)) {
      failures.push(`${name}: not a CreatorSyncError (${e.constructor.name}: ${e.message})`)
    }
  }
  assert.deepEqual(failures, [])
})

test('an exception thrown in onProgress is isolated: the publish completes', async () => {
  const sync = await client(emu)
  const user = uniqueUser('progress-throws')
  await connect(sync, user, 'x')
  let calls = 0
  const report = await sync.publish(user, { text: `progress throws ${user}` }, {
    targets: ['x'],
    onProgress: () => {
      calls += 1
      throw new Error('listener bug')
    },
  })
  assert.equal(report.allOk, true)
  // Give queued progress calls a turn: none may surface as uncaught.
  await new Promise((r) => setTimeout(r, 50))
  assert.ok(calls > 0)
})

test('a host store whose promises never settle: STORE_ERROR after storeTimeoutMs', async () => {
  const never = () => new Promise(() => {})
  const store = { get: never, list: never, put: never, delete: never }
  const storeKeys = { key: Buffer.alloc(32, 3).toString('base64') }
  const sync = await client(emu, { store, storeKeys, storeTimeoutMs: 100 })
  for (const call of [() => sync.status('u'), () => sync.publish('u', { text: 'hi' }), () => sync.expiringWithin('u', 1)]) {
    const e = await outcome(call)
    assert.ok(e instanceof CreatorSyncError, String(e))
    assert.equal(e.code, 'STORE_ERROR')
    assert.match(e.message, /did not answer/)
  }
})
