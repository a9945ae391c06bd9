import { createCipheriv, createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { aesCbcDecryptBlocks, digestHex, pkcs7Unpadded } from '../src/index.ts';

describe('digestHex', () => {
  it('matches createHash for strings (UTF-8) and buffers', () => {
    for (const alg of ['sha1', 'sha256']) {
      expect(digestHex(alg, '调研 abc')).toBe(createHash(alg).update('调研 abc', 'utf8').digest('hex'));
      const b = randomBytes(100);
      expect(digestHex(alg, b)).toBe(createHash(alg).update(b).digest('hex'));
    }
  });
});

describe('aesCbcDecryptBlocks', () => {
  const key = randomBytes(32);
  const iv = randomBytes(16);
  it('returns every block, padding included, for 1 to 40 blocks', () => {
    for (let blocks = 1; blocks <= 40; blocks++) {
      const plain = randomBytes(blocks * 16);
      const c = createCipheriv('aes-256-cbc', key, iv).setAutoPadding(false);
      const data = Buffer.concat([c.update(plain), c.final()]);
      expect(aesCbcDecryptBlocks(key, iv, data).equals(plain)).toBe(true);
    }
  });
  it('refuses data that is not whole blocks', () => {
    expect(() => aesCbcDecryptBlocks(key, iv, randomBytes(17))).toThrow(RangeError);
  });
});

describe('pkcs7Unpadded', () => {
  it('strips 1..block bytes of padding for 16- and 32-byte blocks', () => {
    for (const block of [16, 32])
      for (let n = 1; n <= block; n++) {
        const body = Buffer.alloc(block * 2 - n, 7);
        expect(pkcs7Unpadded(Buffer.concat([body, Buffer.alloc(n, n)]), block)).toBe(body.length);
      }
  });
  it('refuses a pad byte of 0, over the block size, over the length, or unequal pad bytes', () => {
    expect(pkcs7Unpadded(Buffer.from([1, 2, 0]), 16)).toBe(-1);
    expect(pkcs7Unpadded(Buffer.alloc(32, 17), 16)).toBe(-1);
    expect(pkcs7Unpadded(Buffer.alloc(32, 17), 32)).toBe(15);
    expect(pkcs7Unpadded(Buffer.from([3, 3]), 16)).toBe(-1);
    expect(pkcs7Unpadded(Buffer.from([9, 2, 3, 3]), 16)).toBe(-1);
    expect(pkcs7Unpadded(Buffer.alloc(0), 16)).toBe(-1);
  });
});
