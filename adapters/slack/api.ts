import { PlatformApiError } from '../../src/index.ts';

/** Slack `ok:false` errors that mean the bot token is bad (no refresh exists for bot tokens). */
const TOKEN_ERRORS = new Set([
  'invalid_auth',
  'not_authed',
  'token_revoked',
  'token_expired',
  'account_inactive',
]);
/** Errors worth retrying. */
const RETRYABLE = new Set([
  'ratelimited',
  'rate_limited',
  'internal_error',
  'fatal_error',
  'service_unavailable',
  'request_timeout',
]);

/** Default per-request timeout in ms (headers and body). */
export const SLACK_TIMEOUT_MS = 10_000;

/** Tuning of a {@link SlackApi}. */
export interface SlackApiOptions {
  /** Per-request timeout in ms, headers and body (default {@link SLACK_TIMEOUT_MS}). */
  timeoutMs?: number;
}

/**
 * Minimal Web API client for `chat.postMessage` with our own error mapping (the outbox does
 * retries and rate limits, so `@slack/web-api`'s built-in retry is not used).
 * - HTTP 429 → retryable, `retryAfterMs` from `Retry-After` (seconds), or undefined (outbox default backoff).
 * - 5xx / network / no answer within `timeoutMs` (`AbortSignal.timeout`, headers and body) →
 *   retryable. `ok:false` → by error string.
 * @see https://api.slack.com/methods/chat.postMessage
 * @see https://api.slack.com/docs/rate-limits
 */
export class SlackApi {
  private readonly timeoutMs: number;

  constructor(
    private readonly apiUrl: string,
    private readonly botToken: string,
    opts: SlackApiOptions = {},
  ) {
    this.timeoutMs = opts.timeoutMs ?? SLACK_TIMEOUT_MS;
  }

  /**
   * Posts a message; resolves the message `ts`.
   * @throws {PlatformApiError} code `platform_api` (platform `slack`).
   */
  async postMessage(body: Record<string, unknown>): Promise<string> {
    const method = 'chat.postMessage';
    let res: Response;
    let text: string;
    try {
      res = await fetch(`${this.apiUrl}/${method}`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${this.botToken}`,
          'content-type': 'application/json; charset=utf-8',
        },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      // The body is read under the same deadline: a stalled body is a timeout too.
      text = await res.text();
    } catch (e) {
      const timedOut = (e as Error)?.name === 'TimeoutError';
      throw new PlatformApiError({
        platform: 'slack',
        method,
        message: timedOut ? `timeout after ${this.timeoutMs} ms` : `network: ${(e as Error).message}`,
        retryable: true,
        cause: e,
      });
    }
    if (res.status === 429) {
      const ra = Number(res.headers.get('retry-after'));
      throw new PlatformApiError({
        platform: 'slack',
        method,
        status: 429,
        errcode: 'ratelimited',
        message: 'rate limited',
        retryable: true,
        retryAfterMs:
          Number.isFinite(ra) && ra >= 0 && res.headers.get('retry-after') !== null ? ra * 1000 : undefined,
      });
    }
    if (res.status >= 500)
      throw new PlatformApiError({
        platform: 'slack',
        method,
        status: res.status,
        message: 'server error',
        retryable: true,
      });
    let json: { ok?: boolean; error?: string; ts?: string } = {};
    try {
      json = JSON.parse(text) as typeof json;
    } catch {
      // not JSON: reported below as `HTTP <status>`
    }
    if (!json.ok) {
      const err = json.error ?? `HTTP ${res.status}`;
      throw new PlatformApiError({
        platform: 'slack',
        method,
        status: res.status,
        errcode: err,
        message: err,
        retryable: RETRYABLE.has(err),
        tokenInvalid: TOKEN_ERRORS.has(err),
      });
    }
    return json.ts ?? '';
  }
}
