/**
 * The seam between the intake (inbox, worker, quarantine, replay, admin API) and the providers.
 * Each source (connector/zendesk/source.ts, salesforce/source.ts) says how its
 * mapping document is validated, what its default is, and how a batch of its inbox rows becomes
 * standing events. Everything else is shared.
 */
import type { FieldProblem, NewStandingEvent } from '../model/standing-event.ts';
import type { Tenant } from '../tenants/tenant-registry.ts';
import type { PendingInboxRow } from './intake-inbox.ts';
import type { SourceName } from '../model/standing-event.ts';

/** What one inbox row came to. */
export type RowOutcome =
  | { outcome: 'events'; events: NewStandingEvent[] }
  /** Not yet: a companion of the same update may still arrive; process the row again at `retryAt` (epoch ms). */
  | { outcome: 'wait'; retryAt: number }
  | { outcome: 'ignored'; reason: string }
  | { outcome: 'unmappable'; reason: string; problems: FieldProblem[] }
  | { outcome: 'invalid'; problems: FieldProblem[] };

/** One outcome per row, in order, and the identity look-ups that could not be made (for the logs). */
export interface MappedRows {
  outcomes: RowOutcome[];
  skipped?: string[];
}

export type MappingCheck<M> = { ok: true; mapping: M } | { ok: false; problems: FieldProblem[] };

/** One tenant's rows of one source, with the mapping in force and the batch's clock. */
export interface SourceBatch<M> {
  tenant: Tenant;
  mapping: M;
  rows: readonly PendingInboxRow[];
  /** Epoch ms at which the batch started. */
  now: number;
}

export interface Source<M> {
  readonly name: SourceName;
  /** The built-in mapping document, served while a tenant has set none. */
  readonly defaultMappingDocument: unknown;
  /** Validates a mapping document; every problem names its path. */
  parseMapping(document: unknown): MappingCheck<M>;
  /**
   * Checks a valid document against the tenant's provider account before it is saved (e.g. that a
   * status field exists and is one the provider reports changes of); no problems when it cannot check.
   */
  checkMappingWithProvider?(tenant: string, mapping: M): Promise<FieldProblem[]>;
  /**
   * Maps one tenant's rows, one outcome per row in order. Expected provider failures are outcomes;
   * a provider asking to slow down throws ProviderRateLimitedError, an outage ProviderUnavailableError.
   */
  mapRows(batch: SourceBatch<M>): Promise<MappedRows>;
}

/**
 * Any source, whatever its mapping type: the intake hands each source only the mapping its own
 * `parseMapping` produced (methods are bivariant in their parameters, so `Source<ZendeskMapping>` is one).
 */
export type AnySource = Source<unknown>;

/**
 * A source's mapping document without the source: its default and its validator, for what runs
 * without a service (the CLI). Each provider exports one (connector/app/providers.ts lists them).
 */
export type MappingKind = Pick<AnySource, 'name' | 'defaultMappingDocument' | 'parseMapping'>;

/** The sources a deployment serves, by name. */
export type Sources = ReadonlyMap<SourceName, AnySource>;
