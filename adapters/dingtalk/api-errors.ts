import { PlatformApiError } from '../../src/index.ts';

/**
 * DingTalk failure → {@link PlatformApiError} (platform `dingtalk`). Two reply styles exist:
 * - new OpenAPI (`api.dingtalk.com/v1.0/…`): HTTP 4xx/5xx with `{code, message, requestid}`;
 * - old style (`oapi.dingtalk.com`, `sessionWebhook`, custom robot): HTTP 200 with
 *   `{errcode, errmsg}`, `errcode` 0 on success.
 * @see https://open.dingtalk.com/document/orgapp/server-api-error-codes-1
 */

/** Custom robot "send too fast, exceed 20 times per minute"; DingTalk throttles for a while. */
export const ERRCODE_TOO_FAST = 130101;
/** How long to wait after {@link ERRCODE_TOO_FAST} when DingTalk says nothing: 60 s, in ms. */
export const TOO_FAST_WAIT_MS = 60_000;

/** Old-style errcodes that mean the access token is invalid or expired (unverified list). */
const TOKEN_ERRCODES = new Set<number | string>([
  40014,
  42001,
  'InvalidAuthentication',
  'InvalidAccessToken',
]);
/** Old-style errcodes worth retrying: -1 system busy, 130101 too fast. */
const RETRY_ERRCODES = new Set<number | string>([-1, ERRCODE_TOO_FAST]);
/** New-style `code`s meaning throttling or a passing outage. */
const RETRY_CODE = /throttl|qpslimit|flowcontrol|ratelimit|systembusy|serviceunavailable|timeout/i;

/**
 * Parses a `Retry-After` header (delta seconds or an HTTP date) into ms from `now`.
 * @returns ms ≥ 0, or `undefined` when absent or unreadable
 */
export function retryAfterMs(header: string | null | undefined, now: number): number | undefined {
  if (!header) return undefined;
  const s = header.trim();
  if (/^\d+(\.\d+)?$/.test(s)) return Math.round(Number(s) * 1000);
  const at = Date.parse(s);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** A network failure or timeout: always retryable. */
export function networkError(method: string, cause: unknown): PlatformApiError {
  return new PlatformApiError({
    platform: 'dingtalk',
    method,
    message: `network error: ${(cause as Error)?.message ?? String(cause)}`,
    retryable: true,
    cause,
  });
}

/**
 * Checks one HTTP reply; returns the error it carries, or `undefined` when it is a success.
 * @param status HTTP status
 * @param body parsed JSON body (`undefined` when not JSON)
 * @param retryAfter the `Retry-After` header
 * @param now ms since epoch, to read an HTTP-date `Retry-After`
 */
export function replyError(
  method: string,
  status: number,
  body: unknown,
  retryAfter: string | null,
  now: number,
): PlatformApiError | undefined {
  const b = (body && typeof body === 'object' ? body : {}) as {
    errcode?: unknown;
    errmsg?: unknown;
    code?: unknown;
    message?: unknown;
  };
  const errcode = typeof b.errcode === 'number' ? b.errcode : typeof b.code === 'string' ? b.code : undefined;
  const ok = status >= 200 && status < 300 && (b.errcode === undefined || b.errcode === 0);
  if (ok) {
    if (body === undefined && status !== 204)
      // A 2xx that is not JSON comes from a proxy or an outage page, not from DingTalk.
      return new PlatformApiError({
        platform: 'dingtalk',
        method,
        status,
        message: 'reply is not JSON',
        retryable: true,
      });
    return undefined;
  }
  const tokenInvalid = status === 401 || (errcode !== undefined && TOKEN_ERRCODES.has(errcode));
  const tooFast = errcode === ERRCODE_TOO_FAST;
  const retryable =
    status === 429 ||
    status >= 500 ||
    (errcode !== undefined && RETRY_ERRCODES.has(errcode)) ||
    (typeof errcode === 'string' && RETRY_CODE.test(errcode));
  const wait = retryAfterMs(retryAfter, now) ?? (tooFast ? TOO_FAST_WAIT_MS : undefined);
  return new PlatformApiError({
    platform: 'dingtalk',
    method,
    status,
    errcode,
    message: String(b.errmsg ?? b.message ?? `HTTP ${status}`),
    retryable,
    retryAfterMs: retryable ? wait : undefined,
    tokenInvalid,
  });
}
