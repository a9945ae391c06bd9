/**
 * Runs a benchmark server in its own child process, so the load generator (the parent) and the
 * server never share an event loop or, on this 2-core machine, a core.
 *
 * Parent side: {@link spawnHosted}. Child side: a module that, when started with
 * `--serve <name>`, calls {@link hostServer} with the server it builds for `<name>`.
 *
 * IPC protocol (parent → child → parent):
 * - child sends `{port}` once listening;
 * - `settle` → `{settled: {ms, cpuMicros}}` once the server has no work left in the background
 *   (e.g. bot turns dispatched after the ack): how long that took (ms) and the child's CPU time
 *   so far (user + system, µs), so the parent can take CPU per request between two settles;
 * - `stop` → `{stats}`, then the child exits.
 */
import { type ChildProcess, fork } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpuPinning } from './pin.ts';

/** What a hosted server exposes to the parent. */
export interface Hosted {
  server: http.Server;
  /** Counters reported after the run (printed with the target). */
  stats?: () => Record<string, number>;
  /** Work still running in the background after the responses went out (0 when none). */
  pending?: () => number;
}

/** The parent's handle on a hosted server. */
export interface HostedHandle {
  port: number;
  /** Waits until the server has no background work; resolves how long that took and its CPU so far. */
  settle(): Promise<Settled>;
  /** Stops the child; resolves its final stats. */
  stop(): Promise<Record<string, number> | undefined>;
  /**
   * Freezes the child (SIGSTOP) while other servers are measured, and {@link resume}s it
   * (SIGCONT). All servers share the servers' core: an idle V8 still runs GC work (the memory
   * reducer) that would land in another target's measurement. No-op off POSIX.
   */
  pause(): void;
  resume(): void;
}

/** Answer to `settle`: wait time (ms) and the child's total CPU time so far (user + system, µs). */
export interface Settled {
  ms: number;
  cpuMicros: number;
}

type Reply = { port?: number; settled?: Settled; stats?: Record<string, number> };

/**
 * Forks `moduleFile` with `--serve <name>` and waits for its port.
 * @param moduleFile absolute path of a `.ts` module that handles `--serve` (tsx's loader is
 *   inherited through `process.execArgv`)
 * @throws {Error} when the child exits before listening.
 */
let pinned: ReturnType<typeof cpuPinning> | undefined;
/** The CPU pinning of this run (load generator here, servers on the other cores), set up once. */
export const pinning = () => {
  pinned ??= cpuPinning();
  return pinned;
};

/** Ends the run's pinning: this process gets every core back (the next run pins afresh). */
export const unpin = () => {
  pinned?.release();
  pinned = undefined;
};

export async function spawnHosted(moduleFile: string, name: string): Promise<HostedHandle> {
  const child = forkServer(moduleFile, name);
  const next = <K extends keyof Reply>(key: K) =>
    new Promise<Reply[K]>((resolve, reject) => {
      const onMessage = (m: Reply) => {
        if (!(key in m)) return;
        child.off('message', onMessage);
        child.off('exit', onExit);
        resolve(m[key]);
      };
      const onExit = (code: number | null) => reject(new Error(`bench server ${name} exited with ${code}`));
      child.on('message', onMessage);
      child.once('exit', onExit);
    });
  const port = (await next('port')) as number;
  return {
    port,
    async settle() {
      const p = next('settled');
      child.send('settle');
      return (await p) as Settled;
    },
    async stop() {
      signal(child, 'SIGCONT');
      const p = next('stats');
      child.send('stop');
      return p;
    },
    pause: () => signal(child, 'SIGSTOP'),
    resume: () => signal(child, 'SIGCONT'),
  };
}

const servers = new Set<ChildProcess>();
let cleanupInstalled = false;

/**
 * Forks a bench server (`moduleFile --serve <name>`, with `BENCH_SERVER_FLAGS` added to its Node
 * flags, e.g. `--cpu-prof`), pinned to the servers' cores, and makes sure it cannot outlive this
 * process even while frozen (see {@link HostedHandle.pause}):
 * - it runs in its own session (`detached`): a shell that exits while a frozen server sits in
 *   our process group would make the kernel hang up the whole group (orphaned-group SIGHUP);
 * - on exit, SIGINT, SIGTERM or SIGHUP here, every server is woken (SIGCONT) and killed first.
 *   Only a SIGKILL of this process can leave frozen servers behind.
 */
export function forkServer(moduleFile: string, name: string): ChildProcess {
  const extra = (process.env.BENCH_SERVER_FLAGS ?? '').split(/\s+/).filter(Boolean);
  const child = fork(moduleFile, ['--serve', name], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    execArgv: [...process.execArgv, ...extra],
    detached: true,
  });
  pinning().pinServer(child.pid);
  servers.add(child);
  child.once('exit', () => servers.delete(child));
  if (!cleanupInstalled) {
    cleanupInstalled = true;
    process.once('exit', killServers);
    for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const)
      process.once(sig, () => {
        killServers();
        process.kill(process.pid, sig); // the default action, now that the handler is gone
      });
  }
  return child;
}

/** Wakes and kills every bench server still running (synchronous: safe in an `exit` handler). */
function killServers(): void {
  for (const child of servers) {
    signal(child, 'SIGCONT');
    try {
      child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
  servers.clear();
}

/** Sends `sig` to a running child; ignored where signals are not supported. */
export function signal(child: { pid?: number; exitCode: number | null }, sig: 'SIGSTOP' | 'SIGCONT'): void {
  if (process.platform === 'win32' || !child.pid || child.exitCode !== null) return;
  try {
    process.kill(child.pid, sig);
  } catch {
    // already gone
  }
}

/**
 * Child side: reports the server's port and answers `settle` / `stop` from the parent.
 * Sets a long keep-alive so the load generator's connections are never recycled mid-run.
 */
export function hostServer(h: Hosted): void {
  h.server.keepAliveTimeout = 60_000;
  process.send?.({ port: (h.server.address() as AddressInfo).port });
  process.once('disconnect', () => process.exit(0)); // the parent died: do not linger
  process.on('message', (m) => {
    if (m === 'settle') {
      const t0 = performance.now();
      const poll = () => {
        if ((h.pending?.() ?? 0) > 0) setTimeout(poll, 5);
        else {
          const cpu = process.cpuUsage();
          process.send?.({ settled: { ms: performance.now() - t0, cpuMicros: cpu.user + cpu.system } });
        }
      };
      poll();
    } else if (m === 'stop') {
      h.server.closeAllConnections();
      h.server.close(() => process.send?.({ stats: h.stats?.() ?? {} }, () => process.exit(0)));
    }
  });
}

/** The `--serve <name>` argument of a hosted child, or undefined in the parent. */
export function serveArg(argv = process.argv): string | undefined {
  const i = argv.indexOf('--serve');
  return i > 0 ? argv[i + 1] : undefined;
}

/** Listens `handler` on an ephemeral port of 127.0.0.1. */
export function listenRaw(handler: http.RequestListener): Promise<http.Server> {
  const server = http.createServer(handler);
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

/** Adds up the counters of a target's server processes (`undefined` when none reported any). */
export function sumStats(all: Array<Record<string, number> | undefined>): Record<string, number> | undefined {
  if (all.every((s) => !s)) return undefined;
  const out: Record<string, number> = {};
  for (const s of all) for (const [k, v] of Object.entries(s ?? {})) out[k] = (out[k] ?? 0) + v;
  return out;
}
