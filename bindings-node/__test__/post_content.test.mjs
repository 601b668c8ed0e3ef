// Links and mentions from Node (docs/post-content.md): a post's `mentions`
// (keys kept as written, not snake_cased) become each platform's form, a
// `link` is appended on X and is LinkedIn's article card, and a mention
// without an id for a target fails with INVALID_POST naming both; with
// `mentionFallback` the plain name is written. Python's equivalent:
// bindings-python/tests/test_post_content.py.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { startEmulator, client, connect, uniqueUser } from './helpers.mjs'

let emu
before(async () => { emu = await startEmulator() })
after(() => emu?.stop())

test('mentions and a link reach X and LinkedIn in their forms', async () => {
  const sync = await client(emu)
  const user = uniqueUser('content')
  await connect(sync, user, 'x')
  await connect(sync, user, 'linkedin')
  const post = {
    text: `Thanks @{adaL} (beta) ${user}`,
    mentions: { adaL: { name: 'Ada', ids: { x: 'ada_l', linkedin: 'urn:li:person:ada1' } } },
    link: { url: 'https://example.com/a', title: 'A' },
  }
  const r = await sync.publish(user, post, { targets: ['x', 'linkedin:li-demo-person'] })
  assert.equal(r.allOk, true, JSON.stringify(r.results))
  const [x] = (await emu.posts('x')).filter((p) => p.text.includes(user))
  assert.equal(x.text, `Thanks @ada_l (beta) ${user}\n\nhttps://example.com/a`)
  const [li] = (await emu.posts('linkedin')).filter((p) => p.text.includes(user))
  assert.equal(li.text, `Thanks @[Ada](urn:li:person:ada1) \\(beta\\) ${user}`)
  assert.equal(JSON.parse(li.extra.content).article.source, 'https://example.com/a')
})

test('a mention without an id fails the post naming it, unless mentionFallback', async () => {
  const sync = await client(emu)
  const user = uniqueUser('content')
  await connect(sync, user, 'facebook')
  const post = { text: `Hi @{bob} ${user}`, mentions: { bob: { name: 'Bob', ids: { x: 'bob' } } } }
  await assert.rejects(sync.publish(user, post, { targets: ['facebook'] }), (e) => {
    assert.equal(e.code, 'INVALID_POST')
    assert.match(e.message, /mentions\.bob/)
    assert.match(e.message, /Facebook/)
    return true
  })
  const r = await sync.publish(user, { ...post, mentionFallback: true }, { targets: ['facebook'] })
  assert.equal(r.allOk, true, JSON.stringify(r.results))
  assert.ok((await emu.posts('facebook')).some((p) => p.text === `Hi Bob ${user}`))
})
