/**
 * The sidebar's first page, asked for the moment the app is registered (ClientProvider), not after
 * React has mounted the sidebar: the history shows one render sooner. Taken once, by the same client.
 */
import type { SidebarPage } from '@standing/contracts';
import { api, settingsOf } from './api';
import type { ZafClient, ZafContext, ZafMetadata } from './zaf-client';

let first: { client: ZafClient; ticketId: string; page: Promise<SidebarPage> } | null = null;

export function prefetchSidebar(client: ZafClient, context: ZafContext, metadata: ZafMetadata, userId: number): void {
  if (context.location !== 'ticket_sidebar' || !context.ticketId) return;
  const ticketId = String(context.ticketId);
  const page = api.sidebar(client, settingsOf(metadata.settings, userId), { ticketId, about: 'all' });
  // Whoever takes it handles its failure; until then it must not count as unhandled.
  page.catch(() => undefined);
  first = { client, ticketId, page };
}

/** The prefetched first page, when it is the one asked for (same client and ticket, all, no cursor). */
export function takePrefetched(
  client: ZafClient,
  q: { ticketId: string; about: string; cursor?: string | null },
): Promise<SidebarPage> | null {
  if (!first || first.client !== client || first.ticketId !== q.ticketId || q.about !== 'all' || q.cursor) return null;
  const { page } = first;
  first = null;
  return page;
}
