/**
 * Keep-alive HTTP load on loopback with autocannon (a fixed number of connections, one request
 * in flight on each, no pipelining), fed from a request source so every request can differ.
 */
import autocannon from 'autocannon';

/** One request as the load generator sends it. */
export interface LoadRequest {
  method: 'GET' | 'POST';
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

/** Where requests come from: a pool built ahead, then built on the fly when it runs out. */
export interface RequestSource {
  next(): LoadRequest;
  /** Builds `n` more requests ahead of a run (so the load generator only sends). */
  prepare(n: number): void;
  /** Requests built on the fly because the prepared pool ran out. */
  readonly overflow: number;
}

/**
 * A request source over `build(i)`. With `unique`, request `i` is built once and never reused
 * (fresh message ids, so dedupe never short-circuits); without, request 0 is sent every time.
 */
export function requestSource(build: (i: number) => LoadRequest, unique: boolean): RequestSource {
  if (!unique) {
    const same = build(0);
    return { next: () => same, prepare: () => undefined, overflow: 0 };
  }
  let pool: LoadRequest[] = [];
  let at = 0;
  let i = 0;
  const src = {
    overflow: 0,
    prepare(n: number) {
      pool = pool.slice(at);
      at = 0;
      while (pool.length < n) pool.push(build(i++));
    },
    next(): LoadRequest {
      if (at < pool.length) {
        const r = pool[at];
        pool[at++] = undefined as never; // let sent requests be collected
        return r;
      }
      src.overflow++;
      return build(i++);
    },
  };
  return src;
}

/** One load run's figures. */
export interface LoadResult {
  /** Responses per second over the run (autocannon's per-second mean). */
  rps: number;
  /** Latency percentiles, ms. */
  p50: number;
  p99: number;
  /** Responses in all. */
  total: number;
  /** Wall time of the run, ms. */
  durationMs: number;
  non2xx: number;
  errors: number;
}

/**
 * Runs `connections` keep-alive connections against 127.0.0.1:`port` for `seconds`.
 * @param seconds run length, s
 */
export async function runLoad(
  port: number,
  seconds: number,
  connections: number,
  source: RequestSource,
): Promise<LoadResult> {
  const r = await autocannon({
    url: `http://127.0.0.1:${port}`,
    connections,
    duration: seconds,
    pipelining: 1,
    requests: [{ setupRequest: (req) => ({ ...req, ...source.next() }) }],
  });
  return {
    rps: r.requests.average,
    p50: r.latency.p50,
    p99: r.latency.p99,
    total: r.requests.total,
    durationMs: r.duration * 1000,
    non2xx: r.non2xx,
    errors: r.errors,
  };
}
