import { createCipheriv, createSecretKey, type KeyObject, randomBytes, timingSafeEqual } from 'node:crypto';
import {
  aesCbcDecryptBlocks,
  BadRequestError,
  digestHex,
  pkcs7Unpadded,
  SignatureError,
} from '../../src/index.ts';

/**
 * WeCom callback crypto (WXBizMsgCrypt): `msg_signature` check and AES-256-CBC
 * decryption/encryption of callback payloads. Pure apart from `randomBytes` in {@link encrypt}.
 *
 * Scheme (doc 加解密方案说明):
 * - `msg_signature = sha1(sort([token, timestamp, nonce, encrypt]).join(''))`, hex;
 * - AESKey = base64decode(EncodingAESKey + "=") (43 chars → 32 bytes), IV = AESKey[0:16];
 * - plaintext = random(16) ‖ msg_len (4 bytes, big-endian, UTF-8 byte count) ‖ msg ‖ receiveid,
 *   PKCS#7-padded to **32-byte** blocks (not AES's 16).
 * @see https://developer.work.weixin.qq.com/document/path/90968
 * @see https://developer.work.weixin.qq.com/document/path/91144
 */

/** PKCS#7 block size WeCom pads to (bytes). */
export const WECOM_PAD_BLOCK = 32;

/** Keys of one WeCom app callback, prepared once. */
export interface WecomKeys {
  /** The callback Token from the app's 接收消息 settings. */
  token: string;
  /** 32-byte AES key: base64decode(EncodingAESKey + "="). */
  aesKey: Buffer;
  /** The same key imported once (saves re-importing it per message). */
  keyObject: KeyObject;
  /** First 16 bytes of the AES key. */
  iv: Buffer;
  /** Expected trailing receive id: the CorpID for a self-built app. */
  receiveId: string;
}

/**
 * Prepares the keys from the console values.
 * @param cfg `token`, `encodingAESKey` (43 base64 chars), `receiveId` (CorpID)
 * @throws {RangeError} when the EncodingAESKey does not decode to 32 bytes.
 */
export function wecomKeys(cfg: { token: string; encodingAESKey: string; receiveId: string }): WecomKeys {
  const aesKey = Buffer.from(`${cfg.encodingAESKey}=`, 'base64');
  if (!/^[A-Za-z0-9+/]{43}$/.test(cfg.encodingAESKey) || aesKey.length !== 32)
    throw new RangeError('EncodingAESKey must be 43 base64 characters (32 bytes once decoded)');
  return {
    token: cfg.token,
    aesKey,
    keyObject: createSecretKey(aesKey),
    iv: aesKey.subarray(0, 16),
    receiveId: cfg.receiveId,
  };
}

/**
 * Computes `msg_signature`: SHA-1 (hex) of the four values sorted and concatenated.
 * @see https://developer.work.weixin.qq.com/document/path/90968
 */
export function msgSignature(token: string, timestamp: string, nonce: string, encrypt: string): string {
  const data = [token, timestamp, nonce, encrypt].sort().join('');
  return digestHex('sha1', data);
}

/** Constant-time comparison of a received `msg_signature` with the expected one. */
export function signatureMatches(
  keys: WecomKeys,
  sig: string,
  timestamp: string,
  nonce: string,
  encrypt: string,
) {
  const expected = Buffer.from(msgSignature(keys.token, timestamp, nonce, encrypt), 'latin1');
  const got = Buffer.from(sig, 'latin1');
  return got.length === expected.length && timingSafeEqual(got, expected);
}

/**
 * Decrypts an `Encrypt` / `echostr` value and checks its receive id.
 * @returns the message (XML for callbacks, the echo string for URL verification)
 * @throws {SignatureError} code `signature_invalid`: not base64 of whole AES blocks, bad PKCS#7
 *   padding (pad byte outside 1..32 or not all equal), a length field past the end, or a receive
 *   id other than `keys.receiveId`.
 */
export function decrypt(keys: WecomKeys, encrypted: string): string {
  const data = Buffer.from(encrypted, 'base64');
  // Node's decoder skips junk silently; canonical re-encoding proves the input was clean base64.
  if (data.length === 0 || data.toString('base64') !== encrypted)
    throw new SignatureError('Encrypt is not base64');
  if (data.length % 16 !== 0) throw new SignatureError('ciphertext is not whole AES blocks');
  const plain = aesCbcDecryptBlocks(keys.keyObject, keys.iv, data);
  const end = pkcs7Unpadded(plain, WECOM_PAD_BLOCK);
  if (end < 0) throw new SignatureError('bad PKCS#7 padding');
  const body = plain.subarray(0, end);
  if (body.length < 20) throw new SignatureError('plaintext too short');
  const msgLen = body.readUInt32BE(16);
  if (20 + msgLen > body.length) throw new SignatureError('msg_len past the end of the plaintext');
  const receiveId = body.subarray(20 + msgLen).toString('utf8');
  if (receiveId !== keys.receiveId) throw new SignatureError('receiveid does not match the CorpID');
  return body.subarray(20, 20 + msgLen).toString('utf8');
}

/**
 * Encrypts a message the way WeCom does (used by tests and by a fake WeCom).
 * @param random 16 bytes (default: fresh random bytes)
 * @returns base64 ciphertext, as carried in `Encrypt` / `echostr`
 */
export function encrypt(keys: WecomKeys, message: string, random: Buffer = randomBytes(16)): string {
  if (random.length !== 16) throw new RangeError('random must be 16 bytes');
  const msg = Buffer.from(message, 'utf8');
  const len = Buffer.alloc(4);
  len.writeUInt32BE(msg.length);
  const body = Buffer.concat([random, len, msg, Buffer.from(keys.receiveId, 'utf8')]);
  const pad = WECOM_PAD_BLOCK - (body.length % WECOM_PAD_BLOCK);
  const cipher = createCipheriv('aes-256-cbc', keys.keyObject, keys.iv).setAutoPadding(false);
  return Buffer.concat([
    cipher.update(Buffer.concat([body, Buffer.alloc(pad, pad)])),
    cipher.final(),
  ]).toString('base64');
}

/** Query of a WeCom callback request, after URL-decoding. */
export interface CallbackQuery {
  msg_signature?: unknown;
  timestamp?: unknown;
  nonce?: unknown;
  echostr?: unknown;
}

/** Signed query parameters, checked present. */
export interface SignedParams {
  msg_signature: string;
  timestamp: string;
  nonce: string;
}

/**
 * Reads `msg_signature`, `timestamp`, `nonce` (and `echostr` when asked) from a parsed query.
 * A `+` decoded to a space by form-style query parsing is put back (base64 and hex never hold
 * spaces), so an echostr sent without percent-encoding still verifies.
 * @throws {BadRequestError} code `bad_request` naming the first missing or repeated parameter.
 */
export function signedParams(q: CallbackQuery, withEcho: true): SignedParams & { echostr: string };
export function signedParams(q: CallbackQuery, withEcho?: false): SignedParams;
export function signedParams(q: CallbackQuery, withEcho = false): SignedParams & { echostr?: string } {
  const names = ['msg_signature', 'timestamp', 'nonce', ...(withEcho ? ['echostr'] : [])] as const;
  const out: Record<string, string> = {};
  for (const name of names) {
    const v = q[name as keyof CallbackQuery];
    if (typeof v !== 'string' || v === '')
      throw new BadRequestError(`missing or repeated query parameter ${name}`);
    out[name] = v.replace(/ /g, '+');
  }
  return out as unknown as SignedParams & { echostr?: string };
}

/**
 * URL verification (GET): checks the signature over `echostr` and decrypts it.
 * @returns the plaintext to answer verbatim (no quotes, BOM or newline)
 * @throws {BadRequestError} when a parameter is missing; {@link SignatureError} when the
 *   signature or the ciphertext is bad.
 * @see https://developer.work.weixin.qq.com/document/path/90930
 */
export function verifyUrl(keys: WecomKeys, q: CallbackQuery): string {
  const p = signedParams(q, true);
  if (!signatureMatches(keys, p.msg_signature, p.timestamp, p.nonce, p.echostr))
    throw new SignatureError('msg_signature does not match');
  return decrypt(keys, p.echostr);
}

/**
 * Opens an encrypted callback (POST): checks `msg_signature` over the envelope's `Encrypt`
 * in constant time, then decrypts it.
 * @returns the decrypted message XML
 * @throws {SignatureError} code `signature_invalid` on a bad signature or ciphertext.
 * @see https://developer.work.weixin.qq.com/document/path/90930
 */
export function openCallback(keys: WecomKeys, p: SignedParams, encrypted: string): string {
  if (!signatureMatches(keys, p.msg_signature, p.timestamp, p.nonce, encrypted))
    throw new SignatureError('msg_signature does not match');
  return decrypt(keys, encrypted);
}

/**
 * Builds a callback exactly as WeCom sends it (for tests and a fake WeCom): the envelope XML
 * body and the query to POST it with.
 * @param opts `timestamp` in seconds (string), `nonce`, optional `agentId` and 16-byte `random`
 */
export function sealCallback(
  keys: WecomKeys,
  messageXml: string,
  opts: { timestamp: string; nonce: string; agentId?: string; random?: Buffer },
): { body: string; query: SignedParams; encrypt: string } {
  const enc = encrypt(keys, messageXml, opts.random);
  const query = {
    msg_signature: msgSignature(keys.token, opts.timestamp, opts.nonce, enc),
    timestamp: opts.timestamp,
    nonce: opts.nonce,
  };
  const agent = opts.agentId === undefined ? '' : `<AgentID><![CDATA[${opts.agentId}]]></AgentID>`;
  const body = `<xml><ToUserName><![CDATA[${keys.receiveId}]]></ToUserName><Encrypt><![CDATA[${enc}]]></Encrypt>${agent}</xml>`;
  return { body, query, encrypt: enc };
}
