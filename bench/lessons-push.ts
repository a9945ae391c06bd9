/**
 * Lesson push benchmark: the daily `lessons` job for 10,000 roster users (roles spread over the
 * six tracks in `flows/lessons`, everyone also on 全员), fired at Monday 09:30 Shanghai so every
 * track has fired (about 18k messages). Figures:
 * - planning time: `job.run(at)` — roster + progress read, per-user planning, and the outbox
 *   commits (dedupe claims + one atomic batch per user, 32 users at a time); then the same `at`
 *   again (everything deduped);
 * - messages queued;
 * - peak memory (RSS and heap, sampled every 20 ms and at each step; target < 200 MB RSS);
 * - time to drain through the real Outbox (a fresh one started on the store, as after a
 *   restart: it loads the queue from the store) into a fake WeCom adapter limited to
 *   `BENCH_SEND_RATE` messages/s overall (default 2000; WeCom's own 30/min per member is the
 *   outbox's per-lane limit and does not bind here: two messages per lane at most); 0 skips it.
 * Store: `BENCH_STORE=lowdb` (default: the production backend, durable writes in a temp dir)
 * or `memory`. Users: `BENCH_USERS` (default 10000). `BENCH_TRACE=1` prints a memory timeline
 * (RSS, heap total/used, external) every 250 ms on stderr; `BENCH_TRACE=gc` the same after a
 * full GC each time (live memory; slower).
 *
 * RSS is that of this process as `npm start` runs the product (`tsx`, no build step): measured
 * here, tsx's loader adds ~32 MB to a bare node (39 → 71 MB before any import), the modules of
 * this path another ~26 MB (source + compiled code + source maps), the 10k roster batch ~17 MB;
 * so ~115 MB before the job. A compiled build would start ~30 MB lower; the bench does not
 * assume one because the product does not ship one.
 *
 * Run: `npx tsx bench/lessons-push.ts`. Prints figures; asserts nothing.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { createWorkCalendar } from '../src/calendar/work-calendar.ts';
import type { Adapter } from '../src/core/adapter.ts';
import { Outbox } from '../src/core/outbox.ts';
import type { Store, StoreOp } from '../src/core/store.ts';
import { createLessonsJob } from '../src/lessons/job.ts';
import { loadLessons } from '../src/lessons/load.ts';
import { LowdbStore } from '../storage/lowdb.ts';
import { MemoryStore } from '../storage/memory.ts';

export interface BenchLessonsOptions {
  users?: number;
  /** Overall send rate of the fake adapter, messages/s. */
  sendRate?: number;
  store?: 'lowdb' | 'memory';
}

const ROLES = ['仓库管理员', '销售', '财务', '客服', '管理层', ''];
const AT = Date.parse('2026-03-02T02:00:00Z'); // Monday 10:00 Asia/Shanghai: every track has fired

// A full GC on demand without --expose-gc (for live-heap figures, not for the timings).
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
/** Heap in use after a full GC: what is really retained, not garbage waiting to be collected. */
const liveHeap = () => {
  gc();
  return process.memoryUsage().heapUsed;
};

const mb = (b: number) => `${(b / 1024 / 1024).toFixed(0)} MB`;
const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

/** Samples RSS and heap until stopped; `mark()` samples now (inside long synchronous stretches). */
function memoryPeak() {
  const peak = { rss: 0, heap: 0 };
  const mark = () => {
    const m = process.memoryUsage();
    peak.rss = Math.max(peak.rss, m.rss);
    peak.heap = Math.max(peak.heap, m.heapUsed);
  };
  // BENCH_TRACE=1: a timeline of memory (MB) every 250 ms on stderr, to see which phase holds
  // what; BENCH_TRACE=gc: the same after a full GC each time (live memory; slows the run).
  const trace = process.env.BENCH_TRACE ? { t0: performance.now(), last: 0 } : undefined;
  const timer = setInterval(() => {
    mark();
    if (trace && performance.now() - trace.last >= 250) {
      trace.last = performance.now();
      if (process.env.BENCH_TRACE === 'gc') gc(); // live heap (slows the run)
      const m = process.memoryUsage();
      const f = (b: number) => (b / 2 ** 20).toFixed(0).padStart(4);
      process.stderr.write(
        `${((trace.last - trace.t0) / 1000).toFixed(2).padStart(6)} s  rss ${f(m.rss)}  heapTotal ${f(m.heapTotal)}  heapUsed ${f(m.heapUsed)}  external ${f(m.external)}  arrayBuffers ${f(m.arrayBuffers)}\n`,
      );
    }
  }, 20);
  mark();
  return {
    mark,
    peak: () => peak,
    stop() {
      clearInterval(timer);
      mark();
      return peak;
    },
  };
}

/** A WeCom adapter that accepts everything at most `rate` messages/s overall. */
function fakeWecom(rate: number) {
  let next = 0;
  let sent = 0;
  const adapter: Adapter = {
    platform: 'wecom',
    async send() {
      const now = performance.now();
      next = Math.max(next, now) + 1000 / rate;
      const wait = next - now;
      if (wait > 1) await new Promise((r) => setTimeout(r, wait));
      sent++;
      return {};
    },
  };
  return { adapter, sent: () => sent };
}

/**
 * Runs the benchmark.
 * @returns printable lines.
 */
export async function benchLessonsPush(opts: BenchLessonsOptions = {}): Promise<string[]> {
  const users = opts.users ?? Number(process.env.BENCH_USERS ?? 10_000);
  const rate = opts.sendRate ?? Number(process.env.BENCH_SEND_RATE ?? 2000);
  const kind = opts.store ?? (process.env.BENCH_STORE === 'memory' ? 'memory' : 'lowdb');
  const tracks = await loadLessons(join(import.meta.dirname, '..', 'flows'));
  const dir = await mkdtemp(join(tmpdir(), 'bench-lessons-'));
  const store: Store = kind === 'lowdb' ? await LowdbStore.open({ dataDir: dir }) : new MemoryStore();
  try {
    const ops: StoreOp[] = [];
    for (let i = 0; i < users; i++) {
      const key = `wecom:u${String(i).padStart(5, '0')}`;
      const role = ROLES[i % ROLES.length];
      ops.push({
        op: 'put',
        collection: 'roster',
        key,
        value: {
          userId: key,
          name: `员工${i}`,
          department: `部门${i % 20}`,
          roles: role ? [role] : [],
          updatedAt: 0,
        },
      });
    }
    await store.batch(ops);
    const baseLive = liveHeap();
    const base = process.memoryUsage();
    const mem = memoryPeak();

    // Plan and queue with sending paused (outbox not started), so planning is measured alone.
    const planner = new Outbox({ store });
    const job = createLessonsJob({
      store,
      outbox: planner,
      tracks,
      calendar: createWorkCalendar(),
      tz: 'Asia/Shanghai',
    });
    let t = performance.now();
    const first = await job.run(AT);
    const planMs = performance.now() - t;
    mem.mark();
    const afterPlan = { ...mem.peak() };
    t = performance.now();
    const again = await job.run(AT);
    const rerunMs = performance.now() - t;
    mem.mark();
    const afterRerun = { ...mem.peak() };
    const plannedLive = liveHeap();

    // Drain: a sending outbox picks the queue up from the store (skipped when the rate is 0).
    const fake = fakeWecom(rate);
    t = performance.now();
    if (rate > 0) {
      const outbox = new Outbox({ store });
      outbox.register(fake.adapter);
      await outbox.start();
      // Poll the adapter's count only: listing the queue every tick would itself cost memory.
      while (fake.sent() < first.sent) await new Promise((r) => setTimeout(r, 50));
      await outbox.idle();
      await outbox.stop();
    }
    const drainMs = performance.now() - t;
    const peak = mem.stop();
    const drainedLive = liveHeap();

    return [
      `lessons: daily push to ${users.toLocaleString('en')} roster users (${tracks.length} tracks), ${kind} store`,
      `  planning (job.run, incl. dedupe claims + commits) ${s(planMs)}  → ${first.sent} messages queued (${Math.round(first.sent / (planMs / 1000))}/s)`,
      `  same firing again                                 ${s(rerunMs)}  → ${again.sent} queued, ${again.skipped} deduped`,
      rate > 0
        ? `  drain at ${rate}/s through Outbox + fake adapter   ${s(drainMs)}  (ideal ${s((first.sent / rate) * 1000)}; ${fake.sent()} sent)`
        : '  drain skipped (BENCH_SEND_RATE=0)',
      `  peak memory: RSS ${mb(peak.rss)} (target < 200 MB: ${peak.rss < 200 * 1024 * 1024 ? 'PASS' : 'FAIL'}), heap ${mb(peak.heap)}; ` +
        `up to the end of planning RSS ${mb(afterPlan.rss)}, heap ${mb(afterPlan.heap)}; ` +
        `of the rerun RSS ${mb(afterRerun.rss)}, heap ${mb(afterRerun.heap)}; before the job RSS ${mb(base.rss)}, heap ${mb(base.heapUsed)}`,
      `  live heap after a full GC: before ${mb(baseLive)}, with ${first.sent} messages queued ${mb(plannedLive)}, after the drain ${mb(drainedLive)}`,
    ];
  } finally {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const line of await benchLessonsPush()) console.log(line);
}
