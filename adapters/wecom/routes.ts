import express, { type Response, type Router } from 'express';
import type { AdapterContext, Logger } from '../../src/index.ts';
import { BadRequestError, SignatureError } from '../../src/index.ts';
import { decodeWecomMessage } from './decode.ts';
import { openCallback, signedParams, verifyUrl, type WecomKeys } from './verify.ts';
import { parseEnvelope } from './xml.ts';

/** The callback path (CONTRACT.md). */
export const WECOM_WEBHOOK_PATH = '/webhooks/wecom';

/**
 * Mounts the WeCom app callback: `GET` URL verification and `POST` encrypted messages.
 *
 * POST: the raw body is read as text; a body that is not the XML envelope → 400, a bad
 * `msg_signature` or ciphertext → 401, and nothing is stored or dispatched for either. A good
 * callback is answered with an empty 200 at once (WeCom drops the connection after 5 s and
 * retries up to 3 times; an empty reply stops retries), then decoded and handed to
 * `ctx.dispatch` without waiting. Nothing after verification can turn into a 5xx: WeCom would
 * only retry it.
 * @see https://developer.work.weixin.qq.com/document/path/90930 (callback set-up, verification)
 * @see https://developers.weixin.qq.com/doc/offiaccount/Message_Management/Batch_Sends.html (5 s
 *   deadline, 3 tries, dedupe by MsgId; the WeChat rule WeCom callbacks follow — PLATFORMS.md §2)
 */
export function mountWecomRoutes(
  router: Router,
  ctx: AdapterContext,
  deps: { keys: WecomKeys; log: Logger; bodyLimit: string | number },
): void {
  const { keys, log } = deps;
  // Any content type: WeCom sends text/xml, some proxies rewrite it; we only want the bytes.
  const readText = express.text({ type: () => true, limit: deps.bodyLimit, defaultCharset: 'utf-8' });

  router.get(WECOM_WEBHOOK_PATH, (req, res) => {
    let echo: string;
    try {
      echo = verifyUrl(keys, req.query);
    } catch (e) {
      reject(res, e, log);
      return;
    }
    // Verbatim: no quotes, BOM, newline or ETag games.
    res.status(200).set('Content-Type', 'text/plain; charset=utf-8').end(echo);
  });

  router.post(WECOM_WEBHOOK_PATH, (req, res) => {
    readText(req, res, (err?: unknown) => {
      if (err) {
        reject(res, err, log);
        return;
      }
      let plaintext: string;
      try {
        const params = signedParams(req.query);
        if (typeof req.body !== 'string' || req.body === '') throw new BadRequestError('empty body');
        plaintext = openCallback(keys, params, parseEnvelope(req.body).encrypt);
      } catch (e) {
        reject(res, e, log);
        return;
      }
      res.status(200).end();
      handOff(plaintext, ctx, log);
    });
  });
}

/** Decodes a verified callback and dispatches it; failures are logged, never thrown. */
function handOff(plaintext: string, ctx: AdapterContext, log: Logger): void {
  try {
    const msg = decodeWecomMessage(plaintext);
    if (!msg) return;
    ctx
      .dispatch(msg)
      .catch((e: unknown) => log.error('wecom dispatch failed', { id: msg.id, error: String(e) }));
  } catch (e) {
    log.warn('wecom callback not decodable; acknowledged and dropped', {
      error: (e as Error)?.message ?? String(e),
    });
  }
}

/** Answers a rejected request with its 4xx and a reason; never a 5xx (WeCom would retry). */
function reject(res: Response, e: unknown, log: Logger): void {
  let status = 400;
  let code = 'bad_request';
  let message = 'bad request';
  if (e instanceof SignatureError) {
    status = 401;
    code = e.code;
    message = e.message;
  } else if (e instanceof BadRequestError) {
    message = e.message;
  } else if (isHttpError(e)) {
    // body-parser: 413 too large, 415 bad charset, 400 aborted/invalid.
    status = e.status;
    code = e.status === 413 ? 'payload_too_large' : 'bad_request';
    message = e.message;
  } else {
    log.error('wecom webhook: unexpected error while verifying', { error: String((e as Error)?.stack ?? e) });
  }
  if (status === 401) log.warn('wecom webhook: rejected', { reason: message });
  if (!res.headersSent) res.status(status).json({ error: { code, message } });
}

function isHttpError(e: unknown): e is { status: number; message: string } {
  const s = (e as { status?: unknown })?.status;
  return typeof s === 'number' && s >= 400 && s < 500;
}
