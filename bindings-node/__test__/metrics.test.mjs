// Post metrics from Node against the emulator binary: `metrics` takes a
// publish report's results as they are, one result per post in order; a
// metric the platform does not report is `null` (never 0); a post the
// platform does not have fails alone; `metricsHistory` keeps each read and
// takes a Date or RFC 3339 bounds. Python's equivalent:
// bindings-python/tests/test_metrics.py.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { startEmulator, client, connect, uniqueUser } from './helpers.mjs'

let emu
before(async () => { emu = await startEmulator() })
after(() => emu?.stop())

test('metrics of a published post, with null for what X does not report', async () => {
  const sync = await client(emu)
  const user = uniqueUser('metrics')
  await connect(sync, user, 'x')
  const report = await sync.publish(user, { text: `metrics ${user}` }, { targets: ['x'] })
  assert.equal(report.allOk, true, JSON.stringify(report.results))
  const posts = [...report.results, { platform: 'x', postId: '1' }]

  const [ok, missing] = await sync.metrics(user, posts)
  assert.equal(ok.ok, true, JSON.stringify(ok))
  assert.equal(ok.error, null)
  const m = ok.metrics
  assert.equal(m.postId, report.results[0].postId)
  assert.equal(typeof m.views, 'number')
  assert.equal(typeof m.likes, 'number')
  assert.strictEqual(m.reach, null, 'X does not report reach: null, not 0')
  assert.strictEqual(m.watchTimeSecs, null)
  assert.equal(m.raw.public_metrics.like_count, m.likes, "raw is the platform's answer, keys as sent")
  assert.ok(!Number.isNaN(Date.parse(m.fetchedAt)))

  assert.equal(missing.ok, false)
  assert.strictEqual(missing.metrics, null)
  assert.equal(missing.error.code, 'INVALID_INPUT')

  const post = { platform: 'x', postId: m.postId, accountId: m.accountId }
  const history = await sync.metricsHistory(user, post)
  assert.deepEqual(history.map((h) => h.views), [m.views])
  const later = new Date(Date.now() + 3600_000)
  assert.deepEqual(await sync.metricsHistory(user, post, later), [])
  assert.equal((await sync.metricsHistory(user, post, null, later.toISOString())).length, 1)
  await assert.rejects(sync.metricsHistory(user, post, 'yesterday'), (e) => e.code === 'INVALID_INPUT')
  await assert.rejects(sync.metrics(user, [{ platform: 'myspace', postId: '1' }]), (e) => e.code === 'INVALID_INPUT')
})

test('the Express example serves metrics and their history', async () => {
  const { createRequire } = await import('node:module')
  const { createApp } = createRequire(import.meta.url)('../../examples/node/express-app.js')
  const sync = await client(emu)
  const user = uniqueUser('express-metrics')
  await connect(sync, user, 'x')
  const report = await sync.publish(user, { text: `express metrics ${user}` }, { targets: ['x'] })
  const app = createApp(sync, {})
  const server = await new Promise((resolve) => { const s = app.listen(0, '127.0.0.1', () => resolve(s)) })
  try {
    const base = `http://127.0.0.1:${server.address().port}`
    const headers = { 'x-user-id': user, 'content-type': 'application/json' }
    const r = await fetch(`${base}/metrics`, { method: 'POST', headers, body: JSON.stringify({ posts: report.results }) })
    assert.equal(r.status, 200, await r.clone().text())
    const { results: [one] } = await r.json()
    assert.equal(one.ok, true, JSON.stringify(one))
    assert.strictEqual(one.metrics.reach, null)
    const h = await fetch(`${base}/metrics/x/${one.postId}/history`, { headers })
    assert.equal(h.status, 200, await h.clone().text())
    assert.equal((await h.json()).history.length, 1)
    const bad = await fetch(`${base}/metrics`, { method: 'POST', headers, body: JSON.stringify({}) })
    assert.equal(bad.status, 400)
  } finally {
    server.close()
  }
})
