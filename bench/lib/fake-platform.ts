/**
 * A fake chat-platform send API for the fan-out benchmark, run in its own child process
 * (`--serve <max>:<perMs>:<scope>`), so its work and memory are not the outbox's.
 *
 * `POST /send/<target>` answers 200 `{"ok":true}` unless accepting it would put more than `max`
 * accepted sends in the last `perMs` ms (sliding window, by arrival time) — per target
 * (`scope` = `target`) or across all targets (`scope` = `app`, an app-wide API quota) — in
 * which case it answers 429 without `Retry-After` and counts it. Stats come back on `stop`.
 */
import { pathToFileURL } from 'node:url';
import { hostServer, listenRaw, serveArg } from './host.ts';

/** Parsed `--serve` argument of the fake. */
export interface FakeLimit {
  max: number;
  perMs: number;
  scope: 'target' | 'app';
}

/** Encodes a {@link FakeLimit} as the child's `--serve` argument. */
export function fakeArg(l: FakeLimit): string {
  return `${l.max}:${l.perMs}:${l.scope}`;
}

async function serveFake(l: FakeLimit) {
  const windows = new Map<string, number[]>();
  const stats = { accepted: 0, rejected429: 0, targets: 0, firstAt: 0, lastAt: 0, maxInWindow: 0 };
  const server = await listenRaw((req, res) => {
    const target = decodeURIComponent(req.url?.slice('/send/'.length) ?? '');
    req.resume();
    req.on('end', () => {
      const now = performance.now();
      const key = l.scope === 'app' ? '*' : target;
      let w = windows.get(key);
      if (!w) {
        w = [];
        windows.set(key, w);
        stats.targets++;
      }
      let drop = 0;
      while (drop < w.length && w[drop] <= now - l.perMs) drop++;
      if (drop) w.splice(0, drop);
      if (w.length >= l.max) {
        stats.rejected429++;
        res.writeHead(429, { 'content-type': 'application/json' });
        res.end('{"ok":false,"error":"rate_limited"}');
        return;
      }
      w.push(now);
      stats.maxInWindow = Math.max(stats.maxInWindow, w.length);
      if (!stats.accepted) stats.firstAt = now;
      stats.lastAt = now;
      stats.accepted++;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"ok":true}');
    });
  });
  hostServer({
    server,
    stats: () => ({ ...stats, spanMs: Math.round(stats.lastAt - stats.firstAt) }),
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [max, perMs, scope] = (serveArg() ?? '').split(':');
  await serveFake({ max: Number(max), perMs: Number(perMs), scope: scope === 'app' ? 'app' : 'target' });
}
