// Scheduling from Node against the emulator binary: a post scheduled for
// an instant and for a local time in Europe/Berlin, listed by state,
// rescheduled and cancelled; bulk in both modes with a failing item;
// schedule-time validation errors with their codes; and the in-process
// worker publishing a due post and stopping cleanly on abort. Python's
// equivalent: bindings-python/tests/test_schedule.py (same shapes, camelCase).
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startEmulator, client, connect, uniqueUser } from './helpers.mjs'

let emu
let dir
before(async () => {
  emu = await startEmulator()
  dir = mkdtempSync(join(tmpdir(), 'cs-schedule-'))
})
after(() => {
  emu?.stop()
  if (dir) rmSync(dir, { recursive: true, force: true })
})

let n = 0
/** A memory-store client whose jobs live in a SQLite file of this test run. */
const scheduling = (extra = {}) => client(emu, { scheduler: { jobs: { sqlite: join(dir, `jobs-${++n}.db`) }, ...extra } })

const rejectsWith = (p, code, check) =>
  assert.rejects(p, (e) => {
    assert.equal(e.code, code, e.message)
    check?.(e)
    return true
  })

test('schedule, get, list, reschedule and cancel', async () => {
  const sync = await scheduling()
  const user = uniqueUser('sched')
  await connect(sync, user, 'x')
  const sched = sync.scheduler()

  const first = await sched.schedule(user, { text: `instant ${user}` }, new Date('2031-06-01T12:00:00Z'), { targets: ['x'] })
  const view = await sched.get(first)
  assert.equal(view.id, first)
  assert.equal(view.userId, user)
  assert.equal(view.state, 'scheduled')
  assert.equal(view.attempts, 0)
  assert.deepEqual(view.results, [])
  assert.equal(Date.parse(view.dueAt), Date.parse('2031-06-01T12:00:00Z'))
  assert.strictEqual(view.zone, null)

  // 09:00 in Berlin: 08:00 UTC in winter, 07:00 UTC in summer.
  const winter = await sched.schedule(user, { text: `winter ${user}` }, { local: '2031-01-15T09:00', zone: 'Europe/Berlin' }, { targets: ['x'] })
  const summer = await sched.schedule(user, { text: `summer ${user}` }, { local: '2031-07-15T09:00', zone: 'Europe/Berlin' }, { targets: ['x'] })
  const w = await sched.get(winter)
  const s = await sched.get(summer)
  assert.equal(Date.parse(w.dueAt), Date.parse('2031-01-15T08:00:00Z'))
  assert.equal(Date.parse(s.dueAt), Date.parse('2031-07-15T07:00:00Z'))
  assert.equal(w.zone, 'Europe/Berlin')
  assert.equal(w.localTime, '2031-01-15T09:00:00')

  const moved = await sched.reschedule(first, { local: '2031-12-24T09:00', zone: 'Europe/Berlin' })
  assert.equal(Date.parse(moved.dueAt), Date.parse('2031-12-24T08:00:00Z'))
  const cancelled = await sched.cancel(winter)
  assert.equal(cancelled.state, 'cancelled')
  assert.notEqual(cancelled.finishedAt, null)
  await rejectsWith(sched.cancel(winter), 'INVALID_INPUT')
  await rejectsWith(sched.retry(summer), 'INVALID_INPUT')

  const page = await sched.list({ userId: user, state: 'scheduled' })
  assert.deepEqual(page.items.map((p) => p.id), [summer, first], 'by due time')
  assert.strictEqual(page.next, null)
  const one = await sched.list({ userId: user, limit: 1 })
  assert.deepEqual(one.items.map((p) => p.id), [winter])
  const rest = await sched.list({ userId: user, after: one.next })
  assert.deepEqual(rest.items.map((p) => p.id), [summer, first])
  const ranged = await sched.list({ userId: user, dueFrom: '2031-07-01T00:00:00Z', dueTo: '2031-08-01T00:00:00Z' })
  assert.deepEqual(ranged.items.map((p) => p.id), [summer])
  await rejectsWith(sched.list({ state: 'done' }), 'INVALID_INPUT')
  await rejectsWith(sched.get('no-such-schedule'), 'INVALID_INPUT')
  const health = await sched.health()
  assert.ok(health.upcoming >= 2)
})

test('schedule-time errors have their codes', async () => {
  const sync = await scheduling()
  const user = uniqueUser('sched-err')
  await connect(sync, user, 'x')
  const sched = sync.scheduler()
  const later = '2031-06-01T12:00:00Z'
  await rejectsWith(sched.schedule(user, { text: 'x'.repeat(400) }, later, { targets: ['x'] }), 'INVALID_POST', (e) => {
    assert.equal(e.violations[0].platform, 'x')
  })
  await rejectsWith(sched.schedule(user, { text: 'hi' }, { local: '2031-01-01T09:00', zone: 'Mars/Olympus' }), 'INVALID_INPUT', (e) => {
    assert.equal(e.field, 'at.zone')
  })
  await rejectsWith(sched.schedule(user, { text: 'hi' }, '2031-01-01 09:00'), 'INVALID_INPUT', (e) => assert.equal(e.field, 'at'))
  await rejectsWith(sched.schedule(user, { text: 'hi' }, later, { native: ['x'] }), 'UNSUPPORTED')
  await rejectsWith(sched.schedule(user, { text: 'hi' }, later, { targets: ['linkedin'] }), 'NOT_CONNECTED')
  await rejectsWith(sched.scheduleMany([{ userId: user, post: { text: 'a' }, at: later }], 'some'), 'INVALID_INPUT')
  await rejectsWith(sched.scheduleMany([{ userId: user, post: { text: 'a' }, at: later, when: 1 }]), 'INVALID_INPUT', (e) => {
    assert.match(e.field, /^items\[0\]/)
  })
  const plain = await client(emu)
  await connect(plain, user, 'x')
  await rejectsWith(plain.scheduler().schedule(user, { text: 'hi' }, later, { targets: ['x'] }), 'CONFIG_ERROR')
})

test('bulk: all or nothing, then the valid ones only', async () => {
  const sync = await scheduling()
  const user = uniqueUser('bulk')
  await connect(sync, user, 'x')
  const sched = sync.scheduler()
  const items = [
    { userId: user, post: { text: `bulk a ${user}` }, at: '2031-03-01T10:00:00Z', targets: ['x'] },
    { userId: user, post: { text: 'y'.repeat(400) }, at: '2031-03-01T11:00:00Z', targets: ['x'] },
    { userId: user, post: { text: `bulk c ${user}` }, at: { local: '2031-03-01T12:00', zone: 'Europe/Berlin' }, targets: ['x'], idempotencyKey: `bulk-c-${user}` },
  ]
  const none = await sched.scheduleMany(items)
  assert.equal(none.scheduled, 0)
  assert.deepEqual(none.items.map((i) => [i.index, i.id]), [[0, null], [1, null], [2, null]])
  assert.strictEqual(none.items[0].error, null)
  assert.equal(none.items[1].error.code, 'INVALID_POST')
  assert.deepEqual((await sched.list({ userId: user })).items, [])

  const some = await sched.scheduleMany(items, 'valid_only')
  assert.equal(some.scheduled, 2)
  const ids = some.items.map((i) => i.id)
  assert.ok(ids[0] && ids[2])
  assert.strictEqual(ids[1], null)
  const listed = await sched.list({ userId: user, state: 'scheduled' })
  assert.deepEqual(listed.items.map((p) => p.id).sort(), [ids[0], ids[2]].sort())
  const again = await sched.scheduleMany([items[2]], 'valid_only')
  assert.equal(again.items[0].id, ids[2], 'the idempotency key returns the first id')
})

test('the in-process worker publishes a due post and stops on abort', async () => {
  const sync = await scheduling({ pollMs: 50, heartbeatMs: 500 })
  const user = uniqueUser('worker')
  await connect(sync, user, 'x')
  const sched = sync.scheduler()
  const text = `due soon ${user}`
  const id = await sched.schedule(user, { text }, new Date(Date.now() + 2000), { targets: ['x'] })

  const stop = new AbortController()
  const worker = sched.run({ signal: stop.signal })
  const deadline = Date.now() + 30_000
  let view = await sched.get(id)
  while ((view.state === 'scheduled' || view.state === 'running') && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 200))
    view = await sched.get(id)
  }
  assert.equal(view.state, 'published', JSON.stringify(view))
  assert.equal(view.attempts, 1)
  assert.equal(view.results.length, 1)
  const [target] = view.results
  assert.equal(target.ok, true)
  assert.equal(target.platform, 'x')
  assert.equal(target.mode, 'at_time')
  assert.ok(target.postId)
  assert.strictEqual(target.scheduledFor, null)
  const posts = (await emu.posts('x')).filter((p) => p.text === text)
  assert.equal(posts.length, 1, 'exactly once')
  assert.ok((await sched.health()).workersAlive >= 1)

  stop.abort()
  await worker
})
