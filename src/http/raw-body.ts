import type { IncomingMessage as HttpRequest, ServerResponse } from 'node:http';

/**
 * Body reading and small answers for the webhook routes (WeCom, DingTalk, Feishu, Slack).
 *
 * Webhooks need the raw bytes (signatures are computed over them) and nothing else, so they skip
 * express's body parsers: no content-type sniffing, charset lookup, iconv or raw-body stream
 * wrapper. Measured on the ingest bench (bench/ingest-platforms.ts), express.raw + res.json cost
 * a webhook route ~40–100 µs of CPU per request, more than the platform's own verification.
 */

/** A body-reading failure with the HTTP status and error code to answer (4xx). */
export class BodyError extends Error {
  constructor(
    /** 400 (aborted), 413 (too large) or 415 (compressed). */
    readonly status: 400 | 413 | 415,
    /** `bad_request`, `payload_too_large` or `unsupported_media_type`. */
    readonly code: 'bad_request' | 'payload_too_large' | 'unsupported_media_type',
    message: string,
  ) {
    super(message);
    this.name = 'BodyError';
  }
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

/**
 * Reads the whole request body as bytes, at most `limit` bytes, whatever its content type.
 * Calls `done` exactly once: `(null, bytes)`, or a {@link BodyError} — 413 when
 * `Content-Length` or the bytes read exceed `limit` (the rest is drained, not buffered); 415 for
 * a `Content-Encoding` other than identity (no platform compresses webhooks); 400 when the
 * client aborts. Callback style on purpose: it is the hottest code of every webhook.
 */
export function readRawBody(
  req: HttpRequest,
  limit: number,
  done: (err: BodyError | null, body: Buffer) => void,
): void {
  const encoding = req.headers['content-encoding'];
  if (encoding !== undefined && encoding.toLowerCase() !== 'identity') {
    req.resume();
    done(new BodyError(415, 'unsupported_media_type', `unsupported content encoding "${encoding}"`), EMPTY);
    return;
  }
  const declared = Number(req.headers['content-length']);
  if (declared > limit) {
    req.resume();
    done(new BodyError(413, 'payload_too_large', 'request entity too large'), EMPTY);
    return;
  }
  // Inline listeners, left attached: the request is dropped once answered, and `finished` makes
  // later events no-ops.
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
      done(new BodyError(413, 'payload_too_large', 'request entity too large'), EMPTY);
    })
    .on('end', () => {
      if (finished) return;
      finished = true;
      done(null, chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size));
    })
    // An aborted request emits `error` (ECONNRESET "aborted"); nobody is left to answer.
    .on('error', () => {
      if (finished) return;
      finished = true;
      done(new BodyError(400, 'bad_request', 'request aborted'), EMPTY);
    });
}

const EMPTY = Buffer.alloc(0);

/**
 * Answers `status` with a JSON body in one socket write (a string body is sent together with
 * the headers; express's `res.json` sends a Buffer, i.e. a second write, and computes an ETag).
 * Does nothing when the headers are already sent.
 */
export function replyJson(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return;
  const text =
    body !== null && typeof body === 'object' && Object.keys(body).length === 0 ? '{}' : JSON.stringify(body);
  // writeHead with the headers at once: no per-header validation and bookkeeping of setHeader.
  res.writeHead(status, JSON_HEADERS(Buffer.byteLength(text)));
  res.end(text);
}

const JSON_HEADERS = (length: number) => [
  'Content-Type',
  'application/json; charset=utf-8',
  'Content-Length',
  String(length),
];

/**
 * Answers `status` with no body (`Content-Length: 0`): headers and end go out in one socket
 * write, where a body makes Node queue two chunks and write them with writev. For webhook acks
 * whose body the platform does not read. Does nothing when the headers are already sent.
 */
export function replyEmpty(res: ServerResponse, status = 200): void {
  if (res.headersSent) return;
  res.statusCode = status;
  res.end();
}

/** Answers an error as the API does everywhere: `{ error: { code, message } }`. */
export function replyError(res: ServerResponse, status: number, code: string, message: string): void {
  replyJson(res, status, { error: { code, message } });
}
