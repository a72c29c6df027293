/**
 * Each source's mapping document: its built-in default and its validator, usable without a running
 * service (the CLI) as well as by the sources themselves.
 */
import { DEFAULT_SALESFORCE_MAPPING_DOCUMENT, parseSalesforceMapping } from '../../salesforce/mapping-document.ts';
import { DEFAULT_ZENDESK_MAPPING_DOCUMENT, parseMappingDocument } from '../zendesk/mapping-document.ts';
import type { IntakeSource } from '../intake/intake-inbox.ts';
import type { MappingCheck } from '../intake/intake-source.ts';

export interface MappingDocumentKind {
  defaultDocument: unknown;
  parse(document: unknown): MappingCheck<unknown>;
}

export const MAPPING_DOCUMENTS: Readonly<Record<IntakeSource, MappingDocumentKind>> = {
  zendesk: { defaultDocument: DEFAULT_ZENDESK_MAPPING_DOCUMENT, parse: parseMappingDocument },
  salesforce: { defaultDocument: DEFAULT_SALESFORCE_MAPPING_DOCUMENT, parse: parseSalesforceMapping },
};

export const MAPPING_SOURCES = Object.keys(MAPPING_DOCUMENTS) as IntakeSource[];
