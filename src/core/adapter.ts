import type { Router } from 'express';
import type { Address, IncomingMessage, OutgoingMessage, Platform } from './types.ts';

/** What the core hands an adapter when it starts. */
export interface AdapterContext {
  /**
   * Hands a decoded message to the bot. Resolves when the turn is done (replies are queued in
   * the outbox). Adapters answer the platform (ack) *before* calling this, and do not await it
   * on the request path.
   */
  dispatch(message: IncomingMessage): Promise<void>;
  log: Logger;
}

/** Result of a successful send. `messageId` is the platform's id for the sent message when given. */
export interface SendResult {
  messageId?: string;
}

/** Options the outbox passes with every send. */
export interface SendOptions {
  /** Stable per message across retries and restarts; adapters forward it where a platform supports one. */
  idempotencyKey: string;
  /**
   * True for a job's push (an item with a dedupe key: lesson, nudge, reminder), whose text is
   * never legitimately repeated to the same target minutes later; adapters may ask the platform
   * to drop a repeat (WeCom `enable_duplicate_check`). Replies leave it unset.
   */
  push?: boolean;
}

/**
 * A chat platform. Transport stays here: core code never sees a header, a signature or XML.
 * Same file set per platform: `verify`, `decode`, `encode`, `api`, `index`.
 */
export interface Adapter {
  readonly platform: Platform;
  /** Mounts webhook routes (e.g. `/webhooks/wecom`) on the app's router. Called before listen. */
  mount?(router: Router, ctx: AdapterContext): void;
  /** Starts long connections (DingTalk Stream). */
  start?(ctx: AdapterContext): Promise<void>;
  stop?(): Promise<void>;
  /**
   * Encodes and sends one message. Throws {@link PlatformApiError} (with `retryable`,
   * `retryAfterMs`, `tokenInvalid`) so the outbox can decide to retry or dead-letter.
   */
  send(to: Address, message: OutgoingMessage, opts: SendOptions): Promise<SendResult>;
  /** Largest message the platform takes, for splitting (`bytes` in UTF-8 or `chars`). */
  readonly limit?: { bytes?: number; chars?: number };
}

/** Minimal structured logger (console-backed in production, silent in tests). */
export interface Logger {
  debug(msg: string, data?: Record<string, unknown>): void;
  info(msg: string, data?: Record<string, unknown>): void;
  warn(msg: string, data?: Record<string, unknown>): void;
  error(msg: string, data?: Record<string, unknown>): void;
}

const LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const;

/** A logger writing one JSON line per record to stderr at or above `level`. */
export function createLogger(level: (typeof LEVELS)[number] = 'info'): Logger {
  const min = LEVELS.indexOf(level);
  const at = (l: (typeof LEVELS)[number]) => (msg: string, data?: Record<string, unknown>) => {
    if (LEVELS.indexOf(l) < min) return;
    process.stderr.write(`${JSON.stringify({ t: new Date().toISOString(), level: l, msg, ...data })}\n`);
  };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

export const silentLogger: Logger = createLogger('silent');
