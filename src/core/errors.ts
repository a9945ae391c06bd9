/**
 * Error classes with stable codes (after bolt-js `errors.ts`). Unknown errors are wrapped at
 * the edge with {@link asBotError}.
 */
export const ErrorCode = {
  ConfigInvalid: 'config_invalid',
  ContentInvalid: 'content_invalid',
  StoreCorrupt: 'store_corrupt',
  StoreIo: 'store_io',
  SignatureInvalid: 'signature_invalid',
  BadRequest: 'bad_request',
  PlatformApi: 'platform_api',
  NotFound: 'not_found',
  Unauthorized: 'unauthorized',
  Internal: 'internal',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** Base class: every error the bot raises has a `code`. */
export class BotError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Environment configuration is invalid; `issues` lists every problem, each naming its variable. */
export class ConfigError extends BotError {
  constructor(readonly issues: string[]) {
    super(
      ErrorCode.ConfigInvalid,
      issues.length === 1
        ? `invalid configuration: ${issues[0]}`
        : `invalid configuration:\n  ${issues.join('\n  ')}`,
    );
  }
}

/** A content file under `flows/` is invalid; each problem names file, entry and what is wrong. */
export class ContentError extends BotError {
  constructor(readonly problems: { file: string; line?: number; entry?: string; problem: string }[]) {
    super(
      ErrorCode.ContentInvalid,
      `invalid content:${problems.length === 1 ? ' ' : '\n  '}${problems
        .map((p) => `${p.file}${p.line ? `:${p.line}` : ''}: ${p.entry ? `${p.entry}: ` : ''}${p.problem}`)
        .join('\n  ')}`,
    );
  }
}

/** The store file cannot be read or parsed. The file is left untouched. */
export class StoreCorruptError extends BotError {
  constructor(
    readonly file: string,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(
      ErrorCode.StoreCorrupt,
      `store file ${file} is unreadable or corrupt (${detail}); it was left untouched`,
      options,
    );
  }
}

/** A webhook failed signature / decryption checks (HTTP 401). */
export class SignatureError extends BotError {
  constructor(message = 'bad signature') {
    super(ErrorCode.SignatureInvalid, message);
  }
}

/** A request could not be parsed (HTTP 400). */
export class BadRequestError extends BotError {
  constructor(message: string) {
    super(ErrorCode.BadRequest, message);
  }
}

/** Not found (HTTP 404). */
export class NotFoundError extends BotError {
  constructor(message: string) {
    super(ErrorCode.NotFound, message);
  }
}

/**
 * A platform API call failed. `retryable` tells the outbox whether to back off and retry,
 * `retryAfterMs` honours `Retry-After` / `x-ogw-ratelimit-reset`, `tokenInvalid` asks for one
 * token refetch and one retry.
 */
export class PlatformApiError extends BotError {
  readonly platform: string;
  readonly method: string;
  readonly status?: number;
  readonly errcode?: string | number;
  readonly retryable: boolean;
  readonly retryAfterMs?: number;
  readonly tokenInvalid: boolean;
  constructor(init: {
    platform: string;
    method: string;
    status?: number;
    errcode?: string | number;
    message: string;
    retryable?: boolean;
    retryAfterMs?: number;
    tokenInvalid?: boolean;
    cause?: unknown;
  }) {
    super(
      ErrorCode.PlatformApi,
      `${init.platform} ${init.method} failed${init.status ? ` (HTTP ${init.status})` : ''}${
        init.errcode !== undefined ? ` errcode=${init.errcode}` : ''
      }: ${init.message}`,
      { cause: init.cause },
    );
    this.platform = init.platform;
    this.method = init.method;
    this.status = init.status;
    this.errcode = init.errcode;
    this.retryable = init.retryable ?? false;
    this.retryAfterMs = init.retryAfterMs;
    this.tokenInvalid = init.tokenInvalid ?? false;
  }
}

/** Wraps anything thrown into a {@link BotError} (code `internal` unless it already is one). */
export function asBotError(e: unknown): BotError {
  if (e instanceof BotError) return e;
  return new BotError(ErrorCode.Internal, e instanceof Error ? e.message : String(e), { cause: e });
}
