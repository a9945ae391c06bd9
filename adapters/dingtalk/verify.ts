import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * DingTalk signatures. Both the robot's HTTP-mode callback and the custom group robot's 加签 use
 * the same construction: `base64(HmacSHA256(key = secret, msg = timestamp + "\n" + secret))`,
 * with `timestamp` in ms and a ±1 h window.
 */

/** How far a signed timestamp may be from now: 1 h either way, in ms. */
export const SIGN_WINDOW_MS = 3_600_000;

/**
 * Computes the DingTalk signature (Base64, not URL-encoded).
 * @param timestamp ms since epoch (UTC), as the decimal string that is sent
 * @param secret the app secret (HTTP mode) or the robot's `SEC…` secret (group robot)
 * @returns standard Base64 with `+`, `/`, `=` (URL-encode it once before putting it in a query)
 * @see https://open.dingtalk.com/document/orgapp/receive-message
 * @see https://open.dingtalk.com/document/robots/customize-robot-security-settings
 */
export function dingtalkSign(timestamp: string, secret: string): string {
  return createHmac('sha256', secret).update(`${timestamp}\n${secret}`, 'utf8').digest('base64');
}

/** Why a callback was refused (tagged union; every failure answers HTTP 401). */
export type VerifyResult =
  | { ok: true }
  | { ok: false; reason: 'missing-headers' | 'bad-timestamp' | 'stale-timestamp' | 'bad-sign' };

/**
 * Verifies an HTTP-mode robot callback: headers `timestamp` (ms) and `sign`.
 * Valid iff |now − timestamp| ≤ 1 h and `sign` equals {@link dingtalkSign} with the app secret,
 * compared in constant time.
 * @param headers the `timestamp` and `sign` request headers (as received)
 * @param appSecret the app's `clientSecret` (AppSecret)
 * @param now ms since epoch (UTC)
 * @see https://open.dingtalk.com/document/orgapp/receive-message
 */
export function verifyRobotCallback(
  headers: { timestamp?: string; sign?: string },
  appSecret: string,
  now: number,
): VerifyResult {
  const { timestamp, sign } = headers;
  if (!timestamp || !sign) return { ok: false, reason: 'missing-headers' };
  if (!/^\d{1,16}$/.test(timestamp)) return { ok: false, reason: 'bad-timestamp' };
  if (Math.abs(now - Number(timestamp)) > SIGN_WINDOW_MS) return { ok: false, reason: 'stale-timestamp' };
  const expected = Buffer.from(dingtalkSign(timestamp, appSecret), 'utf8');
  const given = Buffer.from(sign, 'utf8');
  // timingSafeEqual needs equal lengths; a length mismatch is itself no secret (Base64 of 32 bytes).
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    return { ok: false, reason: 'bad-sign' };
  return { ok: true };
}
