// The outbox's rate windows kept over a restart (see saveRates).
import type { Logger } from './adapter.ts';
import type { Store } from './store.ts';

/** Collection and key of the rate windows saved at stop. */
const RATES = 'outbox-rates';
const RATES_KEY = 'windows';

/** Saved rate windows: send times (ms, UTC) per lane and per platform, and when they were saved. */
interface RateState {
  at: number;
  lanes: Record<string, number[]>;
  apps: Record<string, number[]>;
}

/** Something holding rate limiters: the outbox queue (per lane) and its gates (per platform). */
export interface RateHolder {
  rateHistory(now: number): Record<string, number[]>;
  seedRates(history: Record<string, number[]>, now: number): void;
}

/**
 * Keeps the rate windows over a restart: `Outbox.stop()` stores the sends that still count (per
 * lane and per platform), `Outbox.start()` seeds the limiters with them ({@link loadRates}).
 * Without it a restart within a window (a DingTalk robot's minute, Feishu's 1000/min) would
 * start counting from zero and could send up to one window's worth again. A crash loses the last
 * windows (the platforms' own rate-limit answers are then retried). A store error is logged,
 * never thrown: it must not fail a shutdown.
 * @param now ms since epoch (UTC)
 */
export async function saveRates(
  store: Store,
  now: number,
  from: { lanes: RateHolder; apps: RateHolder },
  log: Logger,
): Promise<void> {
  const state: RateState = { at: now, lanes: from.lanes.rateHistory(now), apps: from.apps.rateHistory(now) };
  await store
    .put(RATES, RATES_KEY, state)
    .catch((e) => log.warn('outbox: could not save the rate windows', { error: String(e) }));
}

/**
 * Seeds `[lanes, apps]` with the windows {@link saveRates} stored (nothing when none or
 * unreadable; a read error is logged, never thrown).
 * @param now ms since epoch (UTC); saved sends later than it count as `now`
 */
export async function loadRates(
  store: Store,
  now: number,
  [lanes, apps]: [RateHolder, RateHolder],
  log: Logger,
): Promise<void> {
  const state = await store
    .get<RateState>(RATES, RATES_KEY)
    .catch((e) => log.warn('outbox: could not read the rate windows', { error: String(e) }));
  if (!state || typeof state !== 'object') return;
  lanes.seedRates(state.lanes ?? {}, now);
  apps.seedRates(state.apps ?? {}, now);
}
