import { XMLParser } from 'fast-xml-parser';
import { wecomCallback } from './ingest.ts';
import { decrypt, wecomKeys } from '../adapters/wecom/verify.ts';
const keys = wecomKeys({ token: 'QDG6eK', encodingAESKey: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C', receiveId: 'wx5823bf96d3bd56c7' });
const bodies = Array.from({ length: 1000 }, (_, i) => wecomCallback(i).body!);
const plains = bodies.map((b) => decrypt(keys, /<Encrypt><!\[CDATA\[(.*?)\]\]>/.exec(b)![1]));
const base = { parseTagValue: false, ignoreAttributes: true, ignoreDeclaration: true, htmlEntities: false };
const mk = (o: object) => new XMLParser({ ...base, ...o });
const variants: Record<string, XMLParser> = {
  'ent,notrim': mk({ processEntities: true, trimValues: false }),
  'ent,trim': mk({ processEntities: true, trimValues: true }),
  'noent,trim': mk({ processEntities: false, trimValues: true }),
  'noent,notrim': mk({ processEntities: false, trimValues: false }),
  'noent,trim,nopi': mk({ processEntities: false, trimValues: true, ignorePiTags: true, parseAttributeValue: false, removeNSPrefix: false }),
};
const fns: Record<string, () => void> = {};
let k = 0;
for (const [n, p] of Object.entries(variants)) { fns[`plain ${n}`] = () => p.parse(plains[k++ % 1000]); fns[`env ${n}`] = () => p.parse(bodies[k++ % 1000]); }
const best: Record<string, number> = {};
for (let round = 0; round < 12; round++) for (const [name, f] of Object.entries(fns)) {
  const n = 3000; const t0 = process.hrtime.bigint(); for (let j = 0; j < n; j++) f();
  best[name] = Math.min(best[name] ?? 1e9, Number(process.hrtime.bigint() - t0) / 1000 / n);
}
for (const [n, v] of Object.entries(best)) console.log(n.padEnd(26), v.toFixed(2));
