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

/**
 * Minimal Web API client for `chat.postMessage` with our own error mapping (the outbox does
 * retries and rate limits, so `@slack/web-api`'s built-in retry is not used).
 * - HTTP 429 → retryable, `retryAfterMs` from `Retry-After` (seconds), or undefined (outbox default backoff).
 * - 5xx / network → retryable. `ok:false` → by error string.
 * @see https://api.slack.com/methods/chat.postMessage
 * @see https://api.slack.com/docs/rate-limits
 */
export class SlackApi {
  constructor(
    private readonly apiUrl: string,
    private readonly botToken: string,
  ) {}

  /**
   * Posts a message; resolves the message `ts`.
   * @throws {PlatformApiError} code `platform_api` (platform `slack`).
   */
  async postMessage(body: Record<string, unknown>): Promise<string> {
    const method = 'chat.postMessage';
    let res: Response;
    try {
      res = await fetch(`${this.apiUrl}/${method}`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${this.botToken}`,
          'content-type': 'application/json; charset=utf-8',
        },
        body: JSON.stringify(body),
      });
    } catch (e) {
      throw new PlatformApiError({
        platform: 'slack',
        method,
        message: `network: ${(e as Error).message}`,
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
    const json = (await res.json().catch(() => ({}))) as { ok?: boolean; error?: string; ts?: string };
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
