/**
 * Expected failures are values, not throws: callers look at `ok` before using `value`. Every
 * `{ ok }` union of ours is an Outcome: the value, or `ok: false` with fields saying what failed
 * (`{ problems }` for invalid input, `{ error }` for a Result).
 */
export type Outcome<T, F extends object> = { ok: true; value: T } | ({ ok: false } & F);

/** An Outcome whose failure is one `error` value (a provider's, typically). */
export type Result<T, E> = Outcome<T, { error: E }>;

export const ok = <T>(value: T): { ok: true; value: T } => ({ ok: true, value });
export const err = <E>(error: E): { ok: false; error: E } => ({ ok: false, error });
