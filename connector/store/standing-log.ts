/**
 * The standing log: append-only, idempotent, hash-chained per tenant, personal data sealed per
 * customer. Everything the rest of the product needs from the database goes through here.
 */
import type { StoredChainRow } from '../model/chain.ts';
import type { MasterKeys } from '../model/sealing.ts';
import type { CustomerIdentities, NewStandingEvent } from '../model/standing-event.ts';
import { appendEvents, type AppendOptions, type AppendOutcome } from './log-append.ts';
import { chainRows, verifyChain, walkChain, type VerifyReport, type WalkResult } from './chain-verify.ts';
import type { Database } from './database.ts';
import { FieldValueHistory } from './field-value-history.ts';
import { InsightsStore } from './insights.ts';
import { readHistory, type History, type HistoryOptions } from './log-history.ts';
import { SubjectResolver, type SubjectResolverOptions } from './subject-resolver.ts';
import { AttributionStore } from './attribution-store.ts';

export type { ChainRow } from './chain-row.ts';
export type { VerifyReport } from './chain-verify.ts';
export { SubjectErasedWhileWritingError, type AppendOptions, type AppendOutcome } from './log-append.ts';
export {
  InvalidCursorError,
  historySubjectIds,
  type CurrentStanding,
  type History,
  type HistoryAccount,
  type HistoryOptions,
} from './log-history.ts';

export interface StandingLogOptions extends SubjectResolverOptions {
  /**
   * Rows read per query while verifying a chain.
   * @defaultValue 5000
   */
  verifyPageSize?: number;
  /**
   * When appended rows are recorded (their `recorded_at`, which retention ages them by).
   * @defaultValue () => new Date()
   */
  clock?: () => Date;
}

export class StandingLog {
  readonly subjects: SubjectResolver;
  /** The custom field values sources reported, read "as of" an event by the mappers. */
  readonly fieldValues: FieldValueHistory;
  /** The insights' rollups and reads over the log's public fields (docs/insights.md). */
  readonly insights: InsightsStore;
  /** Who made each change and how, as the sources said after the event (attribution records). */
  readonly attributions: AttributionStore;
  private readonly verifyPageSize: number;
  private readonly clock: () => Date;

  constructor(
    readonly db: Database,
    private readonly master: MasterKeys,
    options: StandingLogOptions = {},
  ) {
    this.subjects = new SubjectResolver(db, master, options);
    this.fieldValues = new FieldValueHistory(db, master);
    this.insights = new InsightsStore(db, this.subjects);
    this.attributions = new AttributionStore(db, this.subjects);
    this.verifyPageSize = options.verifyPageSize ?? 5000;
    this.clock = options.clock ?? (() => new Date());
  }

  /**
   * Appends a batch in one transaction. A source event already in the log (same tenant, source
   * system and source event id), or twice in the batch, is reported as `duplicate` and not written.
   * Outcomes come back in input order.
   */
  append(events: readonly NewStandingEvent[], options: AppendOptions = {}): Promise<AppendOutcome[]> {
    return appendEvents(
      { db: this.db, master: this.master, subjects: this.subjects, clock: this.clock },
      events,
      options,
    );
  }

  /**
   * A history, found by any identity of a person or an account: its events newest first, and for a
   * person also the events of the accounts they belong to (labelled `about: 'account'`), with each
   * subject's current status. See log-history.ts.
   */
  history(tenant: string, identities: Partial<CustomerIdentities>, options: HistoryOptions = {}): Promise<History> {
    return readHistory(this.db, this.subjects, this.attributions, tenant, identities, options);
  }

  /**
   * Walks a tenant's chain from its first retained row (or recorded boundary) to its head, as the
   * head was when the walk began: appends committed meanwhile are not read, so a live chain is
   * never reported broken.
   */
  verify(tenant: string): Promise<VerifyReport> {
    return verifyChain(this.db, tenant, this.verifyPageSize);
  }

  /**
   * Checks the rows after `start` up to `untilSeq` (all when `null`), page by page: each links to
   * the one before and hashes to what it says. Returns the last good link.
   */
  walk(tenant: string, start: { seq: number; hash: string }, untilSeq: number | null): Promise<WalkResult> {
    return walkChain(this.db, tenant, start, untilSeq, this.verifyPageSize);
  }

  /** Every retained row of a tenant's chain in seq order, exactly as hashed (with its hash), page by page. */
  rows(tenant: string): AsyncGenerator<StoredChainRow> {
    return chainRows(this.db, tenant, this.verifyPageSize);
  }

  /** Tenants that have a chain. */
  async tenants(): Promise<string[]> {
    return (await this.db.query<{ tenant: string }>('SELECT tenant FROM chain_heads ORDER BY tenant')).map(
      (r) => r.tenant,
    );
  }
}
