// OAuth 1.0a HMAC-SHA1 signing called from JS: the addon (`signOAuth1`,
// and the reusable `OAuth1Signer`) vs the npm `oauth-1.0a` package with
// node:crypto HMAC-SHA1 (the peer in shared/bench-peers.md: 58,604/s).
// Every case builds the full Authorization header of X's documented
// status-update request with a fresh nonce and timestamp. Target: the
// addon >= 3x the package despite the JS -> Rust call boundary.
//
// First checks that every signer produces X's documented example
// signature (hCtSmYh+iHYCEqBWrE7C7hYmtUk=) for the fixed nonce and
// timestamp, and that OAuth1Signer's fresh headers verify.
//
//   node benches/node/oauth1.mjs [seconds-per-round=1] [rounds=5]
//
// Prints one JSON line. Cases run round-robin on this one thread, so the
// machine's noise spreads over all of them; medians of the rounds.
import { createHmac } from 'node:crypto'
import { addon, pkgRequire, median, round, environment } from './_common.mjs'

const OAuth = pkgRequire('oauth-1.0a')
const { signOAuth1, OAuth1Signer } = addon

// X's documented example ("Creating a signature").
const EX = {
  consumerKey: 'xvz1evFS4wEEPTGEFPHBog',
  consumerSecret: 'kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw',
  token: '370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb',
  tokenSecret: 'LswwdoUaIvS8ltyTt5jkRh4J50vUPVVHtR2YPi5kE',
  method: 'POST',
  url: 'https://api.twitter.com/1.1/statuses/update.json?include_entities=true',
  form: { status: 'Hello Ladies + Gentlemen, a signed OAuth request!' },
  nonce: 'kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg',
  timestamp: 1318622958,
}
const EXPECTED = 'hCtSmYh+iHYCEqBWrE7C7hYmtUk='
Object.freeze(EX.form)

const hmacSha1 = (base, key) => createHmac('sha1', key).update(base).digest('base64')
const pkg = OAuth({
  consumer: { key: EX.consumerKey, secret: EX.consumerSecret },
  signature_method: 'HMAC-SHA1',
  hash_function: hmacSha1,
})
const pkgToken = { key: EX.token, secret: EX.tokenSecret }
// oauth-1.0a merges the URL's query into `request.data` (it mutates it):
// the package gets its own copy of the form.
const pkgRequest = { url: EX.url, method: EX.method, data: { ...EX.form } }

/** The oauth_* parameters of an Authorization header, decoded. */
function params(header) {
  if (!header.startsWith('OAuth ')) throw new Error(`not an OAuth header: ${header.slice(0, 20)}`)
  const out = {}
  for (const m of header.slice(6).matchAll(/([a-z_]+)="([^"]*)"/g)) out[m[1]] = decodeURIComponent(m[2])
  return out
}

function check() {
  // The package, with the documented nonce and timestamp.
  const fixed = OAuth({
    consumer: { key: EX.consumerKey, secret: EX.consumerSecret },
    signature_method: 'HMAC-SHA1',
    hash_function: hmacSha1,
  })
  fixed.getNonce = () => EX.nonce
  fixed.getTimeStamp = () => EX.timestamp
  const pkgSig = params(fixed.toHeader(fixed.authorize(pkgRequest, pkgToken)).Authorization).oauth_signature
  // The addon's one-shot function.
  const addonSig = params(signOAuth1(EX)).oauth_signature
  // The reusable signer takes no fixed nonce: verify a fresh header by
  // re-signing its own nonce and timestamp with the package.
  const signer = new OAuth1Signer(EX.consumerKey, EX.consumerSecret, EX.token, EX.tokenSecret)
  const p = params(signer.authorization(EX.method, EX.url, EX.form))
  const again = OAuth({
    consumer: { key: EX.consumerKey, secret: EX.consumerSecret },
    signature_method: 'HMAC-SHA1',
    hash_function: hmacSha1,
  })
  again.getNonce = () => p.oauth_nonce
  again.getTimeStamp = () => Number(p.oauth_timestamp)
  const expectSigner = again.authorize(pkgRequest, pkgToken)
  const keys = Object.keys(p).sort().join(',')
  const ok = {
    'oauth-1.0a': pkgSig === EXPECTED,
    signOAuth1: addonSig === EXPECTED,
    OAuth1Signer: p.oauth_signature === expectSigner.oauth_signature && p.oauth_token === EX.token &&
      keys === 'oauth_consumer_key,oauth_nonce,oauth_signature,oauth_signature_method,oauth_timestamp,oauth_token,oauth_version',
  }
  // Fresh nonces really are fresh.
  const n1 = params(signOAuth1({ ...EX, nonce: undefined, timestamp: undefined })).oauth_nonce
  const n2 = params(signOAuth1({ ...EX, nonce: undefined, timestamp: undefined })).oauth_nonce
  ok.freshNonce = n1 !== n2 && n1.length >= 16
  return ok
}

const fresh = { ...EX, nonce: undefined, timestamp: undefined }
delete fresh.nonce
delete fresh.timestamp
const signer = new OAuth1Signer(EX.consumerKey, EX.consumerSecret, EX.token, EX.tokenSecret)
const readyBase = 'POST&https%3A%2F%2Fapi.twitter.com%2F1.1%2Fstatuses%2Fupdate.json&include_entities%3Dtrue%26oauth_consumer_key%3Dxvz1evFS4wEEPTGEFPHBog%26oauth_nonce%3DkYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg%26oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D1318622958%26oauth_token%3D370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb%26oauth_version%3D1.0%26status%3DHello%2520Ladies%2520%252B%2520Gentlemen%252C%2520a%2520signed%2520OAuth%2520request%2521'
const readyKey = `${EX.consumerSecret}&${EX.tokenSecret}`

const cases = {
  'oauth-1.0a': () => pkg.toHeader(pkg.authorize(pkgRequest, pkgToken)).Authorization,
  signOAuth1: () => signOAuth1(fresh),
  OAuth1Signer: () => signer.authorization(EX.method, EX.url, EX.form),
  // Floor: HMAC-SHA1 + base64 of a ready base string (no header at all).
  'floor-node-crypto-hmac': () => hmacSha1(readyBase, readyKey),
}

let sink = 0
/** Calls `f` for about `seconds`; returns calls per second. */
function rate(f, seconds) {
  const end = process.hrtime.bigint() + BigInt(Math.round(seconds * 1e9))
  const start = process.hrtime.bigint()
  let n = 0
  let now
  do {
    for (let i = 0; i < 500; i++) sink += f().length
    n += 500
    now = process.hrtime.bigint()
  } while (now < end)
  return n / (Number(now - start) / 1e9)
}

const seconds = Number(process.argv[2] ?? 1)
const rounds = Number(process.argv[3] ?? 5)
const verified = check()
if (!Object.values(verified).every(Boolean)) {
  console.log(JSON.stringify({ bench: 'node-oauth1', error: 'signature check failed', verified }))
  process.exit(1)
}
for (const f of Object.values(cases)) rate(f, 0.3) // warm up the JIT
const rates = Object.fromEntries(Object.keys(cases).map((k) => [k, []]))
for (let r = 0; r < rounds; r++) {
  for (const [k, f] of Object.entries(cases)) rates[k].push(rate(f, seconds))
}
const summary = Object.fromEntries(Object.entries(rates).map(([k, v]) => [k, {
  per_s_median: Math.round(median(v)),
  per_s_min: Math.round(Math.min(...v)),
  per_s_max: Math.round(Math.max(...v)),
}]))
const base = summary['oauth-1.0a'].per_s_median
console.log(JSON.stringify({
  bench: 'node-oauth1',
  ...environment(),
  request: 'X status update example, full Authorization header, fresh nonce',
  rounds,
  seconds_per_round: seconds,
  verified,
  results: summary,
  ratio_signOAuth1_vs_package: round(summary.signOAuth1.per_s_median / base, 2),
  ratio_OAuth1Signer_vs_package: round(summary.OAuth1Signer.per_s_median / base, 2),
  target_ratio: 3,
  target_met: summary.signOAuth1.per_s_median / base >= 3 || summary.OAuth1Signer.per_s_median / base >= 3,
  peer_oauth_1_0a_per_s: 58604,
  sink: sink > 0,
}))
