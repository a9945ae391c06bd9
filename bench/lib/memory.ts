/** Peak memory of this process over a stretch of work, sampled on a timer. */
export interface MemoryPeak {
  /** Peak resident set size, MB (1 MB = 2^20 bytes). */
  rssMB: number;
  /** Peak V8 heap used, MB. */
  heapMB: number;
}

/**
 * Starts sampling `process.memoryUsage()` every `everyMs` ms; `stop()` takes one last sample
 * and returns the peaks. The timer is unref'd, so it never keeps the process alive.
 * @param everyMs sampling period, ms (default 50)
 */
export function sampleMemory(everyMs = 50): { stop(): MemoryPeak } {
  const peak = { rss: 0, heap: 0 };
  const sample = () => {
    const m = process.memoryUsage();
    peak.rss = Math.max(peak.rss, m.rss);
    peak.heap = Math.max(peak.heap, m.heapUsed);
  };
  sample();
  const timer = setInterval(sample, everyMs);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      sample();
      return { rssMB: peak.rss / 2 ** 20, heapMB: peak.heap / 2 ** 20 };
    },
  };
}

/** Percentile `p` (0–100) of `xs` by nearest rank; NaN for an empty list. */
export function percentile(xs: number[], p: number): number {
  if (!xs.length) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}
