import type { Clock } from './types.ts';

/**
 * An access-token cache shared by the platform APIs (WeCom `access_token`, DingTalk
 * `accessToken`): the cached token until its renewal time, else one fetch that every caller
 * arriving meanwhile shares (never two refreshes at once).
 * Renewal: `marginMs` before expiry; a token living less than twice the margin is renewed at half
 * its life.
 */
export class TokenCache {
  private cached?: { token: string; renewAt: number };
  private refreshing?: Promise<string>;
  /** How many fetches were made (metrics, tests). */
  fetches = 0;

  /**
   * @param fetchToken gets a new token and its lifetime in ms; its errors reach the callers.
   * @param clock time source (ms UTC)
   * @param marginMs renew this long before expiry (default 5 min)
   */
  constructor(
    private readonly fetchToken: () => Promise<{ token: string; ttlMs: number }>,
    private readonly clock: Clock,
    private readonly marginMs = 5 * 60_000,
  ) {}

  /** A valid token (see the class comment). */
  get(): Promise<string> {
    const c = this.cached;
    if (c && this.clock.now() < c.renewAt) return Promise.resolve(c.token);
    this.refreshing ??= this.refresh().finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  /** Drops `token` if it is still the cached one (a newer token is kept). */
  invalidate(token: string): void {
    if (this.cached?.token === token) this.cached = undefined;
  }

  private async refresh(): Promise<string> {
    this.fetches++;
    const { token, ttlMs } = await this.fetchToken();
    const m = this.marginMs;
    this.cached = { token, renewAt: this.clock.now() + (ttlMs > 2 * m ? ttlMs - m : ttlMs / 2) };
    return token;
  }
}
