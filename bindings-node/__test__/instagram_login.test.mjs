// Instagram Login (the second connection mode), image alt text and trial
// reels through the Node binding, against the emulator.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { createServer } from 'node:http'
import { CreatorSync, CreatorSyncError } from '../index.mjs'
import { SECRET, startEmulator, connect, uniqueUser, videoBytes } from './helpers.mjs'

const JPEG = Buffer.concat([
  Buffer.from('ffd8ffe000104a46494600010100000100010000', 'hex'),
  Buffer.alloc(4000, 0x55),
  Buffer.from('ffd9', 'hex'),
])

let emu
let server
let base
before(async () => {
  emu = await startEmulator()
  const files = { '/a.jpg': ['image/jpeg', JPEG], '/v.mp4': ['video/mp4', videoBytes(50_000)] }
  server = createServer((req, res) => {
    const f = files[req.url]
    if (!f) return res.writeHead(404).end()
    res.writeHead(200, { 'content-type': f[0], 'content-length': f[1].length })
    res.end(req.method === 'HEAD' ? undefined : f[1])
  })
  await new Promise((r) => server.listen(0, '127.0.0.1', r))
  base = `http://127.0.0.1:${server.address().port}`
})
after(() => {
  server.close()
  emu.stop()
})

test('Instagram Login: connect, image alt text and a trial reel', async () => {
  const apps = {
    ...emu.info.apps,
    instagramLogin: { clientId: 'cs-test-instagram-login', clientSecret: 'cs-test-instagram-login-secret' },
  }
  const sync = await CreatorSync.create({ apps, endpoints: emu.info, stateSecret: SECRET, store: 'memory' })
  const user = uniqueUser('iglogin')
  const { url } = await sync.connectBegin(user, 'instagram', 'http://127.0.0.1:9/cb')
  assert.match(url, /\/oauth\/authorize\?.*instagram_business_basic/)
  const accounts = await connect(sync, user, 'instagram')
  assert.deepEqual(accounts.map((a) => a.key.accountId), ['17841400000000001'])

  const image = await sync.publish(user, {
    text: 'ig login image',
    media: [{ url: `${base}/a.jpg`, allowLoopback: true, altText: 'a red bicycle' }],
  }, { targets: ['instagram'] })
  assert.equal(image.allOk, true, JSON.stringify(image.results))
  let rec = (await emu.posts('instagram')).find((p) => p.post_id === image.results[0].postId)
  assert.equal(rec.extra.alt_text, '["a red bicycle"]')

  const reel = await sync.publish(user, {
    text: 'ig login reel',
    media: [{ url: `${base}/v.mp4`, allowLoopback: true }],
    options: { instagram: { trialGraduation: 'ss_performance' } },
  }, { targets: ['instagram'] })
  assert.equal(reel.allOk, true, JSON.stringify(reel.results))
  rec = (await emu.posts('instagram')).find((p) => p.post_id === reel.results[0].postId)
  assert.equal(rec.extra.trial_graduation, 'SS_PERFORMANCE')

  await assert.rejects(sync.publish(user, {
    text: 'not a reel',
    media: [{ url: `${base}/a.jpg`, allowLoopback: true }],
    options: { instagram: { trialGraduation: 'manual' } },
  }, { targets: ['instagram'] }), (e) => e instanceof CreatorSyncError && e.code === 'INVALID_POST'
    && e.violations.some((v) => v.code === 'trial_requires_reel'))
})
