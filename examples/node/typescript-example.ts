// CreatorSync from TypeScript, checked with `tsc --strict`: connect an
// account, publish with typed progress, branch on error codes (a used-up
// quota included), read the quotas, and keep everything the SDK stores in
// your own database through the KeyValueStore interface.
//
//   npx tsc -p tsconfig.json   (type-check; compile with your own build)
import { readFile } from 'node:fs/promises'
import {
  CreatorSync,
  CreatorSyncError,
  type KeyValueStore,
  type Platform,
  type ProgressEvent,
  type PublishReport,
  type QuotaUsage,
} from 'creatorsync'

type Entry = { value: string; version: number }

/**
 * A KeyValueStore over any document database; here a Map, with
 * compare-and-swap versions. Values are opaque text the SDK builds (secrets
 * sealed with `storeKeys` / CREATORSYNC_KEY).
 */
class DocumentStore implements KeyValueStore {
  private readonly docs = new Map<string, Entry>()

  async get(key: string): Promise<Entry | null> {
    return this.docs.get(key) ?? null
  }

  async put(key: string, value: string, expectedVersion: number | null): Promise<number> {
    const current = this.docs.get(key)?.version ?? null
    if (current !== expectedVersion) {
      // The documented conflict shape.
      throw Object.assign(new Error('version conflict'), { code: 'CONFLICT', currentVersion: current })
    }
    const version = (current ?? 0) + 1
    this.docs.set(key, { value, version })
    return version
  }

  async delete(key: string, expectedVersion: number | null): Promise<boolean> {
    const current = this.docs.get(key)
    if (!current || (expectedVersion !== null && expectedVersion !== current.version)) return false
    return this.docs.delete(key)
  }

  async list(prefix: string): Promise<Array<{ key: string } & Entry>> {
    return [...this.docs].filter(([k]) => k.startsWith(prefix)).map(([key, e]) => ({ key, ...e }))
  }
}

/** Quotas with no slot left, and when each frees. */
export function exhausted(quotas: QuotaUsage[]): string[] {
  return quotas.filter((q) => q.remaining === 0).map((q) => `${q.platform} ${q.bucket}: free again at ${q.resetsAt ?? '?'}`)
}

function describe(event: ProgressEvent): string {
  switch (event.event) {
    case 'validated':
      return `publishing to ${event.targets} accounts`
    case 'uploading':
      return `${event.platform}: ${Math.round((100 * event.sent) / event.total)} %`
    case 'processing':
      return `${event.platform}: ${event.state}`
    case 'published':
      return `${event.platform}: ${event.url}`
    case 'failed':
      return `${event.platform}: ${event.code} ${event.message}`
  }
}

/** Publishes a video everywhere; returns the URLs by platform. */
export async function launch(sync: CreatorSync, userId: string, videoPath: string): Promise<Partial<Record<Platform, string>>> {
  const controller = new AbortController()
  const timer = setTimeout(() => controller.abort(), 10 * 60 * 1000)
  let report: PublishReport
  try {
    report = await sync.publish(
      userId,
      {
        text: 'Launch day 🚀',
        media: [{ path: videoPath, altText: 'A product demo' }],
        options: {
          youtube: { title: 'Launch day', privacy: 'unlisted' },
          tiktok: { privacyLevel: 'SELF_ONLY' },
        },
      },
      {
        idempotencyKey: `launch-${userId}`,
        onProgress: (e) => console.log(describe(e)),
        signal: controller.signal,
      },
    )
  } catch (err) {
    if (err instanceof CreatorSyncError && err.code === 'INVALID_POST') {
      for (const v of err.violations ?? []) console.error(`${v.platform ?? '*'} ${v.field}: ${v.message}`)
    }
    throw err
  } finally {
    clearTimeout(timer)
  }
  const urls: Partial<Record<Platform, string>> = {}
  for (const r of report.results) {
    if (r.ok && r.url !== null) {
      urls[r.platform] = r.url
    } else if (r.error?.code === 'QUOTA_EXHAUSTED') {
      console.warn(`${r.platform}: quota used up; nothing was uploaded; retry in ${r.error.retryAfter ?? '?'} s`)
    } else if (r.error?.code === 'RATE_LIMITED') {
      console.warn(`${r.platform}: retry in ${r.error.retryAfter ?? '?'} s with the same idempotency key`)
    } else if (r.error?.code === 'REAUTH_REQUIRED') {
      console.warn(`${r.platform}: ask the user to reconnect`)
    }
  }
  return urls
}

async function main(): Promise<void> {
  // The emulator's JSON line (`creatorsync-emulator | head -1 > emu.json`).
  const line = JSON.parse(await readFile(process.argv[2] ?? 'emu.json', 'utf8')) as Record<string, unknown>
  const sync = await CreatorSync.create({
    apps: 'emulator',
    endpoints: line,
    stateSecret: process.env.CREATORSYNC_STATE_SECRET ?? 'a-local-state-secret-of-32-characters',
    store: new DocumentStore(),
    storeKeys: { key: process.env.CREATORSYNC_KEY ?? '' },
  })
  const { url } = await sync.connectBegin('user-1', 'youtube', 'http://127.0.0.1:3000/oauth/callback/youtube')
  console.log(`open ${url}, then pass the callback URL to connectCompleteFromUrl`)
  const status = await sync.status('user-1')
  console.log(`${status.length} accounts connected`)
  for (const line of exhausted(await sync.quota('user-1'))) console.log(line)
}

if (process.argv[1]?.endsWith('typescript-example.js')) {
  main().catch((err: unknown) => {
    if (err instanceof CreatorSyncError && err.code === 'QUOTA_EXHAUSTED') {
      console.error(`${err.bucket ?? '?'} quota (${err.limit ?? '?'}) used up until ${err.resetsAt ?? '?'}`)
    }
    console.error(err instanceof CreatorSyncError ? `${err.code}: ${err.message}` : err)
    process.exitCode = 1
  })
}
