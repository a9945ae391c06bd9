import * as crypto from 'node:crypto';

// `crypto.hash` (Node ≥ 20.12) hashes in one call without a Hash object: cheaper on webhook hot
// paths (signature checks run on every delivery). Older Node falls back to createHash.
const oneShot = (crypto as { hash?: (alg: string, data: string | Buffer, enc: 'hex') => string }).hash;

/**
 * Hex digest of `data` (a string is hashed as UTF-8) with `algorithm` (`sha1`, `sha256`, …).
 * @throws {Error} from node:crypto for an unknown algorithm.
 */
export function digestHex(algorithm: string, data: string | Buffer): string {
  return oneShot ? oneShot(algorithm, data, 'hex') : crypto.createHash(algorithm).update(data).digest('hex');
}

/**
 * AES-256-CBC decryption of whole 16-byte blocks, padding left in place (the caller checks and
 * strips it: WeCom pads to 32-byte blocks, which OpenSSL's PKCS#7 unpadding would refuse).
 *
 * Only `update()` is called: with padding off OpenSSL returns every block from it, and the
 * `final()` that would follow returns nothing yet cost ~3 µs per call here (half the whole
 * decryption of a WeCom callback), on every webhook delivery.
 * @param key 32 bytes (or its KeyObject); `iv` 16 bytes; `data` a multiple of 16 bytes
 * @returns the plaintext with its padding, `data.length` bytes
 * @throws {RangeError} when `data` is not whole blocks; node:crypto errors for a bad key or IV.
 */
export function aesCbcDecryptBlocks(key: crypto.KeyObject | Buffer, iv: Buffer, data: Buffer): Buffer {
  if (data.length % 16 !== 0) throw new RangeError('AES-CBC data must be whole 16-byte blocks');
  return crypto.createDecipheriv('aes-256-cbc', key, iv).setAutoPadding(false).update(data);
}

/**
 * Length of `plain` without its PKCS#7 padding for `blockSize`-byte blocks (16 for AES, 32 for
 * WeCom), or -1 when the padding is malformed: the last byte `n` must be 1..blockSize, at most
 * the length, and the last `n` bytes must all equal `n`.
 * @see https://www.rfc-editor.org/rfc/rfc5652#section-6.3
 */
export function pkcs7Unpadded(plain: Buffer, blockSize: number): number {
  const pad = plain.length ? plain[plain.length - 1] : 0;
  if (pad < 1 || pad > blockSize || pad > plain.length) return -1;
  for (let i = plain.length - pad; i < plain.length; i++) if (plain[i] !== pad) return -1;
  return plain.length - pad;
}
