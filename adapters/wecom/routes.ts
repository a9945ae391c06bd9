import type { Response, Router } from 'express';
import type { AdapterContext, Logger } from '../../src/index.ts';
import {
  BadRequestError,
  BodyError,
  byteLimit,
  readRawBody,
  replyError,
  SignatureError,
} from '../../src/index.ts';
import { decodeWecomMessage } from './decode.ts';
import { openCallback, signedParams, verifyUrl, type WecomKeys } from './verify.ts';
import { parseEnvelope } from './xml.ts';

/** The callback path (CONTRACT.md). */
export const WECOM_WEBHOOK_PATH = '/webhooks/wecom';

/**
 * Mounts the WeCom app callback: `GET` URL verification and `POST` encrypted messages.
 *
 * POST: the raw body is read ({@link readRawBody}) as UTF-8 text, at most `bodyLimit` bytes (larger → 413, a
 * compressed body → 415); a body that is not the XML envelope → 400, a bad `msg_signature` or
 * ciphertext → 401, and nothing is stored or dispatched for any of them. A good callback is
 * answered with an empty 200 at once (WeCom drops the connection after 5 s and
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
  // Throws RangeError at mount time for a malformed limit (see byteLimit).
  const { keys, log } = deps;
  const limit = byteLimit(deps.bodyLimit);

  // One layer for both methods: the router matches the path once per request.
  const route = router.route(WECOM_WEBHOOK_PATH);
  route.get((req, res) => {
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

  route.post((req, res) => {
    readRawBody(req, limit, (err, bytes) => {
      if (err) {
        reject(res, err, log);
        return;
      }
      let plaintext: string;
      try {
        const params = signedParams(req.query);
        // WeCom sends UTF-8 XML whatever the content type says.
        if (bytes.length === 0) throw new BadRequestError('empty body');
        plaintext = openCallback(keys, params, parseEnvelope(bytes.toString('utf8')).encrypt);
      } catch (e) {
        reject(res, e, log);
        return;
      }
      // The ack goes out first; decoding and the dispatch run on a later turn of the loop.
      res.statusCode = 200;
      res.end();
      setImmediate(handOff, plaintext, ctx, log);
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
  } else if (e instanceof BodyError) {
    // 413 too large, 415 compressed, 400 aborted.
    status = e.status;
    code = e.code;
    message = e.message;
  } else {
    log.error('wecom webhook: unexpected error while verifying', { error: String((e as Error)?.stack ?? e) });
  }
  if (status === 401) log.warn('wecom webhook: rejected', { reason: message });
  replyError(res, status, code, message);
}
