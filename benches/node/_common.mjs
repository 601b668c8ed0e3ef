// Shared pieces of the Node benches: the addon and the npm packages
// (resolved from bindings-node/, where they are installed), the emulator
// binary, connecting accounts, medians.
import { spawn } from 'node:child_process'
import { createRequire } from 'node:module'
import { createInterface } from 'node:readline'
import { readFileSync, statSync } from 'node:fs'

/** `require` resolving from bindings-node/ (its node_modules and the addon). */
export const pkgRequire = createRequire(new URL('../../bindings-node/package.json', import.meta.url))

/** The addon (`creatorsync`), loaded through its generated loader. */
export const addon = pkgRequire('./index.js')

export const STATE_SECRET = 'bench-state-secret-0123456789abcdef0123456789'
export const MIB = 1024 * 1024

/**
 * Runs the emulator binary ($CREATORSYNC_EMULATOR_BIN) and reads its JSON
 * line. The line holds the app secrets: never print it.
 */
export async function startEmulator() {
  const bin = process.env.CREATORSYNC_EMULATOR_BIN
  if (!bin) throw new Error('set CREATORSYNC_EMULATOR_BIN to the (release) creatorsync-emulator binary')
  const child = spawn(bin, ['--bind', '127.0.0.1:0'], { stdio: ['ignore', 'pipe', 'inherit'] })
  const line = await new Promise((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', resolve)
    child.once('error', reject)
    child.once('exit', (c) => reject(new Error(`emulator exited ${c}`)))
  })
  const info = JSON.parse(line)
  const stop = () => new Promise((resolve) => {
    if (child.exitCode !== null) return resolve()
    child.once('exit', resolve)
    child.kill('SIGTERM')
  })
  return { info, pid: child.pid, stop }
}

/** A client on the emulator (endpoints and apps from its line). */
export async function client(info, store = 'memory', options = {}) {
  const { control, apps, ...endpoints } = info
  return addon.CreatorSync.create({ apps, endpoints, stateSecret: STATE_SECRET, store, ...options })
}

/**
 * Connects `userId` on `platform` the way a browser would: follows the
 * authorize page's redirect by hand and hands the callback URL back.
 */
export async function connect(sync, userId, platform, options) {
  const { url } = await sync.connectBegin(userId, platform, `http://127.0.0.1:9/cb/${platform}`, options)
  const res = await fetch(url, { redirect: 'manual' })
  const location = res.headers.get('location')
  if (res.status < 300 || res.status >= 400 || !location) {
    throw new Error(`${platform}: authorize page answered ${res.status} without a redirect`)
  }
  const accounts = await sync.connectCompleteFromUrl(userId, platform, location)
  if (accounts.length < 1) throw new Error(`${platform}: no account connected`)
  return accounts
}

/** Moves the emulator's clock forward (resets daily and 15-minute limits). */
export async function advanceClock(info, seconds) {
  const res = await fetch(new URL('/clock/advance', info.control), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ seconds }),
  })
  if (!res.ok) throw new Error(`clock advance answered ${res.status}`)
  await res.arrayBuffer()
}

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2
}

export const round = (x, digits = 1) => Math.round(x * 10 ** digits) / 10 ** digits

/** Peak resident set of this process in MiB (VmHWM; maxRSS as fallback). */
export function peakRssMib() {
  try {
    const m = /VmHWM:\s+(\d+)\s+kB/.exec(readFileSync('/proc/self/status', 'utf8'))
    if (m) return Number(m[1]) / 1024
  } catch {}
  return process.resourceUsage().maxRSS / 1024
}

/**
 * Node version and the size of the addon file next to the loader (a
 * release build is a few tens of MiB; a debug one well over 100).
 */
export function environment() {
  let addonMib = null
  try {
    addonMib = round(statSync(pkgRequire.resolve('./creatorsync.linux-x64-gnu.node')).size / MIB)
  } catch {}
  return { node: process.version, addon_file_mib: addonMib }
}
