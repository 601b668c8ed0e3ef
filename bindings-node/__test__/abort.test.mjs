// AbortSignal: an aborted publish rejects with CANCELLED at once, its
// requests stop, and retrying with the same idempotency key never posts twice.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { startEmulator, client, connect, uniqueUser } from './helpers.mjs'

let emu
before(async () => { emu = await startEmulator() })
after(() => emu.stop())

test('an already aborted signal rejects with CANCELLED and sends nothing', async () => {
  const sync = await client(emu)
  const user = uniqueUser('pre-abort')
  await connect(sync, user, 'x')
  const before = (await emu.posts('x')).length
  await assert.rejects(sync.publish(user, { text: 'never' }, { signal: AbortSignal.abort() }), (e) => e.code === 'CANCELLED')
  assert.equal((await emu.posts('x')).length, before)
})

test('aborting mid-publish rejects promptly; the same key later posts exactly once', async () => {
  const sync = await client(emu)
  const user = uniqueUser('abort')
  await connect(sync, user, 'x')
  await emu.fault('x', { kind: 'latency', millis: 3000, path_contains: '/2/tweets' })
  const text = `abort me ${user}`
  const ac = new AbortController()
  const pending = sync.publish(user, { text }, { targets: ['x'], idempotencyKey: `k-${user}`, signal: ac.signal })
  await new Promise((r) => setTimeout(r, 500))
  const t0 = performance.now()
  ac.abort()
  await assert.rejects(pending, (e) => e.code === 'CANCELLED' && e.retryable === false)
  // Promptness is a property of the future being dropped, not a benchmark:
  // the fault holds the response for 3 s, so a rejection well before that
  // means the request was abandoned.
  assert.ok(performance.now() - t0 < 2000)
  await emu.clearFaults()
  // The platform may have received the abandoned request: wait for the
  // held response to be processed, then retry with the same key. The
  // publish log reconciles with the platform first: one post at most.
  await new Promise((r) => setTimeout(r, 3000))
  const report = await sync.publish(user, { text }, { targets: ['x'], idempotencyKey: `k-${user}` })
  assert.equal(report.allOk, true, JSON.stringify(report.results))
  const posts = (await emu.posts('x')).filter((p) => JSON.stringify(p).includes(text))
  assert.equal(posts.length, 1)
})
