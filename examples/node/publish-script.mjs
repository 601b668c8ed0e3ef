// A script: connect every platform on the emulator, then publish a video to
// all of them, printing progress. The Node twin of
// examples/python/publish_script.py; it needs only the `creatorsync` package.
//
//   creatorsync-emulator > /tmp/emu.json &
//   node publish-script.mjs "$(head -1 /tmp/emu.json)" clip.mp4
import { CreatorSync } from 'creatorsync'

const PLATFORMS = ['x', 'linkedin', 'facebook', 'instagram', 'youtube', 'tiktok']

/** Plays the user's browser: opens the authorize URL (the emulator consents at once) and returns where it redirects. */
async function authorize(url) {
  const res = await fetch(url, { redirect: 'manual' })
  const location = res.headers.get('location')
  if (res.status < 300 || res.status >= 400 || !location) throw new Error(`the authorize page did not redirect (${res.status})`)
  return location
}

/** Prints upload progress. */
function onProgress(event) {
  if (event.event === 'uploading') console.error(`  ${event.platform}: ${event.sent}/${event.total} bytes`)
  else if (event.event === 'published' || event.event === 'failed') console.error(`  ${event.platform}: ${event.event} ${event.url ?? event.message}`)
}

async function main([line, video]) {
  if (!line || !video) throw new Error('usage: publish-script.mjs <emulator JSON line> <video file>')
  const { apps, control, ...endpoints } = JSON.parse(line)
  const sync = await CreatorSync.create({ apps, endpoints, stateSecret: 'script-secret-' + '0'.repeat(32), store: 'memory' })
  for (const platform of PLATFORMS) {
    const req = await sync.connectBegin('me', platform, `http://127.0.0.1:9/callback/${platform}`)
    const accounts = await sync.connectCompleteFromUrl('me', platform, await authorize(req.url))
    console.log(`${platform}: connected ${JSON.stringify(accounts.map((a) => a.key.accountId))}`)
  }
  const post = {
    text: 'Hello from a script',
    media: [{ path: video }],
    options: {
      youtube: { title: 'Hello', privacy: 'unlisted' },
      tiktok: { privacyLevel: 'SELF_ONLY', disableDuet: true, disableStitch: true },
    },
  }
  const report = await sync.publish('me', post, { onProgress })
  console.log(JSON.stringify(report.legacy, null, 2))
  return report.allOk ? 0 : 1
}

process.exitCode = await main(process.argv.slice(2))
