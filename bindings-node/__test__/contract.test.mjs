// The core's contract seen from Node: typings checked against
// docs/contract.schema.json, views shaped as the schema says, bad options
// typed, the old body mapped, and images from bytes published through a
// media host to the platforms that pull media from a URL.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { createServer } from 'node:http'
import { mkdtempSync, readFileSync, createReadStream, existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { startEmulator, client, connect, uniqueUser } from './helpers.mjs'

/** A small JPEG-looking buffer (Instagram and TikTok take JPEG images). */
const jpegBytes = () => Buffer.concat([Buffer.from('ffd8ffe000104a46494600010100000100010000', 'hex'), Buffer.alloc(4096)])

const HERE = dirname(fileURLToPath(import.meta.url))
const SCHEMA = JSON.parse(readFileSync(join(HERE, '../../docs/contract.schema.json'), 'utf8'))
const DTS = readFileSync(join(HERE, '../index.d.ts'), 'utf8')
const camel = (s) => s.replace(/_([a-z])/g, (_, c) => c.toUpperCase())

/** Top-level properties of `export interface name { ... }`: name → optional. */
function dtsFields(name) {
  const start = DTS.indexOf(`export interface ${name} {`)
  assert.ok(start >= 0, `index.d.ts declares ${name}`)
  let depth = 0, body = ''
  for (let i = DTS.indexOf('{', start); i < DTS.length; i++) {
    const c = DTS[i]
    if (c === '{' || c === '(' || c === '[' || c === '<') depth++
    if (c === '}' || c === ')' || c === ']' || c === '>') depth--
    if (depth === 0) break
    if (depth === 1 && c !== '{') body += c === '\n' || c === ';' ? '\n' : c
    else if (depth > 1) body += ' '
  }
  const fields = {}
  for (const line of body.split('\n')) {
    const m = line.replace(/\/\*\*.*?\*\//g, '').match(/^\s*([A-Za-z_]+)(\??):/)
    if (m && !line.trim().startsWith('*')) fields[m[1]] = m[2] === '?'
  }
  return fields
}

/** Schema properties of a definition, camelCased: name → optional. */
function schemaFields(def, { input }) {
  const d = SCHEMA.$defs[def]
  const required = new Set(d.required ?? [])
  const out = {}
  for (const [k, v] of Object.entries(d.properties)) {
    // Inputs: optional unless required. Views: every field is present (maybe null).
    out[camel(k)] = input ? !required.has(k) : false
  }
  return out
}

const PAIRS = [
  ['ClientOptions', 'CreatorSyncOptions', true],
  ['PostInput', 'PostInput', true],
  ['MediaInput', 'MediaInput', true],
  ['LegacyPostBody', 'LegacyPostBody', true],
  ['AccountView', 'Account', false],
  ['AccountKeyView', 'AccountKey', false],
  ['ProfileView', 'Profile', false],
  ['StatusView', 'AccountStatus', false],
  ['HealthView', 'AccountHealth', false],
  ['ErrorView', 'ErrorView', false],
  ['TargetResultView', 'TargetResult', false],
  ['ReportView', 'PublishReport', false],
  ['ProbeView', 'ProbeView', false],
  ['BoxPosition', 'BoxPosition', false],
]

test('index.d.ts declares exactly the contract schema (no missing, extra or wrongly optional field)', () => {
  for (const [def, iface, input] of PAIRS) {
    assert.deepEqual(dtsFields(iface), schemaFields(def, { input }), `${iface} vs schema ${def}`)
  }
})

/** Asserts `v` has exactly the (camelCased) properties of schema `def`, recursively for nested views. */
function assertShape(v, def) {
  const d = SCHEMA.$defs[def]
  assert.deepEqual(Object.keys(v).sort(), Object.keys(d.properties).map((k) => (k === 'postId' ? k : camel(k))).sort(), def)
  for (const [k, p] of Object.entries(d.properties)) {
    const ref = (p.$ref ?? p.anyOf?.find((x) => x.$ref)?.$ref ?? p.items?.$ref)?.split('/').pop()
    const val = v[camel(k)]
    if (!ref || val == null || SCHEMA.$defs[ref].properties === undefined) continue
    for (const x of Array.isArray(val) ? val : [val]) assertShape(x, ref)
  }
}

let emu
before(async () => { emu = await startEmulator() })
after(() => emu?.stop())

test('views have the schema shape (the Python suite checks the same schema)', async () => {
  const sync = await client(emu)
  const user = uniqueUser('shape')
  for (const a of await connect(sync, user, 'x')) assertShape(a, 'AccountView')
  for (const s of await sync.status(user)) assertShape(s, 'StatusView')
  for (const h of await sync.health(user)) assertShape(h, 'HealthView')
  const report = await sync.publish(user, { text: `shape ${user}` }, { targets: ['x', 'facebook'] })
  assertShape(report, 'ReportView')
  assert.equal(report.results.find((r) => r.platform === 'facebook').error.code, 'NOT_CONNECTED')
})

test('bad options reject with INVALID_INPUT naming the option', async () => {
  const cases = [
    [{ colour: 'red' }, 'colour'],
    [{ apps: { x: { clientSecret: 's' } } }, 'apps.x'],
    [{ apps: { myspace: { clientId: 'a' } } }, 'apps.myspace'],
    [{ endpoints: { ...emu.info, myspace: {} } }, 'endpoints.myspace'],
    [{ concurrency: { perPublish: 0 } }, 'concurrency.perPublish'],
    [{ store: 'memory', sqlite: { path: 'x.db' } }, 'store'],
    [{ mediaHost: { dir: '/definitely/not/here', publicBaseUrl: 'http://127.0.0.1:9/' } }, 'mediaHost.dir'],
  ]
  for (const [extra, field] of cases) {
    await assert.rejects(client(emu, { store: undefined, ...extra }), (e) => e.code === 'INVALID_INPUT' && e.field === field, JSON.stringify(extra))
  }
})

test('the old body shape publishes; an unknown old field is INVALID_INPUT', async () => {
  const sync = await client(emu)
  const user = uniqueUser('legacy')
  await connect(sync, user, 'x')
  const caption = `old body ${user}`
  const report = await sync.publish(user, { caption, hashtags: ['launch', '#rust'] }, { targets: ['x'] })
  assert.equal(report.allOk, true, JSON.stringify(report.results))
  assert.ok((await emu.posts('x')).some((p) => JSON.stringify(p).includes(`${caption}\\n\\n#launch #rust`)))
  await assert.rejects(sync.publish(user, { caption, thumbnail: 'x' }), (e) => e.code === 'INVALID_INPUT' && /thumbnail/.test(e.message))
})

/** A loopback file server for `dir`: the "public" media host the emulator fetches from. */
async function fileServer(dir) {
  const server = createServer((req, res) => {
    const path = join(dir, decodeURIComponent(new URL(req.url, 'http://x').pathname))
    if (!path.startsWith(dir) || !existsSync(path)) { res.writeHead(404).end(); return }
    res.writeHead(200, { 'content-type': 'image/jpeg' })
    createReadStream(path).pipe(res)
  })
  await new Promise((r) => server.listen(0, '127.0.0.1', r))
  return { url: `http://127.0.0.1:${server.address().port}/`, close: () => server.close() }
}

test('Instagram and TikTok images from bytes publish through mediaHost, and fail without it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cs-media-'))
  const files = await fileServer(dir)
  try {
    const post = { text: `bytes ${process.pid}`, media: [{ buffer: jpegBytes(), name: 'a.jpg' }], options: { tiktok: { privacyLevel: 'SELF_ONLY' } } }
    const user = uniqueUser('mediahost')
    const without = await client(emu)
    await connect(without, user, 'instagram')
    await connect(without, user, 'tiktok')
    const bare = await without.publish(user, post, { targets: ['instagram', 'tiktok'] })
    assert.equal(bare.results.filter((r) => r.ok).length, 0, JSON.stringify(bare.results))
    const user2 = uniqueUser('mediahost')
    const sync = await client(emu, { mediaHost: { dir, publicBaseUrl: files.url } })
    await connect(sync, user2, 'instagram')
    await connect(sync, user2, 'tiktok')
    const report = await sync.publish(user2, post, { targets: ['instagram', 'tiktok'] })
    assert.equal(report.allOk, true, JSON.stringify(report.results))
    assert.deepEqual(report.results.map((r) => r.platform).sort(), ['instagram', 'tiktok'])
  } finally {
    files.close()
  }
})
