import { createCipheriv } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as wecomCrypto from '@wecom/crypto';
import { describe, expect, it } from 'vitest';
import {
  decrypt,
  encrypt,
  msgSignature,
  openCallback,
  sealCallback,
  verifyUrl,
  WECOM_PAD_BLOCK,
  type WecomKeys,
  wecomKeys,
} from '../adapters/wecom/verify.ts';
import { parseEnvelope } from '../adapters/wecom/xml.ts';
import { SignatureError } from '../src/index.ts';

const vector = (name: string) =>
  JSON.parse(readFileSync(new URL(`./fixtures/vectors/${name}`, import.meta.url), 'utf8'));
const post = vector('wecom-post-xml-QDG6eK.json');
const url = vector('wecom-verifyurl-QDG6eK.json');

const keys: WecomKeys = wecomKeys({
  token: post.inputs.token,
  encodingAESKey: post.inputs.encodingAESKey,
  receiveId: post.inputs.receiveId,
});

/** Encrypts raw plaintext bytes with the app key and no padding of ours (to forge bad paddings). */
function rawEncrypt(k: WecomKeys, plain: Buffer): string {
  const c = createCipheriv('aes-256-cbc', k.aesKey, k.iv).setAutoPadding(false);
  return Buffer.concat([c.update(plain), c.final()]).toString('base64');
}

/** random16 ‖ len ‖ msg ‖ receiveid, unpadded. */
function frame(msg: string, receiveId = keys.receiveId): Buffer {
  const m = Buffer.from(msg);
  const len = Buffer.alloc(4);
  len.writeUInt32BE(m.length);
  return Buffer.concat([Buffer.alloc(16, 7), len, m, Buffer.from(receiveId)]);
}

describe('WeCom crypto: published vectors (doc 90968 worked example)', () => {
  it('derives the documented AES key and IV', () => {
    expect(keys.aesKey.toString('hex')).toBe(post.expected.intermediate.aes_key_hex);
    expect(keys.iv.toString('hex')).toBe(post.expected.intermediate.iv_hex);
  });

  it('verifies the encrypted POST and decrypts to the documented XML', () => {
    const env = parseEnvelope(post.inputs.body);
    expect(env.encrypt).toBe(post.inputs.encrypt);
    expect(msgSignature(keys.token, post.inputs.query.timestamp, post.inputs.query.nonce, env.encrypt)).toBe(
      post.expected.computed_msg_signature,
    );
    expect(openCallback(keys, post.inputs.query, env.encrypt)).toBe(post.expected.plaintext);
  });

  it('re-encrypts the documented plaintext with the documented random to the same ciphertext', () => {
    const random = Buffer.from(post.expected.intermediate.random16_hex, 'hex');
    expect(encrypt(keys, post.expected.plaintext, random)).toBe(post.inputs.encrypt);
  });

  it('verifies the URL-verification GET and returns the echostr plaintext verbatim', () => {
    const q = { ...url.inputs.query, echostr: decodeURIComponent(url.inputs.query.echostr_urlencoded) };
    expect(q.echostr).toBe(url.inputs.encrypt);
    expect(verifyUrl(keys, q)).toBe(url.expected.plaintext);
  });

  it('accepts an echostr whose + became a space through form-style query decoding', () => {
    const q = { ...url.inputs.query, echostr: url.inputs.encrypt.replace(/\+/g, ' ') };
    expect(verifyUrl(keys, q)).toBe(url.expected.plaintext);
  });

  it('rejects a wrong msg_signature (one hex digit changed) with SignatureError', () => {
    const sig = post.inputs.query.msg_signature;
    const bad = {
      ...post.inputs.query,
      msg_signature: `${sig.slice(0, -1)}${sig.endsWith('0') ? '1' : '0'}`,
    };
    expect(() => openCallback(keys, bad, post.inputs.encrypt)).toThrow(SignatureError);
    expect(() =>
      openCallback(keys, { ...post.inputs.query, msg_signature: '' }, post.inputs.encrypt),
    ).toThrow(SignatureError);
  });

  it('rejects a different corp (receiveid mismatch)', () => {
    const other = wecomKeys({ ...post.inputs, receiveId: 'wwOtherCorp' });
    expect(() => decrypt(other, post.inputs.encrypt)).toThrow(/receiveid/);
  });
});

describe('WeCom crypto: round trips', () => {
  it('round-trips every message size from 0 to 5,000 bytes', () => {
    const failures: number[] = [];
    for (let n = 0; n <= 5000; n++) {
      const msg = 'x'.repeat(n);
      const enc = encrypt(keys, msg);
      if (Buffer.from(enc, 'base64').length % WECOM_PAD_BLOCK !== 0 || decrypt(keys, enc) !== msg)
        failures.push(n);
    }
    expect(failures).toEqual([]);
  });

  it('round-trips at every padding length 1–32, with multi-byte text', () => {
    const seen = new Set<number>();
    // frame = 16 + 4 + msg + receiveId; pad = 32 - frame % 32, so 32 consecutive sizes give every pad.
    for (let extra = 0; extra < 32; extra++) {
      const msg = `汉😀${'a'.repeat(extra)}`;
      const frameLen = 20 + Buffer.byteLength(msg) + Buffer.byteLength(keys.receiveId);
      const pad = WECOM_PAD_BLOCK - (frameLen % WECOM_PAD_BLOCK);
      seen.add(pad);
      const enc = encrypt(keys, msg);
      const plain = Buffer.from(enc, 'base64');
      expect(plain.length).toBe(frameLen + pad);
      expect(decrypt(keys, enc)).toBe(msg);
    }
    expect([...seen].sort((a, b) => a - b)).toEqual(Array.from({ length: 32 }, (_, i) => i + 1));
  });

  it('signs and seals a callback that opens again', () => {
    const xml = '<xml><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[你好]]></Content></xml>';
    const sealed = sealCallback(keys, xml, { timestamp: '1700000000', nonce: 'n1', agentId: '218' });
    expect(openCallback(keys, sealed.query, parseEnvelope(sealed.body).encrypt)).toBe(xml);
  });
});

describe('WeCom crypto: interoperability with @wecom/crypto@1.0.1 (independent implementation)', () => {
  const aesKey = post.inputs.encodingAESKey;

  it('decrypts what @wecom/crypto encrypts, and agrees on signatures', () => {
    for (const msg of [
      '',
      'hello',
      '调研',
      '😀'.repeat(500),
      '<xml><Content><![CDATA[a]]></Content></xml>',
    ]) {
      const theirs = wecomCrypto.encrypt(aesKey, msg, keys.receiveId);
      expect(decrypt(keys, theirs)).toBe(msg);
      expect(msgSignature('QDG6eK', '1', '2', theirs)).toBe(
        wecomCrypto.getSignature('QDG6eK', '1', '2', theirs),
      );
    }
  });

  it('produces what @wecom/crypto decrypts', () => {
    for (const msg of ['', 'hello', '调研', 'x'.repeat(4099)]) {
      const out = wecomCrypto.decrypt(aesKey, encrypt(keys, msg));
      expect(out.message).toBe(msg);
      expect(out.id).toBe(keys.receiveId);
    }
  });
});

describe('WeCom crypto: strict PKCS#7 (32-byte blocks)', () => {
  const body = frame('hello'); // 16 + 4 + 5 + 18 = 43 bytes
  const padTo = (b: Buffer, padBytes: number[]) => Buffer.concat([b, Buffer.from(padBytes)]);

  it('accepts a correct pad of 21 (43 → 64 bytes)', () => {
    expect(decrypt(keys, rawEncrypt(keys, padTo(body, Array(21).fill(21))))).toBe('hello');
  });

  it('rejects a pad byte of 0', () => {
    expect(() => decrypt(keys, rawEncrypt(keys, padTo(body, [...Array(20).fill(21), 0])))).toThrow(/padding/);
  });

  it('rejects a pad byte above 32', () => {
    const b = frame('x'.repeat(17)); // 55 bytes; + 41 = 96
    expect(() => decrypt(keys, rawEncrypt(keys, padTo(b, Array(41).fill(33))))).toThrow(/padding/);
  });

  it('rejects pad bytes that are not all equal', () => {
    expect(() => decrypt(keys, rawEncrypt(keys, padTo(body, [...Array(20).fill(20), 21])))).toThrow(
      /padding/,
    );
  });

  it('rejects a msg_len pointing past the end', () => {
    const b = frame('hello');
    b.writeUInt32BE(5000, 16);
    expect(() => decrypt(keys, rawEncrypt(keys, padTo(b, Array(21).fill(21))))).toThrow(SignatureError);
  });

  it('rejects non-base64 and partial blocks', () => {
    expect(() => decrypt(keys, 'not base64!')).toThrow(SignatureError);
    expect(() => decrypt(keys, Buffer.alloc(20).toString('base64'))).toThrow(SignatureError);
    expect(() => decrypt(keys, '')).toThrow(SignatureError);
  });
});
