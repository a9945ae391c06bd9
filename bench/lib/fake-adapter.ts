import type { Adapter, Platform } from '../../src/index.ts';
import { PlatformApiError } from '../../src/index.ts';

/** What a {@link fakeAdapter} observed, for the report. */
export interface SendLog {
  /** Round trip of every send, ms. */
  rtts: number[];
  /** Per target: time from a 429 until the next attempt to that target started, ms. */
  stallsAfter429: number[];
  /** Sends started and not yet answered. */
  inflight: number;
}

/**
 * A tiny adapter for `platform` whose `send` POSTs `{text, idempotencyKey}` to
 * `<origin>/send/<target>` with fetch (undici keep-alive); a 429 or 5xx becomes a retryable
 * {@link PlatformApiError} without `retryAfterMs` (the fake sends no `Retry-After`).
 * @throws {PlatformApiError} code `platform_api` on any non-2xx answer.
 */
export function fakeAdapter(platform: Platform, origin: string, log: SendLog): Adapter {
  const rejectedAt = new Map<string, number>();
  return {
    platform,
    async send(to, message, opts) {
      const target = to.meta?.robot ?? to.chatId ?? to.userId ?? '-';
      const t0 = performance.now();
      const last = rejectedAt.get(target);
      if (last !== undefined) {
        log.stallsAfter429.push(t0 - last);
        rejectedAt.delete(target);
      }
      log.inflight++;
      let r: Response;
      try {
        r = await fetch(`${origin}/send/${encodeURIComponent(target)}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ text: message.text, idempotencyKey: opts.idempotencyKey }),
        });
        await r.arrayBuffer();
      } finally {
        log.inflight--;
      }
      const t1 = performance.now();
      log.rtts.push(t1 - t0);
      if (r.ok) return {};
      if (r.status === 429) rejectedAt.set(target, t1);
      throw new PlatformApiError({
        platform,
        method: 'send',
        status: r.status,
        message: r.status === 429 ? 'rate limited by the fake platform' : 'fake platform error',
        retryable: r.status === 429 || r.status >= 500,
      });
    },
  };
}
