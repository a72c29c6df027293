/**
 * As in Zendesk's React scaffold: renders its children once the app is registered with the host
 * (`client.context()` resolves on `app.registered`, or at once if it already happened), with the
 * signed-in user (id for the token claims, locale for the translations).
 */
import { createContext, useEffect, useState, type ReactNode } from 'react';
import type { ZafClient, ZafContext, ZafMetadata } from '../lib/zaf-client';
import { prefetchSidebar } from '../lib/prefetch';

export interface CurrentUser {
  id: number;
  locale: string;
  role?: string;
}

export interface ClientValue {
  client: ZafClient;
  context: ZafContext;
  metadata: ZafMetadata;
  currentUser: CurrentUser;
  /** performance.now() once registered: where "history visible" timing starts. */
  registeredAt: number;
}

export const ClientContext = createContext<ClientValue | null>(null);

export function ClientProvider({
  client,
  children,
  fallback = null,
}: {
  client: ZafClient;
  children: ReactNode;
  fallback?: ReactNode;
}) {
  const [value, setValue] = useState<ClientValue | null>(null);
  useEffect(() => {
    let live = true;
    // All three asked at once: the SDK holds get() until the app is registered.
    let registeredAt = 0;
    const context = client.context().then((c) => {
      registeredAt = performance.now();
      return c;
    });
    void Promise.all([context, client.metadata(), client.get('currentUser')]).then(([c, metadata, user]) => {
      const currentUser = (user['currentUser'] ?? { id: 0, locale: 'en' }) as CurrentUser;
      prefetchSidebar(client, c, metadata, currentUser.id);
      if (live) setValue({ client, context: c, metadata, currentUser, registeredAt });
    });
    return () => {
      live = false;
    };
  }, [client]);
  return <ClientContext.Provider value={value}>{value ? children : fallback}</ClientContext.Provider>;
}
