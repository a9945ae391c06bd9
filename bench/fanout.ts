/**
 * Fan-out benchmark (issue 3): messages through the real {@link Outbox} to a fake platform on
 * loopback (`bench/lib/fake-platform.ts`, its own child process) that answers 429 whenever its
 * own sliding-window limit would be exceeded. Reports elapsed vs ideal, the fake's 429 count,
 * retries, dead letters, send round trips, event-loop use and peak RSS/heap of this process.
 *
 * Scale: the issue's 10,000 messages at 20/s (ideal 500 s) is run with time compressed 50×:
 * 20 sends per 20 ms (1,000/s), ideal 10 s, the same burst size (20) and window shape.
 *
 * Run alone: `npx tsx bench/fanout.ts [scenario…]`.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Adapter, Address, Platform, RateLimit, Store } from '../src/index.ts';
import { Outbox, PlatformApiError, silentLogger } from '../src/index.ts';
import { createStore } from '../storage/index.ts';
import { type FakeLimit, fakeArg } from './lib/fake-platform.ts';
import { spawnHosted } from './lib/host.ts';
import { percentile, sampleMemory } from './lib/memory.ts';

/** One fan-out run. */
export interface FanoutScenario {
  name: string;
  label: string;
  messages: number;
  /** Recipient of message `i`. */
  to(i: number): Address;
  /** The outbox's `limits` option (by lane kind). */
  limits: Record<string, RateLimit[]>;
  /** What the fake platform enforces. */
  fake: FakeLimit;
  /** Ideal elapsed time, ms: messages ÷ the binding rate. */
  idealMs: number;
  store: 'lowdb' | 'memory';
  /** Give up waiting after this long, ms (the figures then say how far it got). */
  timeoutMs: number;
}

const SCALED: RateLimit = { max: 20, perMs: 20 }; // 20/s with time compressed 50×
const N = 10_000;
const robot: Address = { platform: 'dingtalk', chatType: 'group', chatId: 'robot:bench', meta: { robot: 'bench' } };

/** The scenarios, in print order. */
export const FANOUT_SCENARIOS: FanoutScenario[] = [
  {
    name: 'one-lane',
    label: `${N} msgs → one group robot lane (dingtalk:robot), 20 per 20 ms, default store (lowdb)`,
    messages: N,
    to: () => robot,
    limits: { 'dingtalk:robot': [SCALED] },
    fake: { ...SCALED, scope: 'target' },
    idealMs: (N / SCALED.max) * SCALED.perMs,
    store: 'lowdb',
    timeoutMs: 60_000,
  },
  {
    name: 'one-lane-memory',
    label: `same on the memory store (the store's share of the cost)`,
    messages: N,
    to: () => robot,
    limits: { 'dingtalk:robot': [SCALED] },
    fake: { ...SCALED, scope: 'target' },
    idealMs: (N / SCALED.max) * SCALED.perMs,
    store: 'memory',
    timeoutMs: 60_000,
  },
  {
    name: 'many-users',
    label: '2000 msgs → 2000 WeCom members (1 each), app-wide quota 20 per 20 ms at the fake, lowdb',
    messages: 2_000,
    to: (i) => ({ platform: 'wecom', chatType: 'direct', userId: `member${i}` }),
    limits: {}, // the defaults: 30/min per member; the outbox has no app-wide limit
    fake: { ...SCALED, scope: 'app' },
    idealMs: (2_000 / SCALED.max) * SCALED.perMs,
    store: 'lowdb',
    timeoutMs: 40_000,
  },
];

const TEXT =
  '【每日一课】扫码入库：1. 打开手机端「仓库」→「入库」；2. 扫描送货单二维码；3. 核对数量与批次；4. 点「确认入库」。' +
  '小测验：扫码后库存没变，最可能的原因是？回复序号作答。';

/** A tiny adapter for `platform` whose `send` POSTs to the fake with fetch (keep-alive). */
function fakeAdapter(platform: Platform, origin: string, rtts: number[]): Adapter {
  return {
    platform,
    async send(to, message, opts) {
      const target = to.meta?.robot ?? to.chatId ?? to.userId ?? '-';
      const t0 = performance.now();
      const r = await fetch(`${origin}/send/${encodeURIComponent(target)}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ text: message.text, idempotencyKey: opts.idempotencyKey }),
      });
      await r.arrayBuffer();
      rtts.push(performance.now() - t0);
      if (r.ok) return {};
      throw new PlatformApiError({
        platform,
        method: 'send',
        status: r.status,
        message: r.status === 429 ? 'rate limited by the fake platform' : 'fake platform error',
        retryable: r.status === 429 || r.status >= 500,
      });
    },
  };
}

async function openStore(kind: 'lowdb' | 'memory'): Promise<{ store: Store; cleanup(): Promise<void> }> {
  if (kind === 'memory') return { store: await createStore({ store: 'memory', dataDir: '' }), cleanup: async () => {} };
  const dir = await mkdtemp(join(process.env.BENCH_DIR ?? tmpdir(), 'bench-fanout-'));
  const store = await createStore({ store: 'lowdb', dataDir: dir, log: silentLogger });
  return {
    store,
    async cleanup() {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

const FAKE = fileURLToPath(new URL('./lib/fake-platform.ts', import.meta.url));

/** Runs one scenario; returns its report lines. */
export async function runFanout(s: FanoutScenario): Promise<string[]> {
  const fake = await spawnHosted(FAKE, fakeArg(s.fake));
  const origin = `http://127.0.0.1:${fake.port}`;
  const { store, cleanup } = await openStore(s.store);
  const rtts: number[] = [];
  const outbox = new Outbox({ store, limits: s.limits, log: silentLogger });
  for (const p of new Set(Array.from({ length: Math.min(s.messages, 100) }, (_, i) => s.to(i).platform)))
    outbox.register(fakeAdapter(p, origin, rtts));
  await outbox.start();
  const items = Array.from({ length: s.messages }, (_, i) => ({
    to: s.to(i),
    message: { text: `${TEXT} (#${i})` },
    idempotencyKey: `bench:${s.name}:${i}`,
  }));
  const mem = sampleMemory();
  const elu0 = performance.eventLoopUtilization();
  const t0 = performance.now();
  await outbox.enqueue(items);
  const enqueueMs = performance.now() - t0;
  const done = () => outbox.stats.sent + outbox.stats.dead >= s.messages;
  await new Promise<void>((resolve) => {
    const poll = setInterval(() => {
      if (done() || performance.now() - t0 > s.timeoutMs) {
        clearInterval(poll);
        resolve();
      }
    }, 10);
  });
  const elapsed = performance.now() - t0;
  const elu = performance.eventLoopUtilization(elu0).utilization;
  const peak = mem.stop();
  await outbox.stop();
  await cleanup();
  const f = (await fake.stop()) ?? {};
  const st = outbox.stats;
  return [
    `${s.label}`,
    `    elapsed ${(elapsed / 1000).toFixed(2)} s vs ideal ${(s.idealMs / 1000).toFixed(2)} s (${(elapsed / s.idealMs).toFixed(2)}×)` +
      `${done() ? '' : `  — TIMED OUT after ${s.timeoutMs / 1000} s`}; enqueue of ${s.messages} took ${enqueueMs.toFixed(0)} ms`,
    `    sent ${st.sent}/${s.messages}, 429s from the fake ${f.rejected429 ?? '?'} (target 0), retries ${st.retried}, dead ${st.dead}; ` +
      `fake saw at most ${f.maxInWindow ?? '?'} in any ${s.fake.perMs} ms (limit ${s.fake.max})`,
    `    send round trip p50 ${percentile(rtts, 50).toFixed(2)} ms p99 ${percentile(rtts, 99).toFixed(2)} ms; ` +
      `event loop busy ${(elu * 100).toFixed(0)}%; peak RSS ${peak.rssMB.toFixed(0)} MB, heap ${peak.heapMB.toFixed(0)} MB`,
  ];
}

/**
 * Runs the fan-out scenarios (all, or those named) and returns the report lines.
 * @param names scenario names (default: all of {@link FANOUT_SCENARIOS})
 */
export async function benchFanout(names?: string[]): Promise<string[]> {
  const lines = [
    'scale: the issue\'s 10,000 msgs at 20/s (ideal 500 s) run 50× faster: 20 per 20 ms; fake in its own process.',
  ];
  for (const s of FANOUT_SCENARIOS.filter((x) => !names?.length || names.includes(x.name)))
    lines.push(...(await runFanout(s)));
  return lines;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href)
  for (const line of await benchFanout(process.argv.slice(2))) console.log(line);
