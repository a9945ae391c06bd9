import type { Router } from 'express';
import { byteLimit, type Clock, type Logger, readRawBody, replyError, replyJson } from '../../src/index.ts';
import { verifyRobotCallback } from './verify.ts';

/**
 * `POST /webhooks/dingtalk` — the robot callback in HTTP mode (`DINGTALK_MODE=http`).
 * Order: signature headers (401 on failure, before the body is read) → body (400 when it is not
 * JSON; 413 when over `bodyLimit`) → `{}` with 200 at once → `onPayload` (the caller dispatches
 * without blocking). A bad request changes nothing.
 * @see https://open.dingtalk.com/document/orgapp/receive-message
 */

/** The contract route of the HTTP-mode robot callback. */
export const DINGTALK_WEBHOOK_PATH = '/webhooks/dingtalk';

/** Secret, clock and handler of the HTTP-mode route. */
export interface WebhookRouteOptions {
  /** The app's AppSecret (`DINGTALK_CLIENT_SECRET`), the HMAC key. */
  appSecret: string;
  clock: Clock;
  log: Logger;
  /** Receives each verified, parsed body after the 200 has been written. Must not block. */
  onPayload(payload: unknown): void;
  /** Largest body accepted (express `limit` syntax, default `1mb`). */
  bodyLimit?: string;
}

/**
 * Mounts the route on `router`.
 * @throws {RangeError} at mount time when `bodyLimit` is not a size like `1mb`.
 */
export function mountDingtalkWebhook(router: Router, opts: WebhookRouteOptions): void {
  const limit = byteLimit(opts.bodyLimit ?? '1mb');
  router.post(DINGTALK_WEBHOOK_PATH, (req, res) => {
    const v = verifyRobotCallback(
      { timestamp: req.get('timestamp'), sign: req.get('sign') },
      opts.appSecret,
      opts.clock.now(),
    );
    if (!v.ok) {
      opts.log.warn('dingtalk webhook: bad signature', { reason: v.reason });
      req.resume();
      replyError(res, 401, 'signature_invalid', `bad signature (${v.reason})`);
      return;
    }
    readRawBody(req, limit, (err, bytes) => {
      if (err) {
        replyError(res, err.status, err.code, err.message);
        return;
      }
      let payload: unknown;
      try {
        payload = JSON.parse(bytes.toString('utf8'));
      } catch {
        replyError(res, 400, 'bad_request', 'body is not JSON');
        return;
      }
      if (!payload || typeof payload !== 'object') {
        replyError(res, 400, 'bad_request', 'body is not a JSON object');
        return;
      }
      replyJson(res, 200, {});
      opts.onPayload(payload);
    });
  });
}
