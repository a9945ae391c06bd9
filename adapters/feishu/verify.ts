import { createCipheriv, createHash, createSecretKey, type KeyObject, timingSafeEqual } from 'node:crypto';
import { aesCbcDecryptBlocks, digestHex, pkcs7Unpadded, SignatureError } from '../../src/index.ts';

/**
 * Accepted distance between `X-Lark-Request-Timestamp` (seconds) and now. Feishu documents no
 * window; 1 h tolerates SME server clock drift, and replays inside it are stopped by the
 * `event_id` dedupe.
 */
export const FEISHU_WINDOW_S = 3600;

/** AES keys derived from Encrypt Keys (SHA-256 of the key), as KeyObjects; one app has one key. */
const derived = new Map<string, KeyObject>();

/** The AES-256 key for `encryptKey`: SHA-256 of its UTF-8 bytes, derived once and kept. */
function aesKey(encryptKey: string): KeyObject {
  let key = derived.get(encryptKey);
  if (!key) {
    if (derived.size > 16) derived.clear();
    key = createSecretKey(createHash('sha256').update(encryptKey).digest());
    derived.set(encryptKey, key);
  }
  return key;
}

/**
 * Checks `X-Lark-Signature = hex(sha256(timestamp + nonce + encrypt_key + raw_body))` over the
 * RAW body bytes (the Node SDK hashes re-serialized JSON, which rejects non-compact bodies), in
 * constant time, with a ±{@link FEISHU_WINDOW_S} timestamp window.
 * @param nowMs current time, ms since epoch (UTC)
 * @throws {SignatureError} code `signature_invalid`.
 * @see https://open.feishu.cn/document/ukTMukTMukTM/uYDNxYjL2QTM24iN0EjN/event-subscription-configure-/encrypt-key-encryption-configuration-case
 */
export function verifyFeishuSignature(input: {
  encryptKey: string;
  timestamp?: string;
  nonce?: string;
  signature?: string;
  rawBody: Buffer;
  nowMs: number;
}): void {
  const { timestamp, nonce, signature } = input;
  if (!timestamp || !nonce || !signature)
    throw new SignatureError('missing X-Lark-Request-Timestamp/Nonce/Signature');
  if (!/^\d{1,12}$/.test(timestamp) || Math.abs(input.nowMs / 1000 - Number(timestamp)) > FEISHU_WINDOW_S)
    throw new SignatureError('X-Lark-Request-Timestamp outside the window');
  const want = Buffer.from(feishuSignature(input.encryptKey, timestamp, nonce, input.rawBody));
  const got = Buffer.from(signature.toLowerCase());
  if (got.length !== want.length || !timingSafeEqual(got, want))
    throw new SignatureError('X-Lark-Signature mismatch');
}

/** hex(sha256(timestamp + nonce + encryptKey + rawBody)). */
export function feishuSignature(
  encryptKey: string,
  timestamp: string,
  nonce: string,
  rawBody: Buffer | string,
): string {
  const head = Buffer.from(timestamp + nonce + encryptKey, 'utf8');
  const body = typeof rawBody === 'string' ? Buffer.from(rawBody, 'utf8') : rawBody;
  const data = Buffer.concat([head, body], head.length + body.length);
  return digestHex('sha256', data);
}

/**
 * Decrypts an `{"encrypt": …}` body: key = SHA-256(Encrypt Key), IV = first 16 bytes of the
 * base64-decoded data, AES-256-CBC over the rest, PKCS#7 (16-byte blocks).
 * @returns the plaintext (a JSON string for events)
 * @throws {SignatureError} when it does not decrypt (wrong key or tampered data).
 * @see https://open.feishu.cn/document/ukTMukTMukTM/uYDNxYjL2QTM24iN0EjN/event-subscription-configure-/encrypt-key-encryption-configuration-case
 */
export function decryptFeishu(encryptKey: string, encrypt: string): string {
  const data = Buffer.from(encrypt, 'base64');
  if (data.length < 32 || data.length % 16 !== 0) throw new SignatureError('encrypt field has a bad length');
  const key = aesKey(encryptKey);
  const plain = aesCbcDecryptBlocks(key, data.subarray(0, 16), data.subarray(16));
  const end = pkcs7Unpadded(plain, 16);
  if (end < 0) throw new SignatureError('encrypt field does not decrypt with the Encrypt Key');
  return plain.toString('utf8', 0, end);
}

/** The inverse of {@link decryptFeishu}, for tests and local fakes. */
export function encryptFeishu(encryptKey: string, plaintext: string, iv: Buffer): string {
  const key = aesKey(encryptKey);
  const c = createCipheriv('aes-256-cbc', key, iv);
  return Buffer.concat([iv, c.update(plaintext, 'utf8'), c.final()]).toString('base64');
}

/** Constant-time string equality (verification token). */
export function safeEqual(a: string | undefined, b: string): boolean {
  if (a === undefined) return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
