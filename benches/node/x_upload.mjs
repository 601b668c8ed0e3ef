// X chunked media upload of a 512 MiB video file from disk: the addon
// (a video post to X only; the core runs INIT / APPEND / FINALIZE /
// STATUS and creates the post) vs the npm `twitter-api-v2` package
// (v1.1 `uploadMedia` with its defaults: 1 MiB chunks, 3 APPENDs in
// flight, then `v2.tweet`), both against the same emulator, both with
// the same OAuth 1.0a user credentials. Each client runs in its own
// child process, so the peak RSS reported (VmHWM) is that client's.
// Targets: the addon >= 2x twitter-api-v2 and its peak RSS below
// twitter-api-v2's 93 MiB (shared/bench-peers.md: 341 MiB/s, 93.3 MiB).
//
// MiB/s is the upload phase: from the call to the moment the upload is
// complete (twitter-api-v2: the FINALIZE answer, timed by a plugin hook;
// the addon: its first `processing` progress event, which follows
// FINALIZE and one STATUS check). `end_to_end_s` is the whole call
// until the post exists (both then wait out X's `check_after_secs`).
//
// Pointing twitter-api-v2 at the emulator (no emulator change): a plugin
// `onBeforeRequestConfig` hook rewrites https://upload.x.com/ and
// https://api.x.com/ to the emulator's `x.upload` / `x.api` bases, and an
// `http.Agent` (keep-alive, like Node's default https agent) lets its
// https-only request helper speak http. The package picks multipart for
// every /1.1/media/upload.json command by host name; the emulator takes
// multipart as APPEND only, so the hook keeps APPEND multipart and sends
// INIT / FINALIZE url-encoded (signed), which the emulator accepts.
//
//   CREATORSYNC_EMULATOR_BIN=$CARGO_TARGET_DIR/release/creatorsync-emulator \
//     node benches/node/x_upload.mjs [rounds=3] [mib=512]
//
// The file is written to $CS_BENCH_DIR (default $CARGO_TARGET_DIR/tmp,
// else the OS temp dir) and removed at the end. Prints one JSON line.
import { spawn } from 'node:child_process'
import { createWriteStream, mkdirSync, rmSync } from 'node:fs'
import http from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { once } from 'node:events'
import { fileURLToPath } from 'node:url'
import { MIB, STATE_SECRET, median, peakRssMib, round } from './_common.mjs'

const SELF = fileURLToPath(import.meta.url)
const PEER = { mib_s: 341, peak_rss_mib: 93.3 }

// ---------- children ----------

/** The addon: a video post to X from the file path. */
async function addonChild(cfg) {
  const { addon, client, connect } = await import('./_common.mjs')
  const sync = await client(cfg.emulator)
  await connect(sync, 'bench', 'x', { oauth1: true })
  const rssBefore = peakRssMib()
  let uploaded = null
  let lastUploading = null
  let chunks = 0
  const t0 = process.hrtime.bigint()
  const report = await sync.publish('bench', {
    text: `addon upload ${process.pid} ${Date.now()}`,
    media: [{ path: cfg.file }],
  }, {
    targets: ['x'],
    onProgress: (e) => {
      if (e.event === 'uploading') { chunks++; if (e.sent === e.total) lastUploading = process.hrtime.bigint() }
      if (e.event === 'processing' && uploaded === null) uploaded = process.hrtime.bigint()
    },
  })
  const t1 = process.hrtime.bigint()
  if (!report.allOk) {
    const r = report.results.find((x) => !x.ok)
    throw new Error(`addon publish failed: ${r?.error?.code} ${r?.error?.message}`)
  }
  await new Promise((r) => setImmediate(r))
  if (uploaded === null) uploaded = lastUploading
  if (uploaded === null) throw new Error('addon: no progress event marked the end of the upload')
  return {
    upload_s: Number(uploaded - t0) / 1e9,
    appends_acked_s: lastUploading === null ? null : Number(lastUploading - t0) / 1e9,
    end_to_end_s: Number(t1 - t0) / 1e9,
    progress_events: chunks,
    rss_before_mib: rssBefore,
  }
}

/** twitter-api-v2: v1.1 uploadMedia (defaults) + v2.tweet. */
async function twitterChild(cfg) {
  const { pkgRequire } = await import('./_common.mjs')
  const { TwitterApi } = pkgRequire('twitter-api-v2')
  const x = cfg.emulator.x
  const bases = [['https://upload.x.com/', x.upload], ['https://api.x.com/', x.api]]
  let finalized = null
  const toEmulator = {
    onBeforeRequestConfig({ params }) {
      for (const [from, to] of bases) {
        if (params.url.startsWith(from)) params.url = new URL(params.url.slice(from.length), to.endsWith('/') ? to : `${to}/`).href
      }
      if (params.url.endsWith('/1.1/media/upload.json') && params.method.toUpperCase() === 'POST') {
        params.forceBodyMode = params.body?.command === 'APPEND' ? 'form-data' : 'url'
      }
    },
    onAfterRequest({ params }) {
      if (params.body?.command === 'FINALIZE') finalized = process.hrtime.bigint()
    },
  }
  const tw = new TwitterApi({
    appKey: cfg.consumerKey, appSecret: cfg.consumerSecret,
    accessToken: cfg.token, accessSecret: cfg.tokenSecret,
  }, { httpAgent: new http.Agent({ keepAlive: true }), plugins: [toEmulator] })
  const rssBefore = peakRssMib()
  const t0 = process.hrtime.bigint()
  const mediaId = await tw.v1.uploadMedia(cfg.file)
  const tweet = await tw.v2.tweet(`twitter-api-v2 upload ${process.pid} ${Date.now()}`, { media: { media_ids: [mediaId] } })
  const t1 = process.hrtime.bigint()
  if (!tweet?.data?.id) throw new Error('twitter-api-v2: no tweet id')
  if (finalized === null) throw new Error('twitter-api-v2: FINALIZE not seen')
  return {
    upload_s: Number(finalized - t0) / 1e9,
    end_to_end_s: Number(t1 - t0) / 1e9,
    rss_before_mib: rssBefore,
  }
}

async function child(role) {
  const cfg = JSON.parse(process.env.CS_BENCH_CHILD_CONFIG)
  const r = role === 'addon' ? await addonChild(cfg) : await twitterChild(cfg)
  const mib = cfg.bytes / MIB
  process.stdout.write(`${JSON.stringify({
    role,
    mib_s: mib / r.upload_s,
    ...r,
    peak_rss_mib: peakRssMib(),
    max_rss_mib: process.resourceUsage().maxRSS / 1024,
  })}\n`)
}

// ---------- parent ----------

/** A host store that keeps tokens in a Map (the parent reads X's OAuth 1.0a token from it). */
class MapStore {
  constructor() { this.rows = new Map() }
  id(k) { return `${k.userId}\u0000${k.platform}\u0000${k.accountId}` }
  async get(key) { const r = this.rows.get(this.id(key)); return r ? structuredClone(r) : null }
  async list(userId) { return [...this.rows.values()].filter((r) => r.key.userId === userId).map((r) => structuredClone(r)) }
  async put(token, expected) {
    const id = this.id(token.key)
    const current = this.rows.get(id)?.version ?? null
    if (current !== expected) throw Object.assign(new Error('conflict'), { code: 'CONFLICT', currentVersion: current })
    const version = (current ?? 0) + 1
    this.rows.set(id, { ...structuredClone(token), version })
    return version
  }
  async delete(key) { return this.rows.delete(this.id(key)) }
}

/** A `bytes`-long file that starts like an MP4, filled with a repeating pseudo-random MiB. */
async function makeFile(path, bytes) {
  const block = Buffer.alloc(MIB)
  let s = 0x9e3779b9
  for (let i = 0; i < block.length; i += 4) { s ^= s << 13; s ^= s >>> 17; s ^= s << 5; block.writeUInt32LE(s >>> 0, i) }
  const first = Buffer.from(block)
  Buffer.from([0, 0, 0, 0x18, ...Buffer.from('ftypmp42'), 0, 0, 0, 0, ...Buffer.from('mp42isom')]).copy(first)
  const out = createWriteStream(path)
  for (let off = 0; off < bytes; off += MIB) {
    const b = off === 0 ? first : block
    if (!out.write(bytes - off >= MIB ? b : b.subarray(0, bytes - off))) await once(out, 'drain')
  }
  out.end()
  await once(out, 'finish')
}

function runChild(role, config) {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [SELF, '--child', role], {
      env: { ...process.env, CS_BENCH_CHILD_CONFIG: JSON.stringify(config) },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let out = ''
    let err = ''
    p.stdout.on('data', (d) => { out += d })
    p.stderr.on('data', (d) => { err += d })
    p.on('error', reject)
    p.on('exit', (code) => {
      const line = out.trim().split('\n').pop()
      if (code !== 0 || !line) return reject(new Error(`${role} child exited ${code}: ${err.trim().split('\n').slice(-3).join(' | ')}`))
      resolve(JSON.parse(line))
    })
  })
}

async function parent() {
  const rounds = Number(process.argv[2] ?? 3)
  const mib = Number(process.argv[3] ?? 512)
  const bytes = mib * MIB
  const dir = process.env.CS_BENCH_DIR ?? (process.env.CARGO_TARGET_DIR ? join(process.env.CARGO_TARGET_DIR, 'tmp') : tmpdir())
  mkdirSync(dir, { recursive: true })
  const file = join(dir, `node-bench-x-upload-${process.pid}.mp4`)
  const { startEmulator, client, connect } = await import('./_common.mjs')
  const emu = await startEmulator()
  let failed = null
  try {
    await makeFile(file, bytes)
    // X OAuth 1.0a user token for twitter-api-v2, through a host store.
    const store = new MapStore()
    const sync = await client(emu.info, store)
    await connect(sync, 'peer', 'x', { oauth1: true })
    const [row] = await store.list('peer')
    if (row?.credential?.type !== 'oauth1') throw new Error('no OAuth 1.0a credential for X')
    const app = emu.info.apps.x
    const twCfg = {
      emulator: { x: emu.info.x }, file, bytes,
      consumerKey: app.consumer_key, consumerSecret: app.consumer_secret,
      token: row.credential.token, tokenSecret: row.credential.secret,
    }
    const addonCfg = { emulator: emu.info, file, bytes }
    const runs = { addon: [], 'twitter-api-v2': [] }
    for (let r = 0; r < rounds; r++) {
      // Alternate which goes first, so a warmer page cache or a quieter
      // moment does not always favour the same client.
      const order = r % 2 ? ['twitter-api-v2', 'addon'] : ['addon', 'twitter-api-v2']
      for (const role of order) runs[role].push(await runChild(role, role === 'addon' ? addonCfg : twCfg))
    }
    const sum = (v) => ({
      runs: v.length,
      mib_s_median: round(median(v.map((x) => x.mib_s))),
      mib_s_min: round(Math.min(...v.map((x) => x.mib_s))),
      mib_s_max: round(Math.max(...v.map((x) => x.mib_s))),
      end_to_end_s_median: round(median(v.map((x) => x.end_to_end_s)), 2),
      peak_rss_mib_max: round(Math.max(...v.map((x) => x.peak_rss_mib))),
      peak_rss_mib_median: round(median(v.map((x) => x.peak_rss_mib))),
      rss_before_upload_mib_median: round(median(v.map((x) => x.rss_before_mib))),
    })
    const a = sum(runs.addon)
    const t = sum(runs['twitter-api-v2'])
    const { environment } = await import('./_common.mjs')
    console.log(JSON.stringify({
      bench: 'node-x-upload',
      ...environment(),
      file_mib: mib,
      addon: { ...a, chunking: 'core defaults: 4 MiB segments, 4 in flight (v2 initialize/append/finalize)' },
      'twitter-api-v2': { ...t, chunking: 'defaults: 1 MiB chunks, 3 in flight (v1.1 INIT/APPEND/FINALIZE)' },
      ratio_mib_s: round(a.mib_s_median / t.mib_s_median, 2),
      target_ratio: 2,
      target_rss_below_mib: PEER.peak_rss_mib,
      target_met: a.mib_s_median / t.mib_s_median >= 2 && a.peak_rss_mib_max < PEER.peak_rss_mib,
      peer: PEER,
    }))
  } catch (e) {
    failed = e
  } finally {
    await emu.stop()
    rmSync(file, { force: true })
  }
  if (failed) {
    console.error(`x_upload bench failed: ${failed.message}`)
    process.exit(1)
  }
}

if (process.argv[2] === '--child') {
  child(process.argv[3]).catch((e) => { console.error(e?.stack ?? String(e)); process.exit(1) })
} else {
  await parent()
}
