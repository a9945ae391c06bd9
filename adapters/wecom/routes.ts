import type { IncomingMessage as HttpRequest } from 'node:http';
import type { Response, Router } from 'express';
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
 * POST: the raw body is read as UTF-8 text, at most `bodyLimit` bytes (larger → 413, a
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
    readBody(req, limit, (err, body) => {
      if (err) {
        reject(res, err, log);
        return;
      }
      let plaintext: string;
      try {
        const params = signedParams(req.query);
        if (body === '') throw new BadRequestError('empty body');
        plaintext = openCallback(keys, params, parseEnvelope(body).encrypt);
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

/** A body-reading failure with the HTTP status to answer (4xx). */
class BodyError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Reads the whole request body as UTF-8 text, at most `limit` bytes. Any content type: WeCom
 * sends `text/xml` (always UTF-8), some proxies rewrite it; we only want the bytes. Cheaper than
 * express's text parser (no type sniffing, iconv or raw-body), which was most of the overhead
 * around the WeCom work on the webhook.
 * Errors (passed to `done`, status in {@link BodyError}): 413 when `Content-Length` or the bytes
 * read exceed `limit`; 415 for a `Content-Encoding` other than identity (WeCom never compresses);
 * 400 when the client aborts.
 */
function readBody(
  req: HttpRequest,
  limit: number,
  done: (err: BodyError | null, body: string) => void,
): void {
  const encoding = req.headers['content-encoding'];
  if (encoding !== undefined && encoding.toLowerCase() !== 'identity') {
    req.resume();
    done(new BodyError(415, `unsupported content encoding "${encoding}"`), '');
    return;
  }
  const declared = Number(req.headers['content-length']);
  if (declared > limit) {
    req.resume();
    done(new BodyError(413, 'request entity too large'), '');
    return;
  }
  // Inline listeners, left attached: the request is dropped once answered, and `finished` makes
  // later events no-ops (named per-request closures cost a `__name` wrap each under tsx).
  const chunks: Buffer[] = [];
  let size = 0;
  let finished = false;
  req
    .on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (finished) return;
      if (size <= limit) {
        chunks.push(chunk);
        return;
      }
      finished = true;
      done(new BodyError(413, 'request entity too large'), '');
    })
    .on('end', () => {
      if (finished) return;
      finished = true;
      done(
        null,
        chunks.length === 1 ? chunks[0].toString('utf8') : Buffer.concat(chunks, size).toString('utf8'),
      );
    })
    // An aborted request emits `error` (ECONNRESET "aborted"); nobody is left to answer.
    .on('error', () => {
      if (finished) return;
      finished = true;
      done(new BodyError(400, 'request aborted'), '');
    });
}

const UNITS: Record<string, number> = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 };

/**
 * A body limit as express writes it (`1mb`, `16kb`, `512b`, or a number of bytes), in bytes.
 * @throws {RangeError} when the text is not such a size.
 */
export function byteLimit(limit: string | number): number {
  if (typeof limit === 'number') return limit;
  const m = /^\s*(\d+(?:\.\d+)?)\s*(b|kb|mb|gb)?\s*$/i.exec(limit);
  if (!m) throw new RangeError(`body limit must be like "1mb" or a number of bytes, got "${limit}"`);
  return Math.floor(Number(m[1]) * UNITS[(m[2] ?? 'b').toLowerCase()]);
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
    code =
      e.status === 413 ? 'payload_too_large' : e.status === 415 ? 'unsupported_media_type' : 'bad_request';
    message = e.message;
  } else {
    log.error('wecom webhook: unexpected error while verifying', { error: String((e as Error)?.stack ?? e) });
  }
  if (status === 401) log.warn('wecom webhook: rejected', { reason: message });
  if (!res.headersSent) res.status(status).json({ error: { code, message } });
}
