import { webcrypto } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { dingtalkSign, SIGN_WINDOW_MS, verifyRobotCallback } from '../adapters/dingtalk/verify.ts';

const vectors = JSON.parse(
  readFileSync(new URL('./fixtures/dingtalk/sign-vectors.json', import.meta.url), 'utf8'),
) as {
  groupRobot: Array<{ secret: string; timestamp: string; signBase64: string; signUrlEncoded: string }>;
  appCallback: Array<{ appSecret: string; timestamp: string; sign: string }>;
};

/** An independent signer: WebCrypto HMAC and btoa, not node:crypto's createHmac. */
async function webCryptoSign(timestamp: string, secret: string): Promise<string> {
  const enc = new TextEncoder();
  const key = await webcrypto.subtle.importKey(
    'raw',
    enc.encode(secret),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign'],
  );
  const mac = new Uint8Array(await webcrypto.subtle.sign('HMAC', key, enc.encode(`${timestamp}\n${secret}`)));
  return btoa(String.fromCharCode(...mac));
}

describe('dingtalkSign', () => {
  it('matches the vectors computed with the doc’s Python sample', () => {
    for (const v of vectors.groupRobot) expect(dingtalkSign(v.timestamp, v.secret)).toBe(v.signBase64);
    for (const v of vectors.appCallback) expect(dingtalkSign(v.timestamp, v.appSecret)).toBe(v.sign);
  });

  it('agrees with a WebCrypto HMAC for other inputs, including non-ASCII secrets', async () => {
    for (const [ts, secret] of [
      ['1', 'a'],
      ['1700000000000', 'this is secret'],
      ['1767225600123', '密钥SECäß'],
    ]) {
      expect(dingtalkSign(ts, secret)).toBe(await webCryptoSign(ts, secret));
    }
  });

  it('the vectors cover +, / and = so URL-encoding is exercised', () => {
    const all = vectors.groupRobot.map((v) => v.signBase64).join('');
    expect(all).toMatch(/\+/);
    expect(all).toMatch(/\//);
    expect(all).toMatch(/=/);
  });
});

describe('verifyRobotCallback (HTTP mode)', () => {
  const v = vectors.appCallback[0];
  const t0 = Number(v.timestamp);

  it('accepts the vector at its own time and anywhere within ±1 h', () => {
    for (const now of [t0, t0 + SIGN_WINDOW_MS, t0 - SIGN_WINDOW_MS, t0 + 1234])
      expect(verifyRobotCallback({ timestamp: v.timestamp, sign: v.sign }, v.appSecret, now)).toEqual({
        ok: true,
      });
  });

  it('refuses a timestamp more than 1 h off, either way', () => {
    for (const now of [t0 + SIGN_WINDOW_MS + 1, t0 - SIGN_WINDOW_MS - 1])
      expect(verifyRobotCallback({ timestamp: v.timestamp, sign: v.sign }, v.appSecret, now)).toEqual({
        ok: false,
        reason: 'stale-timestamp',
      });
  });

  it('refuses a sign off by one character, a wrong secret, and missing or odd headers', () => {
    const flipped = (v.sign[0] === 'A' ? 'B' : 'A') + v.sign.slice(1);
    expect(verifyRobotCallback({ timestamp: v.timestamp, sign: flipped }, v.appSecret, t0)).toMatchObject({
      ok: false,
      reason: 'bad-sign',
    });
    expect(
      verifyRobotCallback({ timestamp: v.timestamp, sign: v.sign }, `${v.appSecret}x`, t0),
    ).toMatchObject({ ok: false, reason: 'bad-sign' });
    expect(
      verifyRobotCallback({ timestamp: v.timestamp, sign: `${v.sign}=` }, v.appSecret, t0),
    ).toMatchObject({ ok: false, reason: 'bad-sign' });
    expect(verifyRobotCallback({ timestamp: v.timestamp }, v.appSecret, t0)).toMatchObject({
      reason: 'missing-headers',
    });
    expect(verifyRobotCallback({ sign: v.sign }, v.appSecret, t0)).toMatchObject({
      reason: 'missing-headers',
    });
    expect(verifyRobotCallback({ timestamp: '17e11', sign: v.sign }, v.appSecret, t0)).toMatchObject({
      reason: 'bad-timestamp',
    });
  });

  it('a signature for another timestamp does not verify', () => {
    const other = String(t0 + 1);
    expect(verifyRobotCallback({ timestamp: other, sign: v.sign }, v.appSecret, t0)).toMatchObject({
      reason: 'bad-sign',
    });
  });
});
