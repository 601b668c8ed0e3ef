// Drives the Node binding through scenario.json against the emulator
// binary ($CREATORSYNC_EMULATOR_BIN) and prints each step's answer as JSON
// (the Python driver, run.py, does the same; shape.py compares them).
import { spawn } from 'node:child_process'
import { createRequire } from 'node:module'
import { createInterface } from 'node:readline'
import { readFileSync } from 'node:fs'

const require = createRequire(new URL('../../bindings-node/package.json', import.meta.url))
const { CreatorSync } = require('./index.js')
const scenario = JSON.parse(readFileSync(new URL('./scenario.json', import.meta.url), 'utf8'))
const SECRET = 'scenario-state-secret-0123456789abcdef012345'

const child = spawn(process.env.CREATORSYNC_EMULATOR_BIN, ['--bind', '127.0.0.1:0'], { stdio: ['ignore', 'pipe', 'ignore'] })
try {
  const line = JSON.parse(await new Promise((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', resolve)
    child.once('error', reject)
  }))
  const { control, apps, ...endpoints } = line
  const sync = await CreatorSync.create({ apps, endpoints, stateSecret: SECRET, ...scenario.options })
  const user = scenario.user
  const out = {}
  for (const p of scenario.connect) {
    const { url } = await sync.connectBegin(user, p, `http://127.0.0.1:9/callback/${p}`)
    const res = await fetch(url, { redirect: 'manual' })
    out[`connect_${p}`] = await sync.connectCompleteFromUrl(user, p, res.headers.get('location'))
  }
  for (const step of scenario.steps) {
    try {
      if (step.publish) {
        const p = step.publish
        out[step.name] = await sync.publish(user, p.post, { targets: p.targets, idempotencyKey: p.key })
      } else if (step.disconnect) {
        const d = step.disconnect
        out[step.name] = { disconnected: await sync.disconnect(user, d.platform, d.account_id) }
      } else {
        out[step.name] = await sync[step.call](user)
      }
    } catch (e) {
      if (!e.code) throw e
      out[step.name] = { error: { code: e.code } }
    }
  }
  process.stdout.write(JSON.stringify(out))
} finally {
  child.kill('SIGTERM')
}
