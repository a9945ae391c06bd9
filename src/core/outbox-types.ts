// Types of the outbox (src/core/outbox.ts) and its lane key.
import type { Logger } from './adapter.ts';
import type { RateLimit } from './rate-limit.ts';
import type { Store } from './store.ts';
import type { Address, Clock, OutgoingMessage } from './types.ts';

/** What callers queue. */
export interface OutboxItemInput {
  to: Address;
  message: OutgoingMessage;
  /** Stable across retries and restarts (passed to the adapter). */
  idempotencyKey: string;
  /** When set, the message is queued at most once per key, ever (e.g. `lesson:dev:u1:wh:scan-in`). */
  dedupeKey?: string;
  /** Hold until this instant (ms UTC), e.g. the end of quiet hours. */
  notBefore?: number;
}

/** A persisted queued message (collection `outbox`, key = `id`, ascending = send order). */
export interface OutboxItem extends OutboxItemInput {
  id: string;
  lane: string;
  createdAt: number;
  attempts: number;
  nextAttemptAt: number;
  lastError?: string;
}

/**
 * A queued item as stored (collection `outbox`, key = the item's `id`). Compact: what can be
 * derived is left out — `id` (the key), `lane` (from `to`), `createdAt` (the id's time part),
 * `attempts` (0), `nextAttemptAt` (= `createdAt` until a retry) — and the message is either
 * inline (`message`, small messages) or referenced (`body`: key in `outbox-body`, stored once
 * however many items carry it). Records of the older format (every field of
 * {@link OutboxItem}) are read as they are: {@link fromRecord}.
 */
export interface OutboxRecord {
  to: Address;
  message?: OutgoingMessage;
  /** Key of the message in collection `outbox-body` (sha1 of its JSON). */
  body?: string;
  idempotencyKey: string;
  /** The dedupe key, or `true` when it equals `idempotencyKey`. */
  dedupeKey?: string | true;
  notBefore?: number;
  attempts?: number;
  /** ms UTC; absent = `createdAt`. */
  nextAttemptAt?: number;
  lastError?: string;
  /** Older format only. */
  id?: string;
  lane?: string;
  createdAt?: number;
}

/** The compact record of an item; `body` set = the message is stored apart under that key. */
export function toRecord(item: OutboxItem, body?: string): OutboxRecord {
  const createdAt = stampOf(item.id);
  const r: OutboxRecord = { to: item.to, idempotencyKey: item.idempotencyKey };
  if (body) r.body = body;
  else r.message = item.message;
  if (item.dedupeKey !== undefined)
    r.dedupeKey = item.dedupeKey === item.idempotencyKey ? true : item.dedupeKey;
  if (item.notBefore !== undefined) r.notBefore = item.notBefore;
  if (item.attempts) r.attempts = item.attempts;
  if (item.nextAttemptAt !== createdAt) r.nextAttemptAt = item.nextAttemptAt;
  if (item.lastError !== undefined) r.lastError = item.lastError;
  if (item.createdAt !== createdAt) r.createdAt = item.createdAt;
  return r;
}

/**
 * The item a stored record stands for (either format), with its message (resolved by the
 * caller when the record references a body).
 */
export function fromRecord(key: string, r: OutboxRecord, message: OutgoingMessage): OutboxItem {
  const createdAt = r.createdAt ?? stampOf(key);
  const item: OutboxItem = {
    to: r.to,
    message,
    idempotencyKey: r.idempotencyKey,
    id: r.id ?? key,
    lane: r.lane ?? laneOf(r.to),
    createdAt,
    attempts: r.attempts ?? 0,
    nextAttemptAt: r.nextAttemptAt ?? createdAt,
  };
  if (r.dedupeKey !== undefined) item.dedupeKey = r.dedupeKey === true ? r.idempotencyKey : r.dedupeKey;
  if (r.notBefore !== undefined) item.notBefore = r.notBefore;
  if (r.lastError !== undefined) item.lastError = r.lastError;
  return item;
}

/** The time part of an item id (`<ms, 15 digits>-<seq>`), ms UTC. */
export const stampOf = (id: string): number => Number(id.slice(0, id.indexOf('-')));

/** A message given up on (collection `outbox-dead`), with the platform's code. */
export interface DeadLetter extends OutboxItem {
  failedAt: number;
  error: { message: string; platform?: string; method?: string; status?: number; errcode?: string | number };
}

export interface RetryPolicy {
  /** First backoff, ms. */
  baseMs: number;
  /** Backoff cap, ms. */
  maxMs: number;
  /** Attempts before a retryable failure is dead-lettered. */
  maxAttempts: number;
}

export interface OutboxOptions {
  store: Store;
  clock?: Clock;
  log?: Logger;
  /** Limits per lane kind (`dingtalk:robot`, `wecom`, …); defaults {@link DEFAULT_LIMITS}. */
  limits?: Record<string, RateLimit[]>;
  /**
   * Limits per platform across all its targets (the app's quota), on top of the per-lane ones;
   * defaults {@link DEFAULT_APP_LIMITS}. Lanes held back by it go on in the order they reached it.
   */
  appLimits?: Record<string, RateLimit[]>;
  retry?: Partial<RetryPolicy>;
  /** Jitter source in [0, 1); injectable for tests. */
  random?: () => number;
  /**
   * Queued items held in memory at most (default 1000; items held for quiet hours or for a
   * platform not configured yet come on top). The rest wait in the store and are loaded in
   * key order, half a window at a time, as sending makes room.
   */
  window?: number;
  /**
   * Sends in flight at once per platform (default {@link DEFAULT_MAX_IN_FLIGHT}, WeCom
   * {@link DEFAULT_MAX_IN_FLIGHT_BY_PLATFORM}; env `OUTBOX_MAX_IN_FLIGHT` sets every platform). Lanes beyond it wait for a free slot, first come first served. It
   * bounds what a crash can duplicate: a send the platform accepted but whose removal was never
   * written is sent again on restart, and WeCom/DingTalk/Slack have no idempotency key to drop it
   * (a fresh-clone test killed the bot with ~500 sends in flight: 500 duplicates).
   */
  maxInFlight?: number;
}

/** Default sends in flight per platform: ample for real API latencies (~50–300 ms → 100+ msg/s). */
export const DEFAULT_MAX_IN_FLIGHT = 32;

/**
 * Per-platform defaults that differ from {@link DEFAULT_MAX_IN_FLIGHT}: WeCom answers
 * `45033 api concurrent out of limit` beyond about 5–10 concurrent calls per API
 * (PLATFORMS.md §2), so 8 (≈ 80 msg/s at 100 ms a call: a push to 500 staff in ~6 s).
 */
export const DEFAULT_MAX_IN_FLIGHT_BY_PLATFORM: Record<string, number> = { wecom: 8 };

/**
 * The lane (ordering + rate-limit unit) of an address: `<platform>:robot:<chat>` for custom group
 * robots (`meta.robot`), else `<platform>:<chatId or userId>`.
 */
export function laneOf(to: Address): string {
  if (to.meta?.robot) return `${to.platform}:robot:${to.meta.robot}`;
  return `${to.platform}:${to.chatId ?? to.userId ?? '-'}`;
}
