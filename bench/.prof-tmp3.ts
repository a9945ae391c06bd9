import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { wecomCallback } from './ingest.ts';
import { decrypt, msgSignature, wecomKeys } from '../adapters/wecom/verify.ts';
import { decodeWecomMessage } from '../adapters/wecom/decode.ts';
import { parseEnvelope } from '../adapters/wecom/xml.ts';
const keys = wecomKeys({ token: 'QDG6eK', encodingAESKey: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C', receiveId: 'wx5823bf96d3bd56c7' });
const reqs = Array.from({ length: 1000 }, (_, i) => wecomCallback(i));
const bodies = reqs.map((r) => r.body!);
const encs = bodies.map((b) => /<Encrypt><!\[CDATA\[(.*?)\]\]>/.exec(b)![1]);
const plains = encs.map((e) => decrypt(keys, e));
const parser = new XMLParser({ parseTagValue: false, ignoreAttributes: true, ignoreDeclaration: true, trimValues: false, processEntities: true, htmlEntities: false });
const fns: Record<string, (k: number) => unknown> = {
  'env validate': (k) => XMLValidator.validate(bodies[k % 1000]),
  'env parse': (k) => parser.parse(bodies[k % 1000]),
  'parseEnvelope': (k) => parseEnvelope(bodies[k % 1000]),
  'plain validate': (k) => XMLValidator.validate(plains[k % 1000]),
  'plain parse': (k) => parser.parse(plains[k % 1000]),
  'decodeWecomMessage': (k) => decodeWecomMessage(plains[k % 1000]),
  'signature': (k) => msgSignature('QDG6eK', '1700000000', String(k), encs[k % 1000]),
  'decrypt': (k) => decrypt(keys, encs[k % 1000]),
};
const best: Record<string, number> = {};
for (let round = 0; round < 15; round++) for (const [name, f] of Object.entries(fns)) {
  const n = 3000; const t0 = process.hrtime.bigint(); for (let k = 0; k < n; k++) f(k);
  const us = Number(process.hrtime.bigint() - t0) / 1000 / n; best[name] = Math.min(best[name] ?? 1e9, us);
}
for (const [k, v] of Object.entries(best)) console.log(k.padEnd(20), v.toFixed(2), 'µs (best of 15)');
