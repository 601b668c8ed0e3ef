/* Hand-written types shared by the generated declarations below. */
export type Platform = 'x' | 'linkedin' | 'facebook' | 'instagram' | 'youtube' | 'tiktok'
export type ErrorCode =
  | 'NOT_CONNECTED' | 'REAUTH_REQUIRED' | 'RATE_LIMITED' | 'INVALID_POST' | 'INVALID_INPUT'
  | 'INVALID_MEDIA' | 'MEDIA_REJECTED' | 'DUPLICATE' | 'PLATFORM_ERROR' | 'AUTHORIZATION_DENIED'
  | 'INVALID_STATE' | 'TRANSPORT_ERROR' | 'CONFLICT' | 'STORE_ERROR' | 'KEY_ERROR'
  | 'CONFIG_ERROR' | 'TIMEOUT' | 'CANCELLED' | 'IN_PROGRESS' | 'CREATED_UNFINISHED'
  | 'OUTCOME_UNKNOWN' | 'UNEXPECTED_RESPONSE' | 'UNSUPPORTED' | 'QUOTA_EXHAUSTED' | 'MISSING_SCOPE'
export interface Violation { platform: Platform | null; field: string; code: string; message: string }
/** Every error CreatorSync rejects with. Branch on `code`, never on `message`. */
export declare class CreatorSyncError extends Error {
  code: ErrorCode
  platform?: Platform
  status?: number
  retryable: boolean
  maybeCommitted: boolean
  /** RATE_LIMITED, IN_PROGRESS, QUOTA_EXHAUSTED: seconds to wait. */
  retryAfter?: number | null
  /** RATE_LIMITED: when the limit resets (RFC 3339), when the platform said. */
  resetAt?: string | null
  /** QUOTA_EXHAUSTED: when a slot frees again (RFC 3339; an upper bound for a window the platform does not report). */
  resetsAt?: string
  /** QUOTA_EXHAUSTED: the quota's name (`posts`, `uploads`, `video_init`...). */
  bucket?: string
  /** QUOTA_EXHAUSTED: how many the window allows, when documented. */
  limit?: number | null
  /** CREATED_UNFINISHED: the id of what the platform created (publish again with the same key to finish). */
  postId?: string
  /** CREATED_UNFINISHED, OUTCOME_UNKNOWN: the failure after the create (`code`, `message`, ...). */
  cause?: ErrorInfo
  /** INVALID_POST: every violation. */
  violations?: Violation[]
  /** PLATFORM_ERROR / MEDIA_REJECTED: the platform's own code (UNEXPECTED_RESPONSE: `unexpected_response`, UNSUPPORTED: `unsupported`). */
  platformCode?: string | null
  /** CONFLICT: the stored version. */
  currentVersion?: number | null
  [extra: string]: unknown
}
export interface ErrorInfo { code: ErrorCode; message: string; platform?: Platform; status?: number; retryAfter?: number | null; violations?: Violation[]; platformCode?: string | null; [extra: string]: unknown }
export interface AccountKey { userId: string; platform: Platform; accountId: string }
export interface Profile { platformUserId: string; handle: string | null; displayName: string | null; kind: string | null }
export interface Account { key: AccountKey; profile: Profile; expiresAt: string | null; needsReauth: boolean }
export interface AccountStatus { account: Account; connected: boolean; expiresAt: string | null; needsReauth: boolean; missingScopes: string[]; canRefresh: boolean }
export interface AccountHealth { key: AccountKey; healthy: boolean; error: ErrorView | null }
/** An error inside a view (health, report). */
export interface ErrorView { code: ErrorCode; message: string; platform: Platform | null; status: number | null; retryable: boolean; retryAfter: number | null; resetsAt: string | null; bucket: string | null; limit: number | null; postId: string | null; cause: ErrorView | null }
export interface AuthorizationRequest { url: string; state: string }
/** A published post whose metrics to read; a publish report's `results` items fit as they are. */
export interface PostRef { platform: Platform | string; postId: string; accountId?: string | null }
/** One post's metrics at one moment: a count the platform does not report is `null`, never 0. */
export interface PostMetrics {
  platform: Platform; accountId: string; postId: string
  views: number | null; reach: number | null; likes: number | null; comments: number | null
  shares: number | null; saves: number | null; clicks: number | null; watchTimeSecs: number | null
  /** RFC 3339. */
  fetchedAt: string
  /** The platform's own answer for the post. */
  raw: Record<string, unknown>
}
/** One post's outcome of `metrics`. */
export interface MetricsResult { platform: Platform; accountId: string | null; postId: string; ok: boolean; metrics: PostMetrics | null; error: ErrorView | null }
/**
 * A host key-value store (a MongoDB collection, Redis, a host ORM...): the one contract from which
 * the core builds tokens, pending connects, the publish log, upload sessions and the quota ledger. Values are opaque
 * text the core builds (secrets already sealed). `put` resolves the new version (1 on insert,
 * `expectedVersion + 1` on replace) or rejects with `{ code: 'CONFLICT', currentVersion }`
 * (`currentVersion` null when the key is missing); `delete` removes the key (only at
 * `expectedVersion` when given) and resolves whether it did; `list` resolves every entry whose key
 * starts with `prefix`, in any order. Check one with `testing.checkKeyValueStore`.
 */
export interface KeyValueStore {
  get(key: string): Promise<{ value: string; version: number } | null | undefined>
  put(key: string, value: string, expectedVersion: number | null): Promise<number>
  delete(key: string, expectedVersion: number | null): Promise<boolean>
  list(prefix: string): Promise<Array<{ key: string; value: string; version: number }>>
}
export interface AppCredentials {
  clientId: string; clientSecret?: string; consumerKey?: string; consumerSecret?: string
  /** What connecting asks permission for (default `['publish', 'organizations']`); add `'analytics'` to read post metrics, `'manage'` to edit and delete YouTube videos. */
  uses?: Array<'publish' | 'organizations' | 'analytics' | 'manage'>
}
/** Apps by platform; `instagramLogin` (the Instagram app) makes Instagram connect with Instagram Login instead of Facebook Login. */
export type Apps = Partial<Record<Platform, AppCredentials>> & { instagramLogin?: AppCredentials }
export interface Endpoints { auth: string; token: string; api: string; upload: string }
/** One key of a rotation ring: base64 of 32 bytes under its id. */
export interface NamedKey { id: string; key: string }
/** Media without a public URL (bytes, files) goes here for platforms that pull media from a URL (Instagram images, TikTok photos). */
export type MediaHostOptions =
  | { dir: string; publicBaseUrl: string; prefix?: string }
  | { url: string; options?: Record<string, string>; expiresInSecs?: number }
/** The options of the core's contract (`docs/contract.schema.json`, `ClientOptions`). An unknown key rejects with INVALID_INPUT. */
export interface CreatorSyncOptions {
  apps?: Apps | 'emulator'
  /** The emulator's JSON line can be passed as it is (its `control` and `apps` keys are ignored); any other unknown key is an error. */
  endpoints?: Partial<Record<Platform | 'instagramLogin', Endpoints>> & { control?: unknown; apps?: unknown }
  /** At least 32 characters; the same on every worker that receives callbacks. */
  stateSecret: string
  /** `'sqlite'` (the default: `creatorsync.db`, key `CREATORSYNC_KEY`), `'memory'`, or a host key-value store object. */
  store?: 'memory' | 'sqlite' | KeyValueStore
  /** With a store object: the keys sealing the secrets it keeps (default `CREATORSYNC_KEY`). `key`: base64 of 32 bytes, or `keys` for rotation (first is active). */
  storeKeys?: { key?: string; keyId?: string; keys?: NamedKey[] }
  /** Limit on each call of a `store` object, in milliseconds (default 30 000); a call over it fails with `STORE_ERROR`. */
  storeTimeoutMs?: number
  /** Encrypted SQLite file (tokens + publish log). `key`: base64 of 32 bytes (default `CREATORSYNC_KEY`), or `keys` for rotation (first is active). */
  sqlite?: { path: string; key?: string; keyId?: string; keys?: NamedKey[] }
  /** Encrypted tokens + publish log in PostgreSQL, for several workers or machines. */
  postgres?: { url: string; key?: string; keyId?: string; keys?: NamedKey[]; maxConnections?: number; acquireTimeoutMs?: number }
  /** Targets in flight per publish (default 8) and across publishes (default 256). */
  concurrency?: { perPublish?: number; global?: number }
  /** Publish-log lease, in milliseconds (default 30 000). */
  leaseTtlMs?: number
  mediaHost?: MediaHostOptions
  /** Pinned API versions, e.g. `{ linkedin: '202607' }`. */
  apiVersions?: Partial<Record<Platform, string>>
  /** Caps counted for the platforms' quotas (`{ youtube: { uploads: 500 } }`; names in docs/quotas.md). */
  quotaLimits?: Partial<Record<Platform, Record<string, number>>>
  /** Where scheduled posts' jobs live (default: beside the store, required with `store: 'memory'` or a store object) and how workers poll. */
  scheduler?: SchedulerOptions
}
/** One media item: exactly one of `path`, `buffer` or `url`. */
export interface MediaInput {
  /** A local file, read in chunks (never loaded whole). */
  path?: string
  /** Bytes in memory. */
  buffer?: Buffer | Uint8Array
  /** An http(s) URL, streamed; private and loopback addresses are refused unless `allowLoopback`. */
  url?: string
  /** A file name for type detection (buffers). */
  name?: string
  /** MIME type, when it cannot be sniffed. */
  mime?: string
  altText?: string
  allowLoopback?: boolean
}
/** What to publish. */
export interface PostInput {
  text?: string
  /** Text replacing `text` on the platforms it names (`{ x: 'short' }`). */
  texts?: Partial<Record<Platform, string>>
  media?: MediaInput[]
  options?: PlatformOptions
  /** The thread's parts after the first, in order (X: each a reply to the previous; see docs/threads.md). */
  thread?: ThreadPartInput[]
  /** A comment created right after the post (X: a reply to it). */
  firstComment?: string
  /** What a platform without threads does with `thread`: `'refuse'` (default, validation refuses it) or `'comments'`. */
  threadMode?: 'refuse' | 'comments'
  /** Publish each platform's closest meaning of a draft (Facebook unpublished, YouTube private, TikTok inbox); X, LinkedIn and Instagram refuse it. */
  draft?: boolean
  /** A link to share with its card; only `url` is required (the card is then read from the page's Open Graph tags). See docs/post-content.md. */
  link?: LinkInput
  /** People the text mentions as `@{key}`, by key (keys kept as written). */
  mentions?: Record<string, MentionInput>
  /** Write a mention as its plain name on a platform it has no id for, instead of refusing the post there. */
  mentionFallback?: boolean
}
/** A link to share: LinkedIn article card, Facebook link, appended to the text on X and YouTube. */
export interface LinkInput {
  url: string
  title?: string
  description?: string
  /** The card's image URL (LinkedIn uploads it as the thumbnail). */
  thumbnail?: string
  allowLoopback?: boolean
}
/** Someone the text mentions: the plain name, and who they are per platform (handle without `@`, or LinkedIn URN). */
export interface MentionInput {
  name: string
  ids?: Partial<Record<Platform, string>>
}
/** One part of a thread after the first. */
export interface ThreadPartInput { text?: string }
/** The old backend's body, mapped by the core (`contract/legacy.rs`); unknown fields are an error. */
export interface LegacyPostBody { caption?: string; hashtags?: string[]; mediaUrl?: string; mediaType?: 'image' | 'video'; title?: string; privacyStatus?: 'public' | 'unlisted' | 'private' }
export type TargetInput = Platform | `${Platform}:${string}` | [Platform, string] | { platform: Platform; accountId?: string }
export interface PlatformOptions {
  x?: { replyTo?: string; quote?: string }
  linkedin?: { visibility?: 'PUBLIC' | 'CONNECTIONS' | 'LOGGED_IN'; videoTitle?: string; apiVersion?: string }
  facebook?: { link?: string; videoTitle?: string; apiVersion?: string; /** Publish the one video as a Page Reel (3–90 s, 30 per Page per 24 h). */ reel?: boolean; /** RFC 3339, 10 min to 30 days ahead: Facebook publishes the text/link/photo post then. */ scheduledPublishTime?: string }
  /** Image alt text comes from the media's `altText`; `trialGraduation` publishes a reel as a trial reel (reels only). */
  instagram?: { kind?: 'auto' | 'feed' | 'reel' | 'carousel' | 'story'; shareToFeed?: boolean; thumbOffsetMs?: number; trialGraduation?: 'manual' | 'ss_performance' }
  youtube?: { title?: string; privacy?: 'private' | 'unlisted' | 'public'; tags?: string[]; categoryId?: string; madeForKids?: boolean; publishAt?: string; notifySubscribers?: boolean }
  tiktok?: { privacyLevel?: 'PUBLIC_TO_EVERYONE' | 'MUTUAL_FOLLOW_FRIENDS' | 'FOLLOWER_OF_CREATOR' | 'SELF_ONLY'; disableComment?: boolean; disableDuet?: boolean; disableStitch?: boolean; brandContentToggle?: boolean; brandOrganicToggle?: boolean; isAigc?: boolean; videoCoverTimestampMs?: number; photoTitle?: string }
}
export type ProgressEvent =
  | { event: 'validated'; targets: number }
  | { event: 'uploading'; platform: Platform; account: string; sent: number; total: number }
  | { event: 'processing'; platform: Platform; account: string; state: string }
  | { event: 'published'; platform: Platform; account: string; postId: string; url: string }
  | { event: 'failed'; platform: Platform; account: string; code: ErrorCode; message: string }
export interface TargetResult { platform: Platform; accountId: string; ok: boolean; postId: string | null; url: string | null; error: ErrorView | null; reused: boolean; elapsedMs: number; /** Set when the platform publishes it later (native scheduling), RFC 3339, or null when live now. */ scheduledFor: string | null; /** The thread's parts after the first, as far as they were tried. */ parts: FollowUpResult[]; /** The first comment, when the post has one and it was tried. */ comment: FollowUpResult | null; /** What a draft became on the platform, or null when published live. */ draft: DraftKind | null }
/** One follow-up of a post (a thread part or the first comment); on error, publish again with the same key to go on. */
export interface FollowUpResult { ok: boolean; postId: string | null; url: string | null; error: ErrorView | null }
/** What a draft is on one platform: a Facebook unpublished post, a private YouTube video, a TikTok inbox upload. */
export type DraftKind = 'unpublished' | 'private' | 'inbox'
export interface LegacyResult { success: boolean; postId: string | null; url: string | null; message: string }
/** One quota of one account (or of the app), from the ledger every worker shares. */
export interface QuotaUsage {
  platform: Platform
  /** The quota's name (`posts`, `uploads`, `reels`, `video_init`...). */
  bucket: string
  /** What it is counted per. */
  scope: 'account' | 'user' | 'app'
  /** The account it is counted for (null for a quota shared by the user's accounts or the app). */
  accountId: string | null
  /** The window (`rolling 24h`, `day America/Los_Angeles`...). */
  window: string
  used: number
  limit: number | null
  /** Slots left (0 while the platform reported the quota used up). */
  remaining: number | null
  /** When the next slot frees (RFC 3339; null while nothing is used). */
  resetsAt: string | null
}
/** What a TikTok creator may choose when posting (TikTok's creator info), for the posting screen. */
export interface ComposeConstraints {
  creatorUsername: string
  creatorNickname: string
  creatorAvatarUrl: string | null
  /** Offer exactly these, none preselected. */
  privacyLevelOptions: Array<'PUBLIC_TO_EVERYONE' | 'MUTUAL_FOLLOW_FRIENDS' | 'FOLLOWER_OF_CREATOR' | 'SELF_ONLY'>
  maxVideoPostDurationSec: number | null
  commentDisabled: boolean
  duetDisabled: boolean
  stitchDisabled: boolean
}
/** `publish(..., { fit })`: `'pad'` or `'crop'` fixes media a target would refuse instead of rejecting. */
export type FitMode = 'off' | 'pad' | 'crop'
/** Where a top-level MP4 box lies. */
export interface BoxPosition { offset: number; size: number }
/** What `probe(media)` found (the contract's `ProbeView`); fields a format does not have are `null`. */
export interface ProbeView {
  format: string
  mime: string
  bytes: number
  width: number | null
  height: number | null
  aspectRatio: number | null
  rotation: number
  durationSecs: number | null
  frameRate: number | null
  videoCodec: string | null
  audioCodec: string | null
  bitrate: number | null
  /** Whether `moov` comes before the media data (MP4/MOV only). */
  faststart: boolean | null
  moov: BoxPosition | null
  mdat: BoxPosition | null
  frames: number | null
}
export interface PublishReport { idempotencyKey: string; allOk: boolean; results: TargetResult[]; legacy: Record<string, LegacyResult>; elapsedMs: number }
/** The client option `scheduler`. `jobs`: a SQLite file (one machine) or a PostgreSQL URL (any number of worker processes). */
export interface SchedulerOptions {
  jobs?: { sqlite: string } | { postgres: string }
  /** How often a worker looks for due jobs, in milliseconds (default 200). */
  pollMs?: number
  /** How often a worker sends a heartbeat, in milliseconds (default 5000). */
  heartbeatMs?: number
  /** Jobs a worker runs at once (default 32). */
  concurrency?: number
}
/** When to publish: an RFC 3339 instant or a `Date`, or a wall-clock time in an IANA zone (`{ local: '2026-12-24T09:00', zone: 'Europe/Berlin' }`, DST-correct). */
export type ScheduleAt = string | Date | { local: string; zone: string }
export interface ScheduleOptions {
  /** As `publish` takes them (default: every connected account, as connected when scheduling). */
  targets?: TargetInput[]
  /** Scheduling again with the same key resolves the first schedule's id and schedules nothing. */
  idempotencyKey?: string
  /** Schedule for the targets the post is valid for and leave the others out, instead of rejecting. */
  validTargetsOnly?: boolean
  /** Platforms that schedule the post themselves (`youtube`, `facebook`): uploaded early, live at the time. */
  native?: Platform[]
}
/** One post of `scheduleMany`. */
export interface BulkItem { userId: string; post: PostInput | LegacyPostBody; at: ScheduleAt; targets?: TargetInput[]; idempotencyKey?: string; native?: Platform[] }
export type BulkMode = 'all_or_nothing' | 'valid_only'
/** One item's outcome: `id` when scheduled, `error` when it failed its checks (neither: it passed but another item failed an all-or-nothing call). */
export interface BulkItemResult { index: number; id: string | null; error: ErrorView | null }
export interface BulkReport { scheduled: number; items: BulkItemResult[] }
export type ScheduleState = 'scheduled' | 'running' | 'published' | 'failed' | 'outcome_unknown' | 'cancelled'
/** One target's result: a publish report's target plus `mode`. */
export interface ScheduledTarget extends TargetResult { mode: 'at_time' | 'native' }
export interface ScheduledPost {
  id: string
  userId: string
  state: ScheduleState
  /** RFC 3339, UTC. */
  dueAt: string
  /** The IANA zone and the local time asked for, when scheduled by local time. */
  zone: string | null
  localTime: string | null
  text: string
  attempts: number
  results: ScheduledTarget[]
  error: ErrorView | null
  createdAt: string
  startedAt: string | null
  finishedAt: string | null
}
/** Give `next` as `after` for the next page (null on the last). */
export interface ScheduledPage { items: ScheduledPost[]; next: string | null }
/** Which scheduled posts to list (`dueFrom`/`dueTo` RFC 3339, `limit` 1 to 500). */
export interface ScheduleQuery { userId?: string; state?: ScheduleState; dueFrom?: string; dueTo?: string; limit?: number; after?: string }
export interface SchedulerHealth { workersAlive: number; due: number; running: number; late: number; oldestLatenessMs: number; upcoming: number }

/**
 * Which binding artifact the generated loader actually loaded: `'native'` for
 * a native addon, otherwise the `platformArchABI` of the WASI flavor. Every
 * flavor napi-rs can build is listed, because `NAPI_RS_NATIVE_LIBRARY_PATH`
 * can point the loader at a WASI artifact this package does not build itself.
 */
export declare const __napiBindingTarget: 'native' | 'wasm32-wasi' | 'wasm32-wasip1'

/** Connects creators' accounts and publishes to all of them at once. */
export declare class CreatorSync {
  /**
   * The account's profile (handle, name, kind), cached for 24 h; read
   * from the platform, or the profile stored at connect time when the
   * platform cannot be reached. Rejects with `NOT_CONNECTED` for an
   * unknown account and `REAUTH_REQUIRED` when the platform refuses it.
   */
  profile(userId: string, platform: Platform, accountId: string): Promise<Profile>
  /**
   * What a TikTok account may choose when composing a post (TikTok's
   * creator info: privacy levels, longest video, the interactions the
   * creator turned off), for the host app's posting screen. Rejects
   * with `NOT_CONNECTED` for an unknown account.
   */
  composeConstraints(userId: string, accountId: string): Promise<ComposeConstraints>
  /**
   * Every quota of every account the user connected (and the app-wide
   * quotas of their platforms): used, limit, remaining and when the
   * next slot frees, from the ledger every worker on the store shares.
   */
  quota(userId: string): Promise<QuotaUsage[]>
  /**
   * Re-seals every secret of the store under a new active key `newId`
   * (32 bytes: a Buffer or base64 text); the old keys stay readable
   * meanwhile. Resolves how many records were re-sealed. Rejects with
   * `CONFIG_ERROR` for a store that seals nothing (`'memory'`),
   * `INVALID_INPUT` for a bad key.
   */
  rotateKey(newId: string, newKey: Buffer | Uint8Array | string): Promise<number>
  /**
   * Builds a client from the options of the core's contract (see
   * `docs/bindings.md`): `apps` (per platform, or `'emulator'`),
   * `endpoints` (default: production), `stateSecret` (≥ 32 chars, the
   * same on every worker), `store` (`'memory'`, `'sqlite'` — the
   * default, `creatorsync.db` with `CREATORSYNC_KEY` — or a key-value
   * store object with async get/put/delete/list), `storeKeys` (sealing
   * a store object's secrets), `sqlite: { path, key | keys }`,
   * `postgres: { url, key | keys, maxConnections, acquireTimeoutMs }`,
   * `storeTimeoutMs`, `concurrency`, `leaseTtlMs`, `mediaHost`,
   * `apiVersions`. An unknown option rejects with `INVALID_INPUT`.
   */
  static create(options: CreatorSyncOptions): Promise<CreatorSync>
  /**
   * Starts a connect: the URL to send the user to, and the signed
   * `state`. For X, `{ oauth1: true }` runs OAuth 1.0a instead of
   * OAuth 2.0 PKCE.
   */
  connectBegin(userId: string, platform: Platform, redirectUri: string, options?: { oauth1?: boolean }): Promise<AuthorizationRequest>
  /**
   * Completes a connect with the callback's `code` and `state`; returns
   * the connected accounts (LinkedIn: member + organizations; Facebook:
   * pages; Instagram: professional accounts).
   */
  connectComplete(userId: string, platform: Platform, code: string, state: string): Promise<Account[]>
  /**
   * Completes a connect from the full callback URL (handles denial and
   * X's OAuth 1.0a callbacks too).
   */
  connectCompleteFromUrl(userId: string, platform: Platform, callbackUrl: string): Promise<Account[]>
  /** Every account of the user with its status (from the store). */
  status(userId: string): Promise<AccountStatus[]>
  /** Checks every account live (a usable token, then a profile read). */
  health(userId: string): Promise<AccountHealth[]>
  /**
   * Accounts whose access ends within `days` unless the user reconnects.
   * `days` is a whole number; anything else (negative, fractional, NaN,
   * Infinity, too large, not a number) rejects with `INVALID_INPUT`.
   */
  expiringWithin(userId: string, days: number): Promise<Account[]>
  /**
   * Revokes the grant (when no sibling account shares it) and forgets
   * one account, as the Rust API does. Resolves whether it was
   * connected.
   */
  disconnect(userId: string, platform: Platform, accountId: string): Promise<boolean>
  /**
   * Publishes `post` to every connected account (or `targets`) at once.
   * Resolves a report (never rejects for a single target's failure:
   * see `results[i].error`); rejects with `INVALID_POST` (every
   * violation, before any request), `CANCELLED` when `signal` aborts,
   * or a store/config error.
   */
  publish(userId: string, post: PostInput | LegacyPostBody, options?: PublishOptions & { onProgress?: (event: ProgressEvent) => void; signal?: AbortSignal }): Promise<PublishReport>
  /**
   * Replaces a published post's text where the platform allows it
   * (LinkedIn, Facebook, YouTube's description); rejects with
   * `UNSUPPORTED` elsewhere, before any request.
   */
  edit(userId: string, post: PostRef, text: string): Promise<void>
  /**
   * Deletes a published post where the platform's API can (X,
   * LinkedIn, Facebook, YouTube; `UNSUPPORTED` elsewhere); a post
   * already gone counts as deleted.
   */
  delete(userId: string, post: PostRef): Promise<void>
  /**
   * The metrics of published posts (`{ platform, postId, accountId? }`
   * each; a publish report's `results` fit as they are), one result per
   * post in order.
   */
  metrics(userId: string, posts: PostRef[]): Promise<MetricsResult[]>
  /**
   * The stored snapshots of one post, oldest first, between `since` and
   * `until` (a `Date` or RFC 3339 text; omitted: open).
   */
  metricsHistory(userId: string, post: PostRef, since?: Date | string | null, until?: Date | string | null): Promise<PostMetrics[]>
  /** Scheduled and bulk publishing, and the in-process worker. */
  scheduler(): Scheduler
}

/**
 * A reusable signer for one consumer and token (the HMAC key is derived
 * once): the fast path for many signatures.
 */
export declare class OAuth1Signer {
  /** A signer for `consumerKey`/`consumerSecret`, optionally with a user token. */
  constructor(consumerKey: string, consumerSecret: string, token?: string | undefined | null, tokenSecret?: string | undefined | null)
  /** The `Authorization` header value (fresh nonce and time). */
  authorization(method: string, url: string, form?: Record<string, string> | undefined | null): string
}

/**
 * Schedules posts for later and runs the worker that publishes them when
 * due. Get one with `sync.scheduler()`; it shares the client.
 */
export declare class Scheduler {
  /**
   * Schedules `post` (as `publish` takes it; media must be files or
   * URLs) for `userId` at `at`: RFC 3339 text or a `Date` (an instant),
   * or `{ local: '2026-12-24T09:00', zone: 'Europe/Berlin' }` (that
   * wall-clock time in that zone, DST-correct). Every violation of every
   * target and every quota certain to be used up then reject now
   * (`INVALID_POST`, `QUOTA_EXHAUSTED`). Resolves the schedule id.
   */
  schedule(userId: string, post: PostInput | LegacyPostBody, at: ScheduleAt, options?: ScheduleOptions): Promise<string>
  /**
   * Schedules many posts (`[{ userId, post, at, targets?,
   * idempotencyKey?, native? }]`): `mode` `'all_or_nothing'` (the
   * default: nothing unless every item passes) or `'valid_only'`.
   */
  scheduleMany(items: BulkItem[], mode?: BulkMode): Promise<BulkReport>
  /** One scheduled post. */
  get(id: string): Promise<ScheduledPost>
  /**
   * One page of scheduled posts by due time then id (`{ items, next }`;
   * give `next` as `after` for the next page).
   */
  list(query?: ScheduleQuery): Promise<ScheduledPage>
  /** Moves a post still scheduled to `at`; resolves its view. */
  reschedule(id: string, at: ScheduleAt): Promise<ScheduledPost>
  /** Cancels a post that has not started; resolves its view. */
  cancel(id: string): Promise<ScheduledPost>
  /**
   * Runs a failed or outcome-unknown post again now (an open outcome is
   * looked up at the platform before anything is created).
   */
  retry(id: string): Promise<ScheduledPost>
  /** Workers alive and the backlog. */
  health(): Promise<SchedulerHealth>
  /**
   * Runs a worker in this process until `signal` aborts: it publishes
   * due posts and sends heartbeats; once aborted it finishes the jobs it
   * runs, then the promise resolves. Without a signal it runs (and keeps
   * the process alive) for good.
   */
  run(options?: { signal?: AbortSignal }): Promise<void>
}

/** Parses and checks a key object (for hosts that build keys in JS). */
export declare function accountKey(key: AccountKey): AccountKey

/** What to sign. */
export interface OAuth1Request {
  /** Consumer (API) key. */
  consumerKey: string
  /** Consumer (API) secret. */
  consumerSecret: string
  /** User token (absent for `request_token`). */
  token?: string
  /** User token secret. */
  tokenSecret?: string
  /** HTTP method. */
  method: string
  /** Full URL (its query is signed). */
  url: string
  /** Form body fields (`application/x-www-form-urlencoded`), signed. */
  form?: Record<string, string>
  /** Fixed nonce (tests); default: fresh. */
  nonce?: string
  /** Fixed timestamp in seconds (tests); default: now. */
  timestamp?: number
}

/**
 * What is inside `media` (`{ path }`, `{ url }` or `{ buffer, name }`):
 * a video's duration, size, rotation, frame rate, codecs, bitrate and
 * `moov` position, an image's format, pixel size and frame count. Reads a
 * few small ranges, never the whole file. Rejects with `INVALID_MEDIA`
 * for media it cannot read, `INVALID_INPUT` for a bad item.
 */
export declare function probe(media: MediaInput): Promise<ProbeView>

/** Publish options. */
export interface PublishOptions {
  /**
   * Platforms (`'x'`, `'facebook:1001'`) or accounts (`{ platform,
   * accountId }`); default: every connected account.
   */
  targets?: Array<TargetInput>
  /**
   * Reuse it to retry without double posting (default: a new one,
   * returned in the report).
   */
  idempotencyKey?: string
  /** Publish to the targets the post is valid for; report the others. */
  validTargetsOnly?: boolean
  /**
   * `'pad'` or `'crop'`: fix media a target would refuse (images padded
   * or cropped into its aspect ratio and under its byte limit, MP4s
   * moved to faststart) instead of rejecting; default `'off'`.
   */
  fit?: FitMode
}

/** The `Authorization` header value for one request (`OAuth oauth_consumer_key=...`). */
export declare function signOAuth1(request: OAuth1Request): string

export declare namespace testing {
  /**
   * Runs the core's key-value store conformance suite
   * (`key_value_store_conformance`: round trip, compare-and-swap conflicts,
   * conditional delete, prefix listing, 50 racing writers) on `store`, a JS
   * object with async `get/put/delete/list`, through the bridge the client
   * uses. The cases use their own keys (`rt/`, `cas/`, `del/`, `ls/`,
   * `lt/`, `race/`), so give a store where those are free. Each call is
   * limited to `timeoutMs` (default 30 000). Resolves when every case
   * passes; rejects with a `CreatorSyncError` (`STORE_ERROR`) naming the
   * broken rule, or `INVALID_INPUT` for a store without the four methods.
   */
  export function checkKeyValueStore(store: KeyValueStore, options?: { timeoutMs?: number }): Promise<void>
  /**
   * A valid MP4 container (not decodable video) of `durationSecs` seconds,
   * `width`×`height`, `fps` frames per second (default 30), `moov` at the
   * end when `moovAtEnd`: test media for `probe` and the media rules.
   */
  export function sampleMp4(durationSecs: number, width: number, height: number, options?: { fps?: number; moovAtEnd?: boolean }): Buffer
}
