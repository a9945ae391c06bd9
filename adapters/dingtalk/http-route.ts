import express, { type Router } from 'express';
import type { Clock, Logger } from '../../src/index.ts';
import { verifyRobotCallback } from './verify.ts';

/**
 * `POST /webhooks/dingtalk` — the robot callback in HTTP mode (`DINGTALK_MODE=http`).
 * Order: signature headers (401 on failure, before the body is read) → body (400 when it is not
 * JSON; 413 from the body parser when too large) → 200 at once → `onPayload` (the caller
 * dispatches without blocking). A bad request changes nothing.
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

const error = (code: string, message: string) => ({ error: { code, message } });

/** Mounts the route on `router`. */
export function mountDingtalkWebhook(router: Router, opts: WebhookRouteOptions): void {
  router.post(
    DINGTALK_WEBHOOK_PATH,
    (req, res, next) => {
      const v = verifyRobotCallback(
        { timestamp: req.get('timestamp'), sign: req.get('sign') },
        opts.appSecret,
        opts.clock.now(),
      );
      if (v.ok) return next();
      opts.log.warn('dingtalk webhook: bad signature', { reason: v.reason });
      res.status(401).json(error('signature_invalid', `bad signature (${v.reason})`));
    },
    express.raw({ type: () => true, limit: opts.bodyLimit ?? '1mb' }),
    (req, res) => {
      let payload: unknown;
      try {
        payload = JSON.parse(Buffer.isBuffer(req.body) ? req.body.toString('utf8') : '');
      } catch {
        res.status(400).json(error('bad_request', 'body is not JSON'));
        return;
      }
      if (!payload || typeof payload !== 'object') {
        res.status(400).json(error('bad_request', 'body is not a JSON object'));
        return;
      }
      res.status(200).json({});
      opts.onPayload(payload);
    },
  );
}
