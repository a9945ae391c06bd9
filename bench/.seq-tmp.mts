import http from 'node:http';
import { INGEST_TARGETS } from './ingest.ts';
const kind = process.argv[2];
const t = INGEST_TARGETS.find((x) => x.name === kind)!;
const { server } = await t.start();
const port = (server.address() as any).port;
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
const times: number[] = [];
for (let i = 0; i < 200; i++) {
  const r = t.request(i);
  const t0 = performance.now();
  await new Promise<void>((res, rej) => {
    const q = http.request({ host: '127.0.0.1', port, method: r.method, path: r.path, headers: r.headers, agent }, (resp) => { resp.resume(); resp.on('end', () => res()); });
    q.on('error', rej); q.end(r.body);
  });
  times.push(performance.now() - t0);
}
times.sort((a, b) => a - b);
console.log(kind, 'median ms', times[100].toFixed(2), 'p90', times[180].toFixed(2), 'max', times[199].toFixed(2));
process.exit(0);
