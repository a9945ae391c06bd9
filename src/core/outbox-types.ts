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
  retry?: Partial<RetryPolicy>;
  /** Jitter source in [0, 1); injectable for tests. */
  random?: () => number;
}

/**
 * The lane (ordering + rate-limit unit) of an address: `<platform>:robot:<chat>` for custom group
 * robots (`meta.robot`), else `<platform>:<chatId or userId>`.
 */
export function laneOf(to: Address): string {
  if (to.meta?.robot) return `${to.platform}:robot:${to.meta.robot}`;
  return `${to.platform}:${to.chatId ?? to.userId ?? '-'}`;
}
