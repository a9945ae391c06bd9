/**
 * Webhook ingest for every platform path (issue 3), in one run with the two references of
 * `bench/ingest.ts`: (a) a bare node:http server and (b) an express 5 JSON-hello route.
 *
 * Ingest is what issue 2 defines for WeCom: verify (+ decrypt) + parse + decode + ack + dedupe +
 * hand-off. Each platform path is the real route mounted as `src/main.ts` mounts it (on the app
 * from `createHttpApp`); its `dispatch` does what the bot core does first — claim the message id
 * in the store for 48 h — and stops there (the turn is processing, after the ack). Every request
 * is a distinct, validly signed (and for WeCom/Feishu encrypted) delivery with its own message id.
 * Slack is also measured against a plain Bolt app on its default `HTTPReceiver` given the same
 * signed events, its listener decoding each event and handing it to the same dedupe hand-off
 * (like for like), and with an empty listener (Bolt alone). `BENCH_BOT_TURN=1` adds rows where
 * the WeCom and Slack routes and Bolt run the whole bot turn after the ack (survey feature,
 * MemoryStore, outbox not started: replies queued, never sent).
 *
 * Method: every server runs in its own child processes (3 per target by default, see below); the load generator (autocannon, 50
 * keep-alive connections, one request in flight each) runs in this process, so the two never
 * share an event loop. Targets are measured in interleaved rounds (a b c … a b c …) after a
 * warm-up; each round measures every process of a target in turn. Identical code in two
 * processes was measured here at up to 15% apart in CPU per request (JIT and memory-layout luck),
 * more than the margins this bench judges, so a target's figures pool several processes, and the
 * processes not under load are frozen (SIGSTOP; idle V8 processes on the servers' core still run
 * GC work that landed in other targets' figures): the
 * median req/s and the median p99 over all slices, and the server's CPU time
 * per request (user + system, from one settle to the next). Bot turns run after the ack on the
 * server's own loop; after each round the runner waits until the server has finished them, so
 * their CPU is counted. On a busy machine req/s moves with the load; CPU per request much less.
 *
 * Run alone: `npx tsx bench/ingest-platforms.ts` (BENCH_SECONDS of load per target, default 18;
 * BENCH_ROUNDS, default 3; BENCH_PROCESSES per target, default 3; slices of
 * seconds ÷ rounds ÷ processes, at least 1 s).
 */
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createDingtalkAdapter } from '../adapters/dingtalk/index.ts';
import { createFeishuAdapter } from '../adapters/feishu/index.ts';
import { createSlackAdapter } from '../adapters/slack/index.ts';
import { createWecomAdapter } from '../adapters/wecom/index.ts';
import { silentLogger } from '../src/index.ts';
import { INGEST_TARGETS, wecomCallback } from './ingest.ts';
import { adapterServer, boltServer } from './lib/bot-server.ts';
import { type Hosted, hostServer, pinning, serveArg, spawnHosted, sumStats, unpin } from './lib/host.ts';
import { inProcessCosts } from './lib/inproc-costs.ts';
import { type LoadRequest, type LoadResult, requestSource, runLoad } from './lib/load.ts';
import { benchConfig, dingtalkRequest, feishuRequest, slackRequest } from './lib/platform-requests.ts';

/** A server to measure and the requests it gets. */
export interface PlatformTarget {
  name: string;
  label: string;
  /** In the server's child process: build and listen on 127.0.0.1. */
  start(): Promise<Hosted>;
  /** In the load generator: request number `i`. */
  request(i: number): LoadRequest;
  /** Every request differs (fresh message id): built ahead, never reused. */
  unique?: boolean;
}

const cfg = benchConfig;
const opts = { log: silentLogger, bodyLimit: cfg.BODY_LIMIT };

function reference(name: string, label: string): PlatformTarget {
  const t = INGEST_TARGETS.find((x) => x.name === name);
  if (!t) throw new Error(`bench/ingest.ts has no target '${name}'`);
  return { name, label, start: t.start, request: t.request, unique: t.unique };
}

/** The ingest targets, in print order; `bare` and `express` are the references. */
export const PLATFORM_TARGETS: PlatformTarget[] = [
  reference('bare', '(a) bare node:http 200'),
  reference('express', '(b) express 5 JSON hello (the floor)'),
  {
    name: 'wecom',
    label: 'WeCom    POST /webhooks/wecom',
    start: () => adapterServer(createWecomAdapter(cfg.wecom!, opts)),
    request: wecomCallback,
    unique: true,
  },
  {
    name: 'dingtalk',
    label: 'DingTalk POST /webhooks/dingtalk (http mode)',
    start: () => adapterServer(createDingtalkAdapter(cfg, opts)),
    request: dingtalkRequest,
    unique: true,
  },
  {
    name: 'feishu',
    label: 'Feishu   POST /webhooks/feishu (encrypted)',
    start: () => adapterServer(createFeishuAdapter(cfg.feishu!, opts)),
    request: feishuRequest,
    unique: true,
  },
  {
    name: 'slack',
    label: 'Slack    POST /webhooks/slack',
    start: () => adapterServer(createSlackAdapter(cfg.slack!, opts)),
    request: slackRequest('/webhooks/slack'),
    unique: true,
  },
  {
    name: 'bolt',
    label: 'plain Bolt HTTPReceiver, same hand-off',
    start: () => boltServer('ingest'),
    request: slackRequest('/slack/events'),
    unique: true,
  },
  {
    name: 'bolt-empty',
    label: 'plain Bolt HTTPReceiver, empty listener',
    start: () => boltServer('empty'),
    request: slackRequest('/slack/events'),
    unique: true,
  },
];

/**
 * With `BENCH_BOT_TURN=1`: the same paths handing each message to a real bot that runs the whole
 * turn after the ack (informative: the turn is processing, not ingest).
 */
export const BOT_TURN_TARGETS: PlatformTarget[] = [
  {
    name: 'wecom+bot',
    label: 'WeCom  → whole bot turn',
    start: () => adapterServer(createWecomAdapter(cfg.wecom!, opts), 'bot'),
    request: wecomCallback,
    unique: true,
  },
  {
    name: 'slack+bot',
    label: 'Slack  → whole bot turn',
    start: () => adapterServer(createSlackAdapter(cfg.slack!, opts), 'bot'),
    request: slackRequest('/webhooks/slack'),
    unique: true,
  },
  {
    name: 'bolt+bot',
    label: 'plain Bolt → same whole bot turn',
    start: () => boltServer('bot'),
    request: slackRequest('/slack/events'),
    unique: true,
  },
];

const ALL_TARGETS = [...PLATFORM_TARGETS, ...BOT_TURN_TARGETS];

interface Figures {
  target: PlatformTarget;
  rps: number;
  p50: number;
  p99: number;
  p99Worst: number;
  /** Server CPU (user + system) per response, µs, including the bot turns it finished after acking. */
  cpu: number;
  backlogMs: number;
  non2xx: number;
  errors: number;
  stats: Record<string, number>;
}

const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
const SELF = fileURLToPath(import.meta.url);

/**
 * Measures every target and returns the report lines.
 * @param o `seconds` of load per target in all (default `BENCH_SECONDS` or 18), split over
 *   `rounds` (default `BENCH_ROUNDS` or 3) and `processes` per target (default
 *   `BENCH_PROCESSES` or 3), each process warmed up for 2 s; `connections` (default 50); `only` target names
 *   (the references are always measured).
 */
export async function benchIngestPlatforms(
  o: { seconds?: number; rounds?: number; processes?: number; connections?: number; only?: string[] } = {},
): Promise<string[]> {
  const seconds = o.seconds ?? Number(process.env.BENCH_SECONDS ?? 18);
  const rounds = o.rounds ?? Number(process.env.BENCH_ROUNDS ?? 3);
  const processes = Math.max(1, o.processes ?? Number(process.env.BENCH_PROCESSES ?? 3));
  const connections = o.connections ?? Number(process.env.BENCH_CONNECTIONS ?? 50);
  const pool = process.env.BENCH_BOT_TURN === '1' ? ALL_TARGETS : PLATFORM_TARGETS;
  const targets = pool.filter((t) => !o.only || ['bare', 'express', ...o.only].includes(t.name));
  const slice = Math.max(1, Math.round(seconds / rounds / processes));
  // Several processes per target: the same code measured in two processes was seen to differ by
  // up to 15% CPU per request (JIT and memory-layout luck), more than the margins measured here.
  const hosts = await Promise.all(
    targets.map((t) => Promise.all(Array.from({ length: processes }, () => spawnHosted(SELF, t.name)))),
  );
  const sources = targets.map((t) => requestSource(t.request, !!t.unique));
  const runs: Array<Array<LoadResult & { backlogMs: number; cpuMicros: number }>> = targets.map(() => []);
  const best: number[] = targets.map(() => 0);
  // Only the server under load runs; the others are frozen (see HostedHandle.pause).
  for (const h of hosts.flat()) h.pause();
  for (const [k] of targets.entries())
    for (const host of hosts[k]) {
      host.resume();
      best[k] = Math.max(best[k], (await runLoad(host.port, 2, connections, sources[k])).rps); // JIT warm-up
      await host.settle();
      host.pause();
    }
  for (let r = 0; r < rounds; r++)
    for (const [k] of targets.entries())
      for (const host of hosts[k]) {
        sources[k].prepare(Math.ceil(best[k] * slice * 1.3) + 500);
        host.resume();
        const before = await host.settle();
        const res = await runLoad(host.port, slice, connections, sources[k]);
        const after = await host.settle();
        host.pause();
        best[k] = Math.max(best[k], res.rps);
        runs[k].push({ ...res, backlogMs: after.ms, cpuMicros: after.cpuMicros - before.cpuMicros });
      }
  const figures: Figures[] = [];
  for (const [k, target] of targets.entries()) {
    const rs = runs[k];
    const sum = (f: (x: (typeof rs)[number]) => number) => rs.reduce((a, x) => a + f(x), 0);
    figures.push({
      target,
      rps: median(rs.map((x) => x.rps)),
      p50: median(rs.map((x) => x.p50)),
      p99: median(rs.map((x) => x.p99)),
      p99Worst: Math.max(...rs.map((x) => x.p99)),
      cpu:
        sum((x) => x.cpuMicros) /
        Math.max(
          1,
          sum((x) => x.total),
        ),
      backlogMs: sum((x) => x.backlogMs),
      non2xx: sum((x) => x.non2xx),
      errors: sum((x) => x.errors),
      stats: {
        ...sumStats(await Promise.all(hosts[k].map((h) => h.stop()))),
        ...(sources[k].overflow ? { builtOnTheFly: sources[k].overflow } : {}),
      },
    });
  }
  const lines = report(figures, { connections, rounds, slice, processes });
  lines.push('', '  where the time goes — in-process CPU µs per request, no HTTP, measured after the load:');
  for (const [label, us] of await inProcessCosts())
    lines.push(`    ${label.padEnd(54)} ${us.toFixed(0).padStart(6)} µs`);
  unpin();
  return lines;
}

function report(
  fs: Figures[],
  run: { connections: number; rounds: number; slice: number; processes: number },
): string[] {
  const by = (n: string) => fs.find((f) => f.target.name === n);
  const bare = by('bare');
  const floor = by('express');
  const fx = (r: number) => `${r.toFixed(2)}×`;
  const lines = [
    `${run.connections} keep-alive connections, loopback, ${run.rounds} interleaved rounds × ${run.processes} server processes × ${run.slice} s per target, after a 2 s warm-up of each process;`,
    `  each server in its own child processes, load generator (autocannon) in the parent; ${pinning().label}.`,
    '  cpu = server CPU time per request (user+system), counting the bot turns it ran after acking: the',
    '  load-independent figure on a busy machine. ×floor(cpu) = floor cpu ÷ path cpu (higher is better).',
    '',
    `  ${'path'.padEnd(47)} ${'req/s'.padStart(6)} ${'p50'.padStart(6)} ${'p99'.padStart(6)} ${'worst'.padStart(6)} ${'×bare'.padStart(6)} ${'×floor'.padStart(6)} ${'cpu/req'.padStart(8)} ${'×floor(cpu)'.padStart(11)}`,
  ];
  for (const f of fs)
    lines.push(
      `  ${f.target.label.padEnd(47)} ${f.rps.toFixed(0).padStart(6)} ${`${f.p50}ms`.padStart(6)} ${`${f.p99}ms`.padStart(6)} ${`${f.p99Worst}ms`.padStart(6)} ` +
        `${(bare ? fx(f.rps / bare.rps) : '').padStart(6)} ${(floor && f !== bare ? fx(f.rps / floor.rps) : '').padStart(6)} ` +
        `${`${f.cpu.toFixed(0)}µs`.padStart(8)} ${(floor && f !== bare ? fx(floor.cpu / f.cpu) : '').padStart(11)}`,
    );
  lines.push('');
  for (const f of fs) {
    const s = Object.entries(f.stats)
      .map(([k, v]) => `${k}=${v}`)
      .join(' ');
    const bad = f.non2xx || f.errors ? `  non2xx=${f.non2xx} errors=${f.errors}` : '';
    const backlog =
      f.backlogMs >= 1 ? ` turns still running after the load: ${f.backlogMs.toFixed(0)} ms in all` : '';
    if (s || bad || backlog) lines.push(`  ${f.target.name}: ${s}${backlog}${bad}`);
  }
  if (bare && floor)
    lines.push(
      `  express floor = ${fx(floor.rps / bare.rps)} bare by req/s, ${fx(bare.cpu / floor.cpu)} by cpu (issue: ~0.13×)`,
    );
  const verdict = (ok: boolean) => (ok ? 'met' : 'NOT met');
  if (floor)
    for (const n of ['wecom', 'dingtalk', 'feishu', 'slack']) {
      const f = by(n);
      if (f)
        lines.push(
          `  target ${n.padEnd(8)} ≥ 0.80× floor: ${verdict(f.rps >= 0.8 * floor.rps)} by req/s (${fx(f.rps / floor.rps)}), ` +
            `${verdict(floor.cpu >= 0.8 * f.cpu)} by cpu (${fx(floor.cpu / f.cpu)}); p99 ${f.p99} ms`,
        );
    }
  const pair = (ours: string, theirs: string, what: string, target: boolean) => {
    const a = by(ours);
    const b = by(theirs);
    if (a && b)
      lines.push(
        `  ${target ? 'target ' : ''}${ours} ≥ 1.00× ${what}: ${verdict(a.rps >= b.rps)} by req/s (${fx(a.rps / b.rps)}), ` +
          `${verdict(b.cpu >= a.cpu)} by cpu (${fx(b.cpu / a.cpu)}); p99 ${a.p99} vs ${b.p99} ms`,
      );
  };
  pair('slack', 'bolt', 'plain Bolt HTTPReceiver (same hand-off)', true);
  pair('slack', 'bolt-empty', 'plain Bolt HTTPReceiver with an empty listener', false);
  pair('slack+bot', 'bolt+bot', 'plain Bolt (same whole bot turn)', false);
  return lines;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const name = serveArg();
  if (name) {
    const target = ALL_TARGETS.find((t) => t.name === name);
    if (!target) throw new Error(`unknown ingest target ${name}`);
    hostServer(await target.start());
  } else for (const line of await benchIngestPlatforms()) console.log(line);
}
