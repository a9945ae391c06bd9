import { execFileSync } from 'node:child_process';
import { availableParallelism } from 'node:os';

/**
 * CPU pinning for the HTTP benches: the load generator (this process) on core 0, each server on
 * the other cores (`taskset -a -cp`, every thread of the process). On this 2-core machine the
 * server and autocannon otherwise share both cores as the scheduler likes, and the req/s ratios
 * between targets swung by ±0.2 from run to run; pinned, every target gets the same core to
 * itself. `release()` gives this process every core back. Off with `BENCH_PIN=0`, and a no-op without `taskset` or with fewer than 2 cores.
 */
export function cpuPinning(): { pinServer(pid: number | undefined): void; release(): void; label: string } {
  const cores = availableParallelism();
  const usable =
    process.env.BENCH_PIN !== '0' && cores >= 2 && process.platform === 'linux' && has('taskset');
  if (!usable) return { pinServer: () => {}, release: () => {}, label: 'not pinned' };
  const rest = cores === 2 ? '1' : `1-${cores - 1}`;
  execFileSync('taskset', ['-a', '-cp', '0', String(process.pid)], { stdio: 'ignore' });
  return {
    pinServer: (pid) => {
      if (pid) execFileSync('taskset', ['-a', '-cp', rest, String(pid)], { stdio: 'ignore' });
    },
    // Back to every core (later benches in the same process spawn their own helpers).
    release: () =>
      execFileSync('taskset', ['-a', '-cp', `0-${cores - 1}`, String(process.pid)], { stdio: 'ignore' }),
    label: `load generator on core 0, servers on core ${rest}`,
  };
}

function has(cmd: string): boolean {
  try {
    execFileSync(cmd, ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
