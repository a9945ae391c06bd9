import autocannon from 'autocannon';
import { INGEST_TARGETS } from './ingest.ts';
const kind = process.argv[2]; const port = process.argv[3];
const t = INGEST_TARGETS.find((x) => x.name === kind)!;
const pool = Array.from({ length: 60000 }, (_, i) => t.request(i)); let i = 0;
const r = await autocannon({ url: `http://127.0.0.1:${port}`, connections: 50, duration: 4, requests: [{ setupRequest: (req: any) => ({ ...req, ...pool[i++ % pool.length] }) }] });
console.log('client', kind, '→ server on', port, r.requests.average, 'rps p99', r.latency.p99, 'non2xx', r.non2xx);
