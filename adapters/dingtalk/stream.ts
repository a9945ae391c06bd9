import { DWClient, type DWClientDownStream, TOPIC_CARD, TOPIC_ROBOT } from 'dingtalk-stream';
import type WebSocket from 'ws';
import type { Logger } from '../../src/index.ts';
import { silentLogger } from '../../src/index.ts';

/**
 * DingTalk Stream mode: an outbound WebSocket, so the bot needs no public URL.
 *
 * Built on `dingtalk-stream` 2.1.5 (`DWClient`: frame parsing, SYSTEM ping replies, EVENT acks,
 * `socketCallBackResponse`), with three changes:
 * - the gateway is opened at `{apiBase}/v1.0/gateway/connections/open` (the SDK hard-codes
 *   `https://api.dingtalk.com`), so `DINGTALK_API_BASE` can point at a local fake gateway;
 * - every CALLBACK frame (robot messages, card clicks) is acked the moment it arrives, before it
 *   is even parsed — the SDK does not ack callbacks, and DingTalk redelivers an unacked one
 *   about 60 s later — and only then handed on;
 * - reconnects use exponential backoff with jitter (the SDK retries every 1 s forever), and a
 *   ping/pong keep-alive of our own detects half-open connections (the SDK's leaks its interval
 *   on every reconnect);
 * - a frame that is not JSON or not a frame (`not json{`, `null`, a CALLBACK without headers) is
 *   logged and dropped, and the connection kept: the SDK's `onDownStream` runs `JSON.parse`
 *   unguarded inside the socket's `message` handler, so one bad frame was an uncaught
 *   exception that ended the process.
 * @see https://open.dingtalk.com/document/direction/stream-mode-protocol-access-description
 * @see https://github.com/open-dingtalk/dingtalk-stream-sdk-nodejs (dist/client.mjs of 2.1.5)
 */

/** Topics we subscribe to as CALLBACK. */
export const STREAM_TOPICS = { robot: TOPIC_ROBOT, card: TOPIC_CARD } as const;

/** Credentials, gateway origin, callback handler and reconnect tuning of a {@link DingtalkStream}. */
export interface StreamOptions {
  clientId: string;
  clientSecret: string;
  /** OpenAPI origin (`DINGTALK_API_BASE`), no trailing slash. */
  apiBase: string;
  /**
   * Receives each CALLBACK after it has been acked: its topic and parsed `data`. Must not
   * block (start async work without awaiting it).
   */
  onCallback(topic: string, data: unknown): void;
  log?: Logger;
  /** Reconnect backoff: first delay and cap in ms (default 1 s and 60 s), ±20 % jitter. */
  reconnect?: { baseMs?: number; maxMs?: number };
  /** Jitter source in [0, 1). */
  random?: () => number;
  /** Ping interval in ms; a connection with no pong for one interval is dropped (default 20 s). */
  keepAliveMs?: number;
  /** Give up on a connection attempt after this many ms (default 15 s). */
  connectTimeoutMs?: number;
}

/**
 * Delay before reconnect attempt `attempt` (0-based): `min(maxMs, baseMs · 2^attempt)` times a
 * jitter factor in [0.8, 1.2).
 */
export function backoffDelay(attempt: number, baseMs: number, maxMs: number, random: () => number): number {
  return Math.round(Math.min(maxMs, baseMs * 2 ** attempt) * (0.8 + 0.4 * random()));
}

/** Why a down-stream frame was dropped. */
export type BadFrameReason = 'not JSON' | 'not a frame' | 'handler threw';

/**
 * True for a frame the SDK can route: an object with a string `type` and a `headers` object
 * with a string `topic` (and a string `messageId` for EVENT and CALLBACK, which are acked).
 * @see https://open.dingtalk.com/document/direction/stream-mode-protocol-access-description
 */
export function isDownStreamFrame(v: unknown): v is DWClientDownStream {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return false;
  const f = v as { type?: unknown; headers?: unknown };
  if (typeof f.type !== 'string' || !f.headers || typeof f.headers !== 'object') return false;
  const h = f.headers as { topic?: unknown; messageId?: unknown };
  if (typeof h.topic !== 'string') return false;
  return f.type === 'SYSTEM' || typeof h.messageId === 'string';
}

/** `DWClient` whose gateway origin is configurable and which survives malformed frames. */
class GatewayClient extends DWClient {
  constructor(
    private readonly apiBase: string,
    opts: { clientId: string; clientSecret: string },
    private readonly onBadFrame: (reason: BadFrameReason, bytes: number, error?: unknown) => void,
  ) {
    // `subscriptions` is passed fresh: the SDK's default array is module-level and shared.
    super({
      ...opts,
      keepAlive: false,
      autoReconnect: false,
      subscriptions: [],
      ua: 'rollout-bot',
    } as ConstructorParameters<typeof DWClient>[0]);
  }

  /** `POST {apiBase}/v1.0/gateway/connections/open` → `{endpoint, ticket}` → `endpoint?ticket=…`. */
  override async getEndpoint(): Promise<this> {
    const { clientId, clientSecret, ua, subscriptions } = this.config;
    const res = await fetch(`${this.apiBase}/v1.0/gateway/connections/open`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ clientId, clientSecret, ua, subscriptions }),
      signal: AbortSignal.timeout(10_000),
    });
    if (!res.ok) throw new Error(`gateway connections/open: HTTP ${res.status}`);
    const body = (await res.json()) as { endpoint?: string; ticket?: string };
    if (!body?.endpoint || !body.ticket) throw new Error('gateway connections/open: no endpoint or ticket');
    (this as unknown as { dw_url: string }).dw_url =
      `${body.endpoint}?ticket=${encodeURIComponent(body.ticket)}`;
    return this;
  }

  /**
   * Replaces the SDK's `onDownStream` (called from the socket's `message` event, where a throw
   * is uncaught): parses and checks the frame, then routes it like the SDK does; anything
   * malformed, or a listener that throws, goes to `onBadFrame` instead.
   */
  override onDownStream(data: string): void {
    const text = String(data);
    let frame: unknown;
    try {
      frame = JSON.parse(text);
    } catch {
      // V8's SyntaxError message quotes the frame; it is not passed on.
      this.onBadFrame('not JSON', text.length);
      return;
    }
    if (!isDownStreamFrame(frame)) {
      this.onBadFrame('not a frame', text.length);
      return;
    }
    try {
      if (frame.type === 'SYSTEM') this.onSystem(frame);
      else if (frame.type === 'EVENT') this.onEvent(frame);
      else if (frame.type === 'CALLBACK') this.onCallback(frame);
    } catch (e) {
      this.onBadFrame('handler threw', text.length, e);
    }
  }

  get socketRef(): WebSocket | undefined {
    return (this as unknown as { socket?: WebSocket }).socket;
  }
}

/** One Stream connection kept open, with backoff reconnects. */
export class DingtalkStream {
  private readonly client: GatewayClient;
  private readonly log: Logger;
  private readonly random: () => number;
  private stopped = true;
  private attempt = 0;
  private timer?: NodeJS.Timeout;
  private socket?: WebSocket;
  private pinger?: NodeJS.Timeout;
  /** Counters for metrics and tests. */
  readonly stats = { connects: 0, reconnectsScheduled: 0, acks: 0, badFrames: 0 };

  constructor(private readonly opts: StreamOptions) {
    this.log = opts.log ?? silentLogger;
    this.random = opts.random ?? Math.random;
    this.client = new GatewayClient(
      opts.apiBase,
      { clientId: opts.clientId, clientSecret: opts.clientSecret },
      (reason, bytes, error) => {
        this.stats.badFrames++;
        // Size and reason only: a frame may carry users' messages.
        this.log.warn(`dingtalk stream: bad frame dropped (${reason})`, {
          bytes,
          ...(error ? { error: String((error as Error)?.message ?? error) } : {}),
        });
      },
    );
    this.client.registerCallbackListener(TOPIC_ROBOT, (f) => this.onCallbackFrame(f));
    this.client.registerCallbackListener(TOPIC_CARD, (f) => this.onCallbackFrame(f));
  }

  /** True while a connection is open. */
  get connected(): boolean {
    return this.socket?.readyState === 1;
  }

  /** Connects; resolves after the first attempt (connected, or a retry scheduled). Never rejects. */
  async start(): Promise<void> {
    this.stopped = false;
    if (!(await this.connectOnce())) this.scheduleReconnect();
  }

  /** Closes the connection and stops reconnecting. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    clearInterval(this.pinger);
    const s = this.socket;
    this.socket = undefined;
    if (s && s.readyState <= 1) s.terminate();
  }

  /** Acks first (synchronously), then parses and hands on. Never throws into the SDK. */
  private onCallbackFrame(frame: DWClientDownStream): void {
    try {
      this.client.socketCallBackResponse(frame.headers.messageId, {});
      this.stats.acks++;
    } catch (e) {
      this.log.error('dingtalk stream: ack failed', { error: String(e), topic: frame.headers?.topic });
    }
    let data: unknown;
    try {
      data = JSON.parse(frame.data);
    } catch {
      this.log.warn('dingtalk stream: callback data is not JSON', { topic: frame.headers.topic });
      return;
    }
    try {
      this.opts.onCallback(frame.headers.topic, data);
    } catch (e) {
      this.log.error('dingtalk stream: callback handler threw', {
        error: String(e),
        topic: frame.headers.topic,
      });
    }
  }

  private async connectOnce(): Promise<boolean> {
    const timeoutMs = this.opts.connectTimeoutMs ?? 15_000;
    let timer: NodeJS.Timeout | undefined;
    try {
      await this.client.getEndpoint();
      await Promise.race([
        this.client._connect(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no connection after ${timeoutMs} ms`)), timeoutMs);
        }),
      ]);
    } catch (e) {
      this.client.socketRef?.terminate();
      this.log.warn('dingtalk stream: connect failed', {
        error: String((e as Error)?.message ?? e),
        attempt: this.attempt,
      });
      return false;
    } finally {
      clearTimeout(timer);
    }
    const socket = this.client.socketRef;
    if (!socket) return false;
    if (this.stopped) {
      socket.terminate();
      return true;
    }
    this.socket = socket;
    this.attempt = 0;
    this.stats.connects++;
    socket.once('close', () => this.onClose(socket));
    socket.on('message', (raw) => this.onSystemFrame(socket, raw));
    this.keepAlive(socket);
    this.log.info('dingtalk stream: connected');
    return true;
  }

  /** A SYSTEM `disconnect` announces the server will drop us: reconnect right away. */
  private onSystemFrame(socket: WebSocket, raw: WebSocket.RawData): void {
    const s = raw.toString();
    if (!s.includes('"SYSTEM"') || !s.includes('disconnect')) return;
    try {
      const f = JSON.parse(s) as DWClientDownStream;
      if (f.type === 'SYSTEM' && f.headers?.topic === 'disconnect') socket.terminate();
    } catch {
      // not ours to judge; the SDK logs bad frames
    }
  }

  private keepAlive(socket: WebSocket): void {
    clearInterval(this.pinger);
    let alive = true;
    socket.on('pong', () => {
      alive = true;
    });
    this.pinger = setInterval(() => {
      if (!alive) {
        this.log.warn('dingtalk stream: no pong, dropping connection');
        socket.terminate();
        return;
      }
      alive = false;
      socket.ping();
    }, this.opts.keepAliveMs ?? 20_000);
    this.pinger.unref?.();
  }

  private onClose(socket: WebSocket): void {
    if (socket !== this.socket) return;
    clearInterval(this.pinger);
    this.socket = undefined;
    if (this.stopped) return;
    this.log.warn('dingtalk stream: connection closed, reconnecting');
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.stopped) return;
    const { baseMs = 1_000, maxMs = 60_000 } = this.opts.reconnect ?? {};
    const delay = backoffDelay(this.attempt++, baseMs, maxMs, this.random);
    this.stats.reconnectsScheduled++;
    clearTimeout(this.timer);
    this.timer = setTimeout(async () => {
      if (this.stopped) return;
      if (!(await this.connectOnce())) this.scheduleReconnect();
    }, delay);
    this.timer.unref?.();
  }
}
