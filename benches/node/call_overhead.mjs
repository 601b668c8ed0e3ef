// The fixed cost of one call from Node over the Rust API (issue 17): the
// same calls as `cargo bench --bench call_overhead`, timed around `await`.
// 1. `status` of a user with no accounts (memory store);
// 2. a text post to six targets (X, LinkedIn member + 2 organizations,
//    2 Facebook Pages) on the emulator binary, JS wall time minus the
//    core's own `elapsedMs` per publish.
//
//   node benches/node/call_overhead.mjs [status=20000] [publish=45]
// (45 publishes: LinkedIn allows its member 150 posts a day, 3 per publish.)
import { addon, client, connect, startEmulator, STATE_SECRET } from './_common.mjs'

const median = (v) => {
  const s = [...v].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)]
}

const [nStatus = 20000, nPublish = 45] = process.argv.slice(2).map(Number)
const bare = await addon.CreatorSync.create({ stateSecret: STATE_SECRET, store: 'memory' })
const status = []
for (let i = 0; i < nStatus; i++) {
  const t = process.hrtime.bigint()
  const s = await bare.status('nobody')
  status.push(Number(process.hrtime.bigint() - t) / 1e3)
  if (s.length !== 0) throw new Error('status of nobody is not empty')
}
console.log(JSON.stringify({ bench: 'call_overhead', lang: 'node', call: 'status, no accounts', calls: nStatus, median_us: median(status) }))

const emu = await startEmulator()
try {
  const { control, apps, ...endpoints } = emu.info
  const sync = await addon.CreatorSync.create({
    apps, endpoints, stateSecret: STATE_SECRET, store: 'memory',
    quotaLimits: { x: { posts: 4000000000 } },
  })
  for (const p of ['x', 'linkedin', 'facebook']) await connect(sync, 'bench', p)
  const wall = []
  const over = []
  for (let i = 0; i < nPublish; i++) {
    const t = process.hrtime.bigint()
    const report = await sync.publish('bench', { text: `bench text post ${i}` }, { targets: ['x', 'linkedin', 'facebook'] })
    const us = Number(process.hrtime.bigint() - t) / 1e3
    const ok = report.results.filter((r) => r.ok ?? r.success ?? !r.error).length
    if (ok !== 6) throw new Error(`publish ${i}: ${JSON.stringify(report)}`)
    wall.push(us)
    over.push(us - report.elapsedMs * 1e3)
  }
  console.log(JSON.stringify({ bench: 'call_overhead', lang: 'node', call: 'text publish, 6 targets', calls: nPublish, median_us: median(wall), median_binding_us: median(over) }))
} finally {
  await emu.stop()
}
