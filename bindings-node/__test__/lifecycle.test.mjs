// Drafts, edits and deletes from Node against the emulator binary: a
// post's `draft` becomes each platform's closest meaning, named in the
// report's `draft`; a platform without one refuses it; `edit` and `delete`
// take a report's result as it is; an edit shows in the emulator's
// record, a second delete resolves, an impossible edit rejects with
// `UNSUPPORTED`. Python's equivalent: bindings-python/tests/test_lifecycle.py.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { startEmulator, client, connect, uniqueUser } from './helpers.mjs'

let emu
before(async () => { emu = await startEmulator() })
after(() => emu?.stop())

const recorded = async (platform, postId) =>
  (await emu.posts(platform)).find((p) => p.post_id === postId)

test('a draft is named in the report and refused where impossible', async () => {
  const sync = await client(emu)
  const user = uniqueUser('draft')
  await connect(sync, user, 'facebook')
  await connect(sync, user, 'x')
  const report = await sync.publish(user, { text: `draft ${user}`, draft: true }, { targets: ['facebook:1001'] })
  const [r] = report.results
  assert.equal(r.ok, true, JSON.stringify(r))
  assert.equal(r.draft, 'unpublished')
  assert.equal((await recorded('facebook', r.postId)).extra.state, 'draft')

  const live = await sync.publish(user, { text: `live ${user}` }, { targets: ['facebook:1001'] })
  assert.strictEqual(live.results[0].draft, null)

  await assert.rejects(
    sync.publish(user, { text: 'x draft', draft: true }, { targets: ['x'] }),
    (e) => e.code === 'INVALID_POST' && e.violations.some((v) => v.code === 'draft_unsupported'),
  )
})

test('edit and delete by a report result', async () => {
  const sync = await client(emu)
  const user = uniqueUser('manage')
  await connect(sync, user, 'facebook')
  await connect(sync, user, 'x')
  const report = await sync.publish(user, { text: `tpyo ${user}` }, { targets: ['facebook:1001', 'x'] })
  const fb = report.results.find((r) => r.platform === 'facebook')
  const x = report.results.find((r) => r.platform === 'x')
  assert.ok(fb.ok && x.ok, JSON.stringify(report.results))

  assert.strictEqual(await sync.edit(user, fb, `typo fixed ${user}`), undefined)
  const rec = await recorded('facebook', fb.postId)
  assert.equal(rec.text, `typo fixed ${user}`)
  assert.equal(rec.extra.edits, '1')

  await assert.rejects(sync.edit(user, x, 'X has no edit'), (e) => e.code === 'UNSUPPORTED')

  for (const r of [fb, x]) {
    await sync.delete(user, r)
    await sync.delete(user, r) // already gone: still resolves
    assert.equal((await recorded(r.platform, r.postId)).deleted, true)
  }
  await assert.rejects(sync.delete(user, { platform: 'myspace', postId: '1' }), (e) => e.code === 'INVALID_INPUT')
})
