import { createHmac, timingSafeEqual } from 'node:crypto';
import { SignatureError } from '../../src/index.ts';

/** Slack's window: |now − X-Slack-Request-Timestamp| ≤ 300 s, in either direction. */
export const SLACK_WINDOW_S = 300;

/**
 * Verifies a Slack request signature over the RAW body bytes (JSON Events API bodies and
 * form-encoded interactivity/slash-command bodies alike).
 * `X-Slack-Signature = "v0=" + hex(HMAC-SHA256(signing_secret, "v0:" + timestamp + ":" + body))`.
 * Bolt's own check is one-sided (a timestamp far in the future passes), so this runs first and
 * rejects |now − timestamp| > 300 s both ways. The timestamp is in SECONDS: a millisecond value is
 * ~1000× in the future and is rejected.
 * @param nowMs current time, ms since epoch (UTC)
 * @throws {SignatureError} code `signature_invalid` on a missing/stale/wrong signature.
 * @see https://api.slack.com/authentication/verifying-requests-from-slack
 */
export function verifySlackSignature(input: {
  signingSecret: string;
  timestamp: string | undefined;
  signature: string | undefined;
  rawBody: Buffer;
  nowMs: number;
}): void {
  const { timestamp, signature } = input;
  if (!timestamp || !signature)
    throw new SignatureError('missing X-Slack-Request-Timestamp or X-Slack-Signature');
  if (!/^\d{1,12}$/.test(timestamp)) throw new SignatureError('malformed X-Slack-Request-Timestamp');
  const ts = Number(timestamp);
  if (Math.abs(input.nowMs / 1000 - ts) > SLACK_WINDOW_S)
    throw new SignatureError('X-Slack-Request-Timestamp outside the 5-minute window');
  const want = Buffer.from(`v0=${slackSignature(input.signingSecret, timestamp, input.rawBody)}`);
  const got = Buffer.from(signature);
  if (got.length !== want.length || !timingSafeEqual(got, want))
    throw new SignatureError('X-Slack-Signature mismatch');
}

/** hex(HMAC-SHA256(secret, "v0:" + timestamp + ":" + body)), without the `v0=` prefix. */
export function slackSignature(signingSecret: string, timestamp: string, rawBody: Buffer | string): string {
  return createHmac('sha256', signingSecret).update(`v0:${timestamp}:`).update(rawBody).digest('hex');
}
