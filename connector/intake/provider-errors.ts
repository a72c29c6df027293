/**
 * How a source says its provider cannot serve now. Expected failures of provider calls are values
 * (RetryDecision); these errors carry them out of a batch so the worker can act on them.
 */
import { StandingError } from '../lib/errors.ts';

/** The provider asked us to slow down: nothing of the batch was written; retry after `waitMs`. */
export class ProviderRateLimitedError extends StandingError {
  override name = 'ProviderRateLimitedError';
  constructor(
    readonly waitMs: number,
    message: string,
    /** The tenant whose provider account is limited (limits are per account), when known. */
    readonly tenant?: string,
  ) {
    super(message);
  }
}

/** A transient provider failure (5xx, network): the batch is retried with backoff. */
export class ProviderUnavailableError extends StandingError {
  override name = 'ProviderUnavailableError';
}
