import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { createRequire } from 'node:module'
import { CreatorSync, CreatorSyncError, signOAuth1 } from '../index.mjs'
import { startEmulator, SECRET } from './emulator.mjs'

const PLATFORMS = ['x', 'linkedin', 'facebook', 'instagram', 'youtube', 'tiktok']
let emu
before(async () => { emu = await startEmulator() })
after(() => emu.stop())

async function connectAll(sync, user) {
  for (const p of PLATFORMS) {
    const { url } = await sync.connectBegin(user, p, `http://127.0.0.1:9/cb/${p}`)
    const res = await fetch(url, { redirect: 'manual' })
    assert.equal(res.status >= 300 && res.status < 400, true, `${p} authorize redirects`)
    const accounts = await sync.connectCompleteFromUrl(user, p, res.headers.get('location'))
    assert.ok(accounts.length >= 1, `${p} connected`)
  }
}

test('loads from CommonJS too', () => {
  const cjs = createRequire(import.meta.url)('../index.js')
  assert.equal(typeof cjs.CreatorSync, 'function')
  assert.equal(cjs.CreatorSyncError, CreatorSyncError)
})

test('connect all six, status, publish everywhere with progress', async () => {
  const sync = await CreatorSync.create({ apps: 'emulator', endpoints: emu.info, stateSecret: SECRET })
  await connectAll(sync, 'u1')
  const status = await sync.status('u1')
  assert.ok(status.length >= 6)
  const events = []
  const report = await sync.publish('u1', { text: 'Hello from Node' }, {
    targets: ['x', 'linkedin', 'facebook'],
    idempotencyKey: 'node-1',
    onProgress: (e) => events.push(e),
  })
  assert.equal(report.idempotencyKey, 'node-1')
  assert.ok(report.results.length >= 3)
  for (const r of report.results) assert.equal(r.ok, true, JSON.stringify(r.error))
  assert.equal(report.legacy.x.success, true)
  assert.ok(report.legacy.x.url.includes('/status/'))
  await new Promise((r) => setImmediate(r))
  assert.ok(events.some((e) => e.event === 'published'))
})

test('errors carry stable codes', async () => {
  const sync = await CreatorSync.create({ apps: 'emulator', endpoints: emu.info, stateSecret: SECRET })
  await assert.rejects(sync.publish('nobody', { text: 'x'.repeat(300) }, { targets: ['x'] }), (e) => {
    assert.ok(e instanceof CreatorSyncError)
    assert.ok(e instanceof Error)
    assert.ok(['NOT_CONNECTED', 'INVALID_POST'].includes(e.code), e.code)
    return true
  })
  await assert.rejects(CreatorSync.create({ apps: 'emulator' }), (e) => e.code === 'CONFIG_ERROR')
  await assert.rejects(sync.connectBegin('u', 'myspace', 'http://127.0.0.1/cb'), (e) => e.code === 'INVALID_INPUT')
})

test('an aborted publish rejects with CANCELLED', async () => {
  const sync = await CreatorSync.create({ apps: 'emulator', endpoints: emu.info, stateSecret: SECRET })
  const ac = new AbortController()
  ac.abort()
  await assert.rejects(sync.publish('u1', { text: 'never' }, { signal: ac.signal }), (e) => e.code === 'CANCELLED')
})

test('signOAuth1 matches X documented example', () => {
  const h = signOAuth1({
    consumerKey: 'xvz1evFS4wEEPTGEFPHBog', consumerSecret: 'kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw',
    token: '370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb', tokenSecret: 'LswwdoUaIvS8ltyTt5jkRh4J50vUPVVHtR2YPi5kE',
    method: 'POST', url: 'https://api.twitter.com/1.1/statuses/update.json?include_entities=true',
    form: { status: 'Hello Ladies + Gentlemen, a signed OAuth request!' },
    nonce: 'kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg', timestamp: 1318622958,
  })
  assert.ok(h.includes('hCtSmYh%2BiHYCEqBWrE7C7hYmtUk%3D'), h)
})
