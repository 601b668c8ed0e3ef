// Host key-value stores for the tests: a Map (one process) and a JSON file
// guarded by a lock file (several processes). Both follow the contract of
// `KeyValueStore` in index.d.ts.
import { openSync, closeSync, readFileSync, writeFileSync, renameSync, unlinkSync } from 'node:fs'
import { setTimeout as sleep } from 'node:timers/promises'

const conflict = (currentVersion) => Object.assign(new Error('version conflict'), { code: 'CONFLICT', currentVersion })

/** Compare-and-swap on a Map of key → { value, version }. */
function apply(map, op, key, value, expected) {
  const cur = map.get(key)
  const current = cur ? cur.version : null
  if (op === 'put') {
    if (current !== expected) throw conflict(current)
    const version = (current ?? 0) + 1
    map.set(key, { value, version })
    return version
  }
  // delete
  if (!cur || (expected !== null && expected !== current)) return false
  map.delete(key)
  return true
}

const listed = (map, prefix) =>
  [...map.entries()].filter(([k]) => k.startsWith(prefix)).map(([key, v]) => ({ key, ...v }))

/** The reference host store: a Map, with a turn of the event loop per call. */
export class MapKeyValueStore {
  constructor() { this.map = new Map() }
  async get(key) { await sleep(0); const v = this.map.get(key); return v ? { ...v } : null }
  async put(key, value, expected) { await sleep(0); return apply(this.map, 'put', key, value, expected) }
  async delete(key, expected) { await sleep(0); return apply(this.map, 'delete', key, null, expected) }
  async list(prefix) { await sleep(0); return listed(this.map, prefix).reverse() } // any order
}

/**
 * A store in one JSON file shared by several processes: every call takes
 * an exclusive lock file (O_EXCL), reads the file, changes it and renames
 * a temporary copy over it. `namespace` prefixes every key (so processes
 * running the same cases do not meet).
 */
export class JsonFileKeyValueStore {
  constructor(path, namespace = '') { this.path = path; this.ns = namespace }
  async locked(f) {
    const lock = `${this.path}.lock`
    for (;;) {
      try { closeSync(openSync(lock, 'wx')); break } catch (e) {
        if (e.code !== 'EEXIST') throw e
        await sleep(1)
      }
    }
    try {
      let map
      try { map = new Map(Object.entries(JSON.parse(readFileSync(this.path, 'utf8')))) } catch (e) {
        if (e.code !== 'ENOENT') throw e
        map = new Map()
      }
      const before = map.size
      const out = f(map)
      if (out.write ?? map.size !== before) {
        const tmp = `${this.path}.${process.pid}.tmp`
        writeFileSync(tmp, JSON.stringify(Object.fromEntries(map)))
        renameSync(tmp, this.path)
      }
      return out.result
    } finally { unlinkSync(lock) }
  }
  async get(key) { return this.locked((m) => ({ result: m.get(this.ns + key) ?? null, write: false })) }
  async put(key, value, expected) { return this.locked((m) => ({ result: apply(m, 'put', this.ns + key, value, expected), write: true })) }
  async delete(key, expected) { return this.locked((m) => ({ result: apply(m, 'delete', this.ns + key, null, expected), write: true })) }
  async list(prefix) {
    return this.locked((m) => ({
      result: listed(m, this.ns + prefix).map((e) => ({ ...e, key: e.key.slice(this.ns.length) })),
      write: false,
    }))
  }
}
