// Drives the Node binding through scenario.json against the emulator
// binary ($CREATORSYNC_EMULATOR_BIN) and prints each step's answer as JSON
// (the Python driver, run.py, does the same; shape.py compares them).
import { spawn } from 'node:child_process'
import { createRequire } from 'node:module'
import { createInterface } from 'node:readline'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const require = createRequire(new URL('../../bindings-node/package.json', import.meta.url))
const { CreatorSync } = require('./index.js')
const scenario = JSON.parse(readFileSync(new URL('./scenario.json', import.meta.url), 'utf8'))
const SECRET = 'scenario-state-secret-0123456789abcdef012345'

const tmp = mkdtempSync(join(tmpdir(), 'cs-scenario-'))
const child = spawn(process.env.CREATORSYNC_EMULATOR_BIN, ['--bind', '127.0.0.1:0'], { stdio: ['ignore', 'pipe', 'ignore'] })
try {
  const line = JSON.parse(await new Promise((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', resolve)
    child.once('error', reject)
  }))
  const { control, apps, ...endpoints } = line
  // A memory store: the scheduler's jobs go to a file of this run.
  const scheduler = { jobs: { sqlite: join(tmp, 'jobs.db') } }
  const sync = await CreatorSync.create({ apps, endpoints, stateSecret: SECRET, scheduler, ...scenario.options })
  const sched = sync.scheduler()
  const ids = {}
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
      } else if (step.schedule) {
        const p = step.schedule
        ids[step.name] = await sched.schedule(user, p.post, p.at, { targets: p.targets, idempotencyKey: p.key })
        out[step.name] = await sched.get(ids[step.name])
      } else if (step.schedule_many) {
        const b = step.schedule_many
        out[step.name] = await sched.scheduleMany(b.items.map((i) => ({ userId: user, ...i })), b.mode)
      } else if (step.list) {
        out[step.name] = await sched.list({ userId: user, ...step.list })
      } else if (step.cancel) {
        out[step.name] = await sched.cancel(ids[step.cancel])
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
  rmSync(tmp, { recursive: true, force: true })
}
