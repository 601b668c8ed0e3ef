// probe(media) (the contract's ProbeView, camelCased) and publish's `fit`:
// the same fields from a path and a Buffer, a typed rejection for what is
// not media, a Facebook photo over 4 MB refused, then fitted under it.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, writeFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { randomBytes } from 'node:crypto'
import { crc32, deflateSync } from 'node:zlib'
import { probe, testing } from '../index.mjs'
import { startEmulator, client, connect, uniqueUser } from './helpers.mjs'

/** An RGB PNG of random pixels (which do not compress), stored. */
function noisyPng(width, height) {
  const chunk = (kind, data) => {
    const len = Buffer.alloc(4)
    len.writeUInt32BE(data.length)
    const body = Buffer.concat([Buffer.from(kind, 'latin1'), data])
    const crc = Buffer.alloc(4)
    crc.writeUInt32BE(crc32(body))
    return Buffer.concat([len, body, crc])
  }
  const ihdr = Buffer.alloc(13)
  ihdr.writeUInt32BE(width, 0)
  ihdr.writeUInt32BE(height, 4)
  ihdr.set([8, 2, 0, 0, 0], 8)
  const rows = []
  for (let y = 0; y < height; y++) rows.push(Buffer.from([0]), randomBytes(width * 3))
  return Buffer.concat([
    Buffer.from('89504e470d0a1a0a', 'hex'),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(Buffer.concat(rows), { level: 0 })),
    chunk('IEND', Buffer.alloc(0)),
  ])
}

let emu
before(async () => { emu = await startEmulator() })
after(() => emu.stop())

test('probe reads a video from a path and a Buffer alike', async () => {
  const mp4 = testing.sampleMp4(12, 1080, 1920, { fps: 25, moovAtEnd: true })
  const dir = await mkdtemp(join(tmpdir(), 'cs-probe-'))
  try {
    const path = join(dir, 'clip.mp4')
    await writeFile(path, mp4)
    const fromPath = await probe({ path })
    const fromBuffer = await probe({ buffer: mp4, name: 'clip.mp4' })
    assert.deepEqual(fromPath, fromBuffer)
    assert.equal(fromPath.format, 'mp4')
    assert.equal(fromPath.mime, 'video/mp4')
    assert.equal(fromPath.bytes, mp4.length)
    assert.deepEqual([fromPath.width, fromPath.height, fromPath.rotation], [1080, 1920, 0])
    assert.equal(fromPath.durationSecs, 12)
    assert.equal(fromPath.frameRate, 25)
    assert.equal(fromPath.videoCodec, 'avc1')
    assert.equal(fromPath.audioCodec, null)
    assert.equal(fromPath.faststart, false)
    assert.ok(fromPath.moov.offset > fromPath.mdat.offset)
    assert.ok(Math.abs(fromPath.aspectRatio - 1080 / 1920) < 1e-9)
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
})

test('probe reads an image and rejects what is not media', async () => {
  const v = await probe({ buffer: noisyPng(50, 10), name: 'wide.png' })
  assert.deepEqual([v.format, v.width, v.height, v.frames, v.faststart], ['png', 50, 10, 1, null])
  await assert.rejects(probe({ buffer: Buffer.from('plain words'), name: 'notes.txt' }), { code: 'INVALID_MEDIA' })
  await assert.rejects(probe({ path: 'a.mp4', url: 'https://example.invalid/a.mp4' }), { code: 'INVALID_INPUT' })
})

test('publish with fit brings a big photo under the Facebook limit', async () => {
  const sync = await client(emu)
  const user = uniqueUser('fit')
  await connect(sync, user, 'facebook')
  const png = noisyPng(1500, 1450)
  assert.ok(png.length > 6_000_000)
  const post = { text: 'big photo', media: [{ buffer: png, name: 'big.png' }] }
  await assert.rejects(sync.publish(user, post, { targets: ['facebook:1001'] }), (e) => {
    assert.equal(e.code, 'INVALID_POST')
    assert.deepEqual(e.violations.map((v) => v.code), ['media_too_large'])
    return true
  })
  const before = (await emu.posts('facebook')).length
  const report = await sync.publish(user, post, { targets: ['facebook:1001'], fit: 'pad' })
  assert.ok(report.allOk, JSON.stringify(report))
  const posts = await emu.posts('facebook')
  assert.equal(posts.length, before + 1)
  const media = posts.at(-1).media[0]
  assert.ok(media.len <= 4 * 1024 * 1024, `${media.len}`)
  assert.equal(media.seen.format, 'jpeg')
  await assert.rejects(sync.publish(user, post, { targets: ['facebook:1001'], fit: 'stretch' }), { code: 'INVALID_INPUT' })
})
