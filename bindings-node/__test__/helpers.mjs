// Test helpers: the emulator binary (spawned; endpoints from its one JSON
// line), its control API, connecting accounts the way a browser would, and
// small media files.
import { spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import assert from 'node:assert/strict'
import { CreatorSync } from '../index.mjs'

export const PLATFORMS = ['x', 'linkedin', 'facebook', 'instagram', 'youtube', 'tiktok']
export const SECRET = 'a-state-secret-of-at-least-32-bytes!!'
const MP4_HEADER = Buffer.from('\0\0\0\x18ftypmp42\0\0\0\0mp42isom', 'latin1')
const PNG_HEADER = Buffer.from('89504e470d0a1a0a0000000d494844520000001000000010080200000090916836', 'hex')

/** Starts the emulator ($CREATORSYNC_EMULATOR_BIN) on a free loopback port. */
export async function startEmulator() {
  const bin = process.env.CREATORSYNC_EMULATOR_BIN
  if (!bin) throw new Error('set CREATORSYNC_EMULATOR_BIN to the creatorsync-emulator binary')
  const child = spawn(bin, ['--bind', '127.0.0.1:0'], { stdio: ['ignore', 'pipe', 'inherit'] })
  const line = await new Promise((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', resolve)
    child.once('error', reject)
    child.once('exit', (c) => reject(new Error(`emulator exited ${c}`)))
  })
  const info = JSON.parse(line)
  const control = info.control.replace(/\/$/, '')
  async function ctl(method, path, body) {
    const res = await fetch(control + path, {
      method,
      headers: body ? { 'content-type': 'application/json' } : {},
      body: body ? JSON.stringify(body) : undefined,
    })
    assert.ok(res.ok, `control ${method} ${path}: ${res.status}`)
    const text = await res.text()
    return text ? JSON.parse(text) : null
  }
  return {
    info,
    ctl,
    /** Posts the emulator holds (optionally of one platform). */
    posts: (platform) => ctl('GET', `/posts${platform ? `?platform=${platform}` : ''}`),
    /** Adds a fault rule, e.g. `{ kind: 'rate_limit', retry_after_secs: 3600, path_contains: '/2/tweets' }`. */
    fault: (platform, rule) => ctl('POST', `/faults/${platform}`, rule),
    clearFaults: () => Promise.all(PLATFORMS.map((p) => ctl('DELETE', `/faults/${p}`))),
    stop: () => child.kill('SIGTERM'),
  }
}

/** A client on the emulator (memory store unless `extra` says otherwise). */
export function client(emu, extra = {}) {
  // The default store is the embedded SQLite file (as in Rust); tests use memory.
  const store = extra.store ?? (extra.sqlite || extra.postgres ? undefined : 'memory')
  return CreatorSync.create({ apps: 'emulator', endpoints: emu.info, stateSecret: SECRET, ...extra, ...(store ? { store } : {}) })
}

/** Follows the authorize URL as the user's browser would (the emulator consents at once). */
export async function authorize(url) {
  const res = await fetch(url, { redirect: 'manual' })
  assert.ok(res.status >= 300 && res.status < 400, `authorize redirects (${res.status})`)
  return res.headers.get('location')
}

/** Connects `user` on `platform`; resolves the accounts. */
export async function connect(sync, user, platform) {
  const { url } = await sync.connectBegin(user, platform, `http://127.0.0.1:9/cb/${platform}`)
  const accounts = await sync.connectCompleteFromUrl(user, platform, await authorize(url))
  assert.ok(accounts.length >= 1, `${platform} connected`)
  return accounts
}

let seq = 0
/** A user id unique to this run (tests share one emulator). */
export const uniqueUser = (name) => `${name}-${process.pid}-${++seq}`

/** An MP4-looking buffer of `size` bytes. */
export const videoBytes = (size = 1 << 20) => Buffer.concat([MP4_HEADER, Buffer.alloc(size - MP4_HEADER.length)])
/** A small PNG-looking buffer. */
export const pngBytes = () => Buffer.concat([PNG_HEADER, Buffer.alloc(2048)])
