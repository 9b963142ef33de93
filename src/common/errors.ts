/** Machine-readable error codes, one per kind of failure the API reports. */
export enum ErrorCode {
  ValidationFailed = 'validation_failed',
  InvalidJson = 'invalid_json',
  PayloadTooLarge = 'payload_too_large',
  Unauthenticated = 'unauthenticated',
  Forbidden = 'forbidden',
  NotFound = 'not_found',
  Conflict = 'conflict',
  InvalidTransition = 'invalid_transition',
  PreconditionFailed = 'precondition_failed',
  PreconditionRequired = 'precondition_required',
  UnsupportedMediaType = 'unsupported_media_type',
  /** The database did not answer in time (a statement or lock over its limit, no connection to be had). */
  Unavailable = 'unavailable',
  Internal = 'internal_error',
}

const STATUS: Record<ErrorCode, number> = {
  [ErrorCode.ValidationFailed]: 400,
  [ErrorCode.InvalidJson]: 400,
  [ErrorCode.PayloadTooLarge]: 413,
  [ErrorCode.Unauthenticated]: 401,
  [ErrorCode.Forbidden]: 403,
  [ErrorCode.NotFound]: 404,
  [ErrorCode.Conflict]: 409,
  [ErrorCode.InvalidTransition]: 409,
  [ErrorCode.PreconditionFailed]: 412,
  [ErrorCode.PreconditionRequired]: 428,
  [ErrorCode.UnsupportedMediaType]: 415,
  [ErrorCode.Unavailable]: 503,
  [ErrorCode.Internal]: 500,
};

/** One problem with one field of the input. */
export interface FieldProblem {
  /** Path of the field, e.g. `occurredTo` or `subjects.3.email`. */
  field: string;
  /** The rule it broke, e.g. `isDateString`, `maxLength`, `after:occurredFrom`. */
  rule: string;
  message: string;
}

/** A failure the caller can act on. Services throw these; the filter turns them into JSON. */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown> & { problems?: FieldProblem[] },
  ) {
    super(message);
  }

  get status(): number {
    return STATUS[this.code];
  }

  static notFound(what: string, id: string): AppError {
    return new AppError(ErrorCode.NotFound, `${what} ${id} was not found`);
  }

  /** A change sent with an If-Match of a version that is no longer the resource's (412). */
  static stale(what: string, currentVersion: number): AppError {
    return new AppError(
      ErrorCode.PreconditionFailed,
      `${what} changed since you read it (now version ${currentVersion}); read it again and retry`,
      { currentVersion },
    );
  }

  static invalid(problems: FieldProblem[]): AppError {
    const first = problems[0];
    const message =
      problems.length === 1 && first
        ? `${first.field}: ${first.message}`
        : `${problems.length} fields are invalid`;
    return new AppError(ErrorCode.ValidationFailed, message, { problems });
  }
}

/**
 * A failed statement, told without what it was given. Drizzle's DrizzleQueryError writes the statement's
 * parameters into its message and stack and keeps them as a property: a responder's text, a name being
 * sealed, would reach the log (and BullMQ's record of a failed job). This keeps the statement's first
 * words, PostgreSQL's SQLSTATE and its message up to the first colon (after which PostgreSQL may quote
 * the value it refused), and the stack's frames.
 */
export class QueryFailed extends Error {
  override readonly name = 'QueryFailed';
  readonly code?: string;

  constructor(err: Error & { query: string; cause?: unknown }) {
    const cause = err.cause as { code?: unknown; message?: unknown } | undefined;
    const code = typeof cause?.code === 'string' ? cause.code : undefined;
    const said = typeof cause?.message === 'string' ? cause.message.split(':')[0] : 'failed';
    const statement = err.query.trim().split(/\s+/).slice(0, 4).join(' ');
    super(`query failed${code ? ` (${code})` : ''}: ${said} [${statement} ...]`);
    this.code = code;
    const frames = (err.stack ?? '').split('\n').filter((line) => /^\s+at /.test(line));
    this.stack = [`${this.name}: ${this.message}`, ...frames].join('\n');
  }
}

/** `err`, or for a failed statement the same without its parameters ({@link QueryFailed}). */
export function withoutParams(err: unknown): unknown {
  if (err instanceof QueryFailed || !(err instanceof Error)) return err;
  if ('params' in err && typeof (err as { query?: unknown }).query === 'string') {
    return new QueryFailed(err as unknown as Error & { query: string });
  }
  return err;
}

/** What a caught value says, for a log line (never the value itself when it is not an Error). */
export const messageOf = (err: unknown): string => {
  const clean = withoutParams(err);
  return clean instanceof Error ? clean.message : String(clean);
};
