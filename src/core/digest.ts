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
