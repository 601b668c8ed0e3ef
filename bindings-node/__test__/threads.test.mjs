// Threads and first comments from Node: the post's `thread`, `firstComment`
// and `threadMode`, each follow-up's id in the report, a thread resumed
// with the same key, and refusals before any request.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { startEmulator, client, connect, uniqueUser } from './helpers.mjs'

let emu
before(async () => { emu = await startEmulator() })
after(() => emu?.stop())

const mine = async (platform, tag) => (await emu.posts(platform)).filter((p) => p.text.includes(tag) && !p.deleted)

test('an X thread stopped half way resumes with the same key, one post per part in order', async () => {
  const sync = await client(emu)
  const user = uniqueUser('thread')
  await connect(sync, user, 'x')
  const post = { text: `0/2 node thread ${user}`, thread: [{ text: `1/2 node thread ${user}` }, { text: `2/2 node thread ${user}` }] }
  await emu.fault('x', { kind: 'fail', status: 503, method: 'POST', path_contains: '/2/tweets', skip: 2 })
  const first = await sync.publish(user, post, { targets: ['x'], idempotencyKey: `thread-${user}` })
  const r1 = first.results[0]
  assert.ok(r1.ok)
  assert.equal(r1.comment, null)
  assert.deepEqual(r1.parts.map((p) => p.ok), [true, false])
  assert.ok(r1.parts[1].error.code)
  await emu.clearFaults()

  const again = await sync.publish(user, post, { targets: ['x'], idempotencyKey: `thread-${user}` })
  const r = again.results[0]
  assert.ok(r.reused)
  assert.deepEqual(r.parts.map((p) => p.ok), [true, true])
  const posts = (await mine('x', user)).sort((a, b) => a.text.localeCompare(b.text))
  assert.equal(posts.length, 3)
  assert.equal(posts[0].post_id, r.postId)
  assert.equal(posts[1].extra.in_reply_to_tweet_id, posts[0].post_id)
  assert.equal(posts[2].extra.in_reply_to_tweet_id, posts[1].post_id)
  assert.deepEqual(r.parts.map((p) => p.postId), [posts[1].post_id, posts[2].post_id])
})

test('a Facebook first comment is in the report; TikTok refuses one before any request', async () => {
  const sync = await client(emu)
  const user = uniqueUser('comment')
  await connect(sync, user, 'facebook')
  await connect(sync, user, 'tiktok')
  const report = await sync.publish(user, { text: `fb post ${user}`, firstComment: `fb comment ${user}` }, { targets: [['facebook', '1001']] })
  const r = report.results[0]
  assert.ok(r.ok && r.comment?.ok, JSON.stringify(r))
  assert.deepEqual(r.parts, [])
  const comments = (await mine('facebook', user)).filter((p) => p.extra.comment_on)
  assert.deepEqual(comments.map((c) => c.post_id), [r.comment.postId])
  assert.equal(comments[0].extra.comment_on, r.postId)

  const before = (await emu.posts()).length
  await assert.rejects(sync.publish(user, { text: 'tiktok', firstComment: 'no', threadMode: 'refuse' }, { targets: ['tiktok'] }), (e) => {
    assert.equal(e.code, 'INVALID_POST')
    assert.ok(e.violations.some((v) => v.code === 'first_comment_unsupported'), JSON.stringify(e.violations))
    return true
  })
  assert.equal((await emu.posts()).length, before)
})
