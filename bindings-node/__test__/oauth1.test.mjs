// OAuth 1.0a signing from JS: X's documented example, and the reusable
// signer producing valid, fresh headers.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { signOAuth1, OAuth1Signer } from '../index.mjs'

// https://developer.x.com/en/docs/authentication/oauth-1-0a/creating-a-signature
const EXAMPLE = {
  consumerKey: 'xvz1evFS4wEEPTGEFPHBog', consumerSecret: 'kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw',
  token: '370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb', tokenSecret: 'LswwdoUaIvS8ltyTt5jkRh4J50vUPVVHtR2YPi5kE',
  method: 'POST', url: 'https://api.twitter.com/1.1/statuses/update.json?include_entities=true',
  form: { status: 'Hello Ladies + Gentlemen, a signed OAuth request!' },
}

test('signOAuth1 reproduces X documented example', () => {
  const h = signOAuth1({ ...EXAMPLE, nonce: 'kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg', timestamp: 1318622958 })
  assert.ok(h.startsWith('OAuth '))
  assert.ok(h.includes('oauth_signature="hCtSmYh%2BiHYCEqBWrE7C7hYmtUk%3D"'), h)
})

test('OAuth1Signer signs with a fresh nonce each time', () => {
  const s = new OAuth1Signer(EXAMPLE.consumerKey, EXAMPLE.consumerSecret, EXAMPLE.token, EXAMPLE.tokenSecret)
  const a = s.authorization('POST', EXAMPLE.url, EXAMPLE.form)
  const b = s.authorization('POST', EXAMPLE.url, EXAMPLE.form)
  const nonce = (h) => /oauth_nonce="([^"]+)"/.exec(h)[1]
  assert.notEqual(nonce(a), nonce(b))
  assert.ok(/oauth_signature="[^"]+"/.test(a))
})

test('a malformed URL is INVALID_INPUT', () => {
  assert.throws(() => signOAuth1({ ...EXAMPLE, url: 'not a url' }), (e) => e.code === 'INVALID_INPUT')
})
