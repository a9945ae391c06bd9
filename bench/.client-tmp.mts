import autocannon from 'autocannon';
import { INGEST_TARGETS } from '/work/main/bench/ingest.ts';
const t = INGEST_TARGETS.find((x) => x.name === process.argv[2])!;
const pool = Array.from({ length: 60000 }, (_, i) => t.request(i)); let i = 0;
const r = await autocannon({ url: `http://127.0.0.1:${process.argv[3]}`, connections: 50, duration: 5, requests: [{ setupRequest: (req: any) => ({ ...req, ...pool[i++ % pool.length] }) }] });
console.log(t.name, r.requests.average, 'rps p99', r.latency.p99, 'non2xx', r.non2xx);
