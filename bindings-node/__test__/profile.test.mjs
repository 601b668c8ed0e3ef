// CreatorSync.profile: the core's Profile of one connected account,
// serialized (camelCase), and typed errors for unknown accounts.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { CreatorSyncError } from '../index.mjs'
import { startEmulator, client, connect, uniqueUser } from './helpers.mjs'

let emu
let sync
before(async () => { emu = await startEmulator(); sync = await client(emu) })
after(() => emu.stop())

test('profile of a connected account is the core Profile', async () => {
  const user = uniqueUser('profile')
  const [account] = await connect(sync, user, 'x')
  const p = await sync.profile(user, 'x', account.key.accountId)
  assert.deepEqual(Object.keys(p).sort(), ['displayName', 'handle', 'kind', 'platformUserId'])
  assert.equal(p.platformUserId, account.key.accountId)
  assert.equal(p.handle, account.profile.handle)
})

test('profile of an unknown account or platform rejects with a code', async () => {
  await assert.rejects(sync.profile('nobody', 'x', '1'), (e) => e instanceof CreatorSyncError && e.code === 'NOT_CONNECTED')
  await assert.rejects(sync.profile('nobody', 'myspace', '1'), (e) => e instanceof CreatorSyncError && e.code === 'INVALID_INPUT')
})
