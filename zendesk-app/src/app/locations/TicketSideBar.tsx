/** ticket_sidebar: the standing of the ticket's requester and organization, warnings, timeline. */
import { pal } from '../lib/colors';
import { startTransition, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import styled from 'styled-components';
import { Button } from '@zendeskgarden/react-buttons';
import { Alert } from '@zendeskgarden/react-notifications';
import { Skeleton } from '@zendeskgarden/react-loaders';
import { useClient } from '../hooks/useClient';
import { api, ApiError, settingsOf } from '../lib/api';
import { useI18n, type Translate } from '../lib/i18n';
import { codeText, exactTime, groupTimeline, relativeTime } from '../lib/timeline';
import type { SidebarPage, StandingEvent, StandingWarning } from '@standing/contracts';
import { Filters, type AboutFilter, type KindFilter } from '../components/Filters';
import { SidebarError } from '../components/SidebarError';
import { StandingBadge } from '../components/StandingBadge';
import { StateMessage } from '../components/StateMessage';
import { TimelineEntry } from '../components/TimelineEntry';
import { ActionsPanel } from '../components/ActionsPanel';
import { takePrefetched } from '../lib/prefetch';

type Load =
  | { state: 'loading' }
  | { state: 'error'; error: ApiError }
  | { state: 'ready'; data: SidebarPage; events: StandingEvent[]; more: boolean };

const Wrap = styled.main`
  padding: 8px 4px 12px;
  max-width: 320px;
  font-size: 12px;
`;
const Bar = styled.div`
  display: flex;
  align-items: center;
  justify-content: space-between;
  gap: 8px;
  margin: 8px 0;
  color: ${(p) => pal(p.theme, 'grey', 700)};
`;
const List = styled.ol`
  list-style: none;
  margin: 8px 0;
  padding: 0;
`;
const H = styled.h1`
  font-size: 13px;
  font-weight: 600;
  margin: 0 0 6px;
`;
const Stack = styled.div`
  display: grid;
  gap: 6px;
  margin: 8px 0;
`;

/**
 * Entries rendered with the first page: what the 320 px sidebar's first fold can show below the
 * badges. The rest follow in the next task (a transition), so the first history is painted without
 * waiting for the whole timeline's components; until then the list is `aria-busy`.
 */
export const FIRST_FOLD_ENTRIES = 5;

/** Garden's alert, tightened for a 320 px sidebar (the icon keeps its 40 px gutter). */
const COMPACT_ALERT = { padding: '8px 12px 8px 40px', fontSize: 12, lineHeight: '16px' } as const;

/** Warnings of one kind about one subject shown once, with how many there are (unapproved reinstatements repeat). */
function groupWarnings(warnings: readonly StandingWarning[]): { w: StandingWarning; count: number }[] {
  const groups = new Map<string, { w: StandingWarning; count: number }>();
  for (const w of warnings) {
    const key =
      w.code === 'reinstatement_without_approval'
        ? `${w.code}:${w.about}`
        : `${w.code}:${w.about}:${w.event_ids.join()}`;
    const g = groups.get(key);
    if (g) g.count++;
    else groups.set(key, { w, count: 1 });
  }
  return [...groups.values()];
}

/** A warning's numbers and codes as the sentence needs them: a reason code in words, never raw. */
const warningParams = (t: Translate, w: StandingWarning) =>
  Object.fromEntries(
    Object.entries(w.details).map(([k, v]) => [
      k,
      k === 'reason_code' && typeof v === 'string' ? codeText(t, 'reason', v) : v,
    ]),
  );

const matchesKind = (k: KindFilter, kind: string) =>
  k === 'all' ||
  (k === 'deactivations'
    ? kind === 'deactivation'
    : [
        'reinstatement',
        'reinstatement_requested',
        'verification_recorded',
        'reinstatement_approved',
        'reinstatement_denied',
      ].includes(kind));

export function TicketSideBar() {
  const { client, metadata, currentUser, context, registeredAt } = useClient();
  const { t, locale } = useI18n();
  const settings = useMemo(() => settingsOf(metadata.settings, currentUser.id), [metadata, currentUser]);
  const [ticketId, setTicketId] = useState<string | null>(context.ticketId ? String(context.ticketId) : null);
  const [about, setAbout] = useState<AboutFilter>('all');
  const [kind, setKind] = useState<KindFilter>('all');
  const [load, setLoad] = useState<Load>({ state: 'loading' });
  const [loadingMore, setLoadingMore] = useState(false);
  const firstPaint = useRef(false);
  const [allEntries, setAllEntries] = useState(false);

  useEffect(() => {
    if (ticketId) return;
    void client.get('ticket.id').then((r) => setTicketId(String(r['ticket.id'])));
  }, [client, ticketId]);

  const fetchPage = useCallback(
    async (cursor: string | null) => {
      const q = { ticketId: ticketId ?? '', about, cursor };
      return takePrefetched(client, q) ?? api.sidebar(client, settings, q);
    },
    [client, settings, ticketId, about],
  );

  const refresh = useCallback(() => {
    if (!ticketId) return;
    setLoad({ state: 'loading' });
    fetchPage(null).then(
      (data) => setLoad({ state: 'ready', data, events: data.events, more: data.next_cursor !== null }),
      (error: unknown) =>
        setLoad({
          state: 'error',
          error: error instanceof ApiError ? error : new ApiError('unreachable', 0, String(error)),
        }),
    );
  }, [fetchPage, ticketId]);

  useEffect(refresh, [refresh]);

  /** After an action: the new page replaces the old one when it arrives, without a loading state. */
  const reload = useCallback(() => {
    fetchPage(null).then(
      (data) => setLoad({ state: 'ready', data, events: data.events, more: data.next_cursor !== null }),
      () => undefined,
    );
  }, [fetchPage]);

  useEffect(() => {
    if (load.state !== 'ready' || firstPaint.current) return;
    firstPaint.current = true;
    // Measured, not asserted: read by the browser test and printed by the demo.
    const ms = Math.round(performance.now() - registeredAt);
    (window as unknown as { __standingHistoryVisibleMs?: number }).__standingHistoryVisibleMs = ms;
  }, [load, registeredAt]);

  // The rest of the timeline once the first fold is painted (FIRST_FOLD_ENTRIES).
  useEffect(() => {
    if (load.state !== 'ready' || allEntries) return;
    const rest = setTimeout(() => startTransition(() => setAllEntries(true)), 0);
    return () => clearTimeout(rest);
  }, [load, allEntries]);

  // Every state fits its frame (an error or an open actions panel too), not only the first history.
  useEffect(() => {
    const fit = () =>
      void client
        .invoke('resize', { width: '100%', height: `${Math.min(document.body.scrollHeight + 16, 1200)}px` })
        .catch(() => undefined);
    fit();
    const observer = typeof ResizeObserver === 'undefined' ? null : new ResizeObserver(fit);
    observer?.observe(document.body);
    return () => observer?.disconnect();
  }, [load, client]);

  const loadMore = () => {
    if (load.state !== 'ready' || !load.data.next_cursor) return;
    setLoadingMore(true);
    fetchPage(load.data.next_cursor)
      .then(
        (next) =>
          setLoad({
            state: 'ready',
            data: { ...load.data, next_cursor: next.next_cursor },
            events: [...load.events, ...next.events],
            more: next.next_cursor !== null,
          }),
        (error: unknown) =>
          setLoad({
            state: 'error',
            error: error instanceof ApiError ? error : new ApiError('unreachable', 0, String(error)),
          }),
      )
      .finally(() => setLoadingMore(false));
  };

  const header = <H id="standing-title">{t('sidebar.title')}</H>;

  if (load.state === 'loading') {
    return (
      <Wrap aria-labelledby="standing-title" aria-busy="true" data-testid="state-loading">
        {header}
        <span role="status">{t('sidebar.loading')}</span>
        <Skeleton height="16px" />
        <Skeleton height="16px" width="70%" />
        <Skeleton height="48px" />
      </Wrap>
    );
  }
  if (load.state === 'error') {
    return (
      <Wrap aria-labelledby="standing-title">
        {header}
        <SidebarError error={load.error} onRetry={refresh} />
      </Wrap>
    );
  }

  const { data } = load;
  const entries = groupTimeline(load.events).filter((e) => matchesKind(kind, e.event.kind));
  const shown = allEntries ? entries : entries.slice(0, FIRST_FOLD_ENTRIES);
  const complete = shown.length === entries.length;
  const personEvents = load.events.filter((e) => e.about === 'person');
  const accountEvents = load.events.filter((e) => e.about === 'account');
  return (
    <Wrap aria-labelledby="standing-title" data-testid="sidebar">
      {header}
      {data.person ? (
        <StandingBadge
          label={t('sidebar.person')}
          current={data.person.current}
          events={personEvents}
          testId="badge-person"
        />
      ) : null}
      {data.accounts.map((a) => (
        <StandingBadge
          key={a.subject_id}
          label={t('sidebar.account')}
          current={a.current}
          events={accountEvents}
          testId="badge-account"
        />
      ))}
      {data.quarantined > 0 ? (
        <Alert type="warning" data-testid="state-quarantine" style={COMPACT_ALERT}>
          <Alert.Paragraph>{t('sidebar.quarantined', { n: data.quarantined })}</Alert.Paragraph>
        </Alert>
      ) : null}
      {data.warnings.length > 0 ? (
        <Stack role="region" aria-label={t('sidebar.warnings')}>
          {groupWarnings(data.warnings).map(({ w, count }) => (
            <Alert
              key={`${w.code}-${w.event_ids.join()}`}
              type="warning"
              data-testid="warning"
              data-code={w.code}
              style={COMPACT_ALERT}
            >
              <Alert.Paragraph>
                <strong>{w.about === 'person' ? t('sidebar.person') : t('sidebar.account')}:</strong>{' '}
                {count > 1 && w.code === 'reinstatement_without_approval'
                  ? t('warning.reinstatement_without_approval_many', { n: count })
                  : t(`warning.${w.code}`, warningParams(t, w))}
              </Alert.Paragraph>
            </Alert>
          ))}
        </Stack>
      ) : null}
      <ActionsPanel
        settings={settings}
        ticketId={ticketId ?? ''}
        hasOrganization={data.ticket.organization_id !== null}
        onRecorded={reload}
      />
      <Filters
        kind={kind}
        about={about}
        showAbout={data.accounts.length > 0 || data.ticket.organization_id !== null}
        onKind={setKind}
        onAbout={setAbout}
      />
      <Bar>
        <span data-testid="last-synced">
          {t('sidebar.last_synced', { when: '' })}
          <time dateTime={data.synced_at} title={exactTime(data.synced_at, locale)}>
            {relativeTime(locale, data.synced_at)}
          </time>
        </span>
        <Button size="small" isBasic onClick={refresh} data-testid="refresh">
          {t('sidebar.refresh')}
        </Button>
      </Bar>
      {load.events.length === 0 ? (
        <StateMessage testId="state-empty" type="info" title={t('sidebar.timeline')} text={t('sidebar.empty')} />
      ) : entries.length === 0 ? (
        <p data-testid="state-empty-filtered">{t('sidebar.empty_filtered')}</p>
      ) : (
        <List
          aria-label={t('sidebar.timeline')}
          aria-busy={complete ? undefined : true}
          data-testid="timeline"
          data-complete={complete}
        >
          {shown.map((e) => (
            <TimelineEntry key={e.event.id} entry={e} />
          ))}
        </List>
      )}
      {load.more && complete ? (
        <Button size="small" isStretched onClick={loadMore} disabled={loadingMore} data-testid="load-more">
          {t('sidebar.load_more')}
        </Button>
      ) : null}
    </Wrap>
  );
}
