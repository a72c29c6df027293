/**
 * The providers' mapping documents, for the CLI (which runs without the service). The service's
 * providers are listed in provider-list.ts; a new provider goes in both lists.
 */
import type { MappingKind } from '../intake/intake-source.ts';
import { ZENDESK_MAPPING_KIND } from '../zendesk/mapping-document.ts';
import { SALESFORCE_MAPPING_KIND } from '../../salesforce/mapping-document.ts';

export const MAPPING_KINDS: readonly MappingKind[] = [ZENDESK_MAPPING_KIND, SALESFORCE_MAPPING_KIND];
