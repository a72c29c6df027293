/**
 * Runs processIntakeBatch so that one bad event, or one rate-limited tenant, never holds back the
 * rest of its batch:
 * - an outage (database unreachable, provider unavailable) fails the whole batch: every job
 *   retries with backoff, and nothing is charged to the events themselves;
 * - a provider's rate limit holds back that tenant's events only (the worker delays their jobs);
 *   the batch is run again without them;
 * - any other error (PostgreSQL refusing the data, a mapper bug, a missing key) makes the batch
 *   run event by event. An event the database refuses is quarantined at once (`storage_refused`);
 *   one that fails otherwise has the failure counted in its inbox row and is retried, until it has
 *   failed `maxEventFailures` times: then it is quarantined (`processing_failed`) with the error,
 *   where an admin sees it, instead of being retried and swept forever.
 */
import { isDatabaseUnavailable, isRefusedData } from '../store/database-errors.ts';
import type { InboxKey } from './intake-inbox.ts';
import {
  emptySummary,
  processIntakeBatch,
  ProviderRateLimitedError,
  ProviderUnavailableError,
  type BatchSummary,
  type IntakeDeps,
} from './process-intake-batch.ts';

export interface IsolationOptions {
  /**
   * Failures of one event (other than outages and refused data) before it is quarantined.
   * @defaultValue 3
   */
  maxEventFailures?: number;
}

export const DEFAULT_ISOLATION_OPTIONS = { maxEventFailures: 3 } as const;

/** Why an event was quarantined after failing repeatedly. */
export const PROCESSING_FAILED = 'processing_failed';

/** An outage or a provider asking us to wait: the event itself is not at fault. */
export function isTransientFailure(err: unknown): boolean {
  return (
    isDatabaseUnavailable(err) || err instanceof ProviderUnavailableError || err instanceof ProviderRateLimitedError
  );
}

function add(into: BatchSummary, one: BatchSummary): void {
  into.stored += one.stored;
  into.duplicates += one.duplicates;
  into.ignored += one.ignored;
  into.quarantined += one.quarantined;
  for (const [k, at] of one.deferred) into.deferred.set(k, at);
  into.skippedLookups.push(...one.skippedLookups);
}

const asError = (err: unknown) => (err instanceof Error ? err : new Error(String(err)));

/**
 * Processes a batch, isolating failures as described above. Returns, per key, null (settled, or
 * nothing to do) or the error that keeps that key's job going: a transient one, or a failure not
 * yet counted `maxEventFailures` times. Throws only when the whole batch must be retried.
 */
export async function processIntakeBatchIsolating(
  deps: IntakeDeps,
  keys: readonly InboxKey[],
  options: IsolationOptions = {},
): Promise<{ summary: BatchSummary; errors: (Error | null)[] }> {
  const o = { ...DEFAULT_ISOLATION_OPTIONS, ...options };
  try {
    return { summary: await processIntakeBatch(deps, keys), errors: keys.map(() => null) };
  } catch (err) {
    if (isDatabaseUnavailable(err) || err instanceof ProviderUnavailableError) throw err;
    if (err instanceof ProviderRateLimitedError && err.tenant !== undefined) return holdTenant(deps, keys, err, o);
    if (keys.length === 1 && err instanceof ProviderRateLimitedError) return { summary: emptySummary(), errors: [err] };
  }
  const summary = emptySummary();
  const errors: (Error | null)[] = [];
  for (const key of keys) {
    try {
      add(summary, await processIntakeBatch(deps, [key]));
      errors.push(null);
    } catch (err) {
      const outcome = await settleFailure(deps, key, err, o.maxEventFailures);
      if (outcome === 'quarantined') summary.quarantined++;
      errors.push(outcome === 'retry' ? asError(err) : null);
    }
  }
  return { summary, errors };
}

/** The limited tenant's keys get the rate-limit error (their jobs wait); the others are processed. */
async function holdTenant(
  deps: IntakeDeps,
  keys: readonly InboxKey[],
  err: ProviderRateLimitedError,
  o: Required<IsolationOptions>,
): Promise<{ summary: BatchSummary; errors: (Error | null)[] }> {
  const rest = keys.filter((k) => k.tenant !== err.tenant);
  const done =
    rest.length > 0 ? await processIntakeBatchIsolating(deps, rest, o) : { summary: emptySummary(), errors: [] };
  const restErrors = done.errors[Symbol.iterator]();
  return {
    summary: done.summary,
    errors: keys.map((k) => (k.tenant === err.tenant ? err : (restErrors.next().value ?? null))),
  };
}

/** Quarantines the event if its failure is final; `gone` when it is no longer pending (settled elsewhere). */
async function settleFailure(
  deps: IntakeDeps,
  key: InboxKey,
  err: unknown,
  maxEventFailures: number,
): Promise<'quarantined' | 'retry' | 'gone'> {
  if (isTransientFailure(err)) return 'retry';
  const message = asError(err).message;
  if (isRefusedData(err)) {
    await deps.inbox.settle([
      {
        ...key,
        state: 'quarantined',
        outcome: {
          reason: 'storage_refused',
          problems: [{ path: '(event)', message: `the database refused the event: ${message}` }],
        },
        mapping_version: null,
      },
    ]);
    return 'quarantined';
  }
  const failures = await deps.inbox.recordFailure(key);
  if (failures === null) return 'gone';
  if (failures < maxEventFailures) return 'retry';
  await deps.inbox.settle([
    {
      ...key,
      state: 'quarantined',
      outcome: {
        reason: PROCESSING_FAILED,
        problems: [{ path: '(event)', message: `processing failed ${failures} times: ${message}` }],
      },
      mapping_version: null,
    },
  ]);
  return 'quarantined';
}
