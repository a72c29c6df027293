/** The admin page's Quarantine tab: events the mapping could not map, whose and of which type; inspect, replay. */
import { pal } from '../lib/colors';
import { useCallback, useEffect, useState } from 'react';
import styled from 'styled-components';
import { Button } from '@zendeskgarden/react-buttons';
import { Alert } from '@zendeskgarden/react-notifications';
import { Dots } from '@zendeskgarden/react-loaders';
import { Table } from '@zendeskgarden/react-tables';
import { api, ApiError, type ConnectorSettings } from '../lib/api';
import { useI18n } from '../lib/i18n';
import type { ZafClient } from '../lib/zaf-client';
import type { QuarantinedEvent } from '@standing/contracts';
import { ErrorState, Problems } from './admin-parts';

const Row = styled.div`
  display: flex;
  gap: 8px;
  margin: 8px 0;
`;
/** The body as received, wrapped to the page's width (no sideways scrolling at the admin page's width). */
const Pre = styled.pre`
  max-height: 360px;
  overflow: auto;
  white-space: pre-wrap;
  overflow-wrap: anywhere;
  background: ${(p) => pal(p.theme, 'grey', 100)};
  padding: 8px;
  font-size: 12px;
`;

/** Whose event and which type, from the body as the provider sent it (a Zendesk event envelope). */
export function describeQuarantined(e: QuarantinedEvent): { type: string; customer: string } {
  const b = (typeof e.body === 'object' && e.body !== null ? e.body : {}) as Record<string, unknown>;
  const detail = (typeof b.detail === 'object' && b.detail !== null ? b.detail : {}) as Record<string, unknown>;
  const type = typeof b.type === 'string' ? b.type.replace('zen:event-type:', '') : e.source;
  const subject = typeof b.subject === 'string' ? b.subject.replace(/^zen:/, '').replace(':', ' ') : null;
  const email = typeof detail.email === 'string' ? detail.email : null;
  const name = typeof detail.name === 'string' ? detail.name : null;
  const who = [name, email, subject].filter(Boolean);
  return { type, customer: who.length > 0 ? who.join(' · ') : '?' };
}

export function QuarantineTab({ client, s }: { client: ZafClient; s: ConnectorSettings }) {
  const { t, locale } = useI18n();
  const [events, setEvents] = useState<QuarantinedEvent[] | null>(null);
  const [open, setOpen] = useState<string | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const reload = useCallback(() => {
    setError(null);
    api.quarantine(client, s).then(
      (p) => setEvents(p.events),
      (e: ApiError) => setError(e),
    );
  }, [client, s]);
  useEffect(reload, [reload]);
  const replay = async (id: string) => {
    try {
      const r = await api.replay(client, s, [id]);
      setNote(t(r.replayed === 1 ? 'admin.replayed_one' : 'admin.replayed_other', { n: r.replayed }));
      reload();
    } catch (e) {
      setError(e as ApiError);
    }
  };
  if (error) return <ErrorState error={error} retry={reload} />;
  if (!events) return <Dots aria-label="loading" />;
  return (
    <section aria-label={t('admin.tab_quarantine')} data-testid="quarantine-tab">
      {note ? (
        <Alert type="success" data-testid="replayed">
          <Alert.Paragraph>{note}</Alert.Paragraph>
        </Alert>
      ) : null}
      {events.length === 0 ? (
        <p data-testid="quarantine-empty">{t('admin.quarantine_empty')}</p>
      ) : (
        <Table size="small" aria-label={t('admin.tab_quarantine')} data-testid="quarantine-table">
          <Table.Head>
            <Table.HeaderRow>
              <Table.HeaderCell>{t('admin.col_customer')}</Table.HeaderCell>
              <Table.HeaderCell>{t('admin.col_type')}</Table.HeaderCell>
              <Table.HeaderCell>{t('admin.col_received')}</Table.HeaderCell>
              <Table.HeaderCell>{t('admin.col_reason')}</Table.HeaderCell>
              <Table.HeaderCell>{t('admin.col_actions')}</Table.HeaderCell>
            </Table.HeaderRow>
          </Table.Head>
          <Table.Body>
            {events.flatMap((e) => {
              const d = describeQuarantined(e);
              const row = (
                <Table.Row key={e.event_id} data-testid="quarantined" data-event-id={e.event_id}>
                  <Table.Cell data-testid="quarantined-customer">{d.customer}</Table.Cell>
                  <Table.Cell data-testid="quarantined-type">{d.type}</Table.Cell>
                  <Table.Cell>{new Date(e.received_at).toLocaleString(locale)}</Table.Cell>
                  <Table.Cell>{e.reason}</Table.Cell>
                  <Table.Cell>
                    <Row>
                      <Button
                        size="small"
                        isBasic
                        aria-expanded={open === e.event_id}
                        onClick={() => setOpen(open === e.event_id ? null : e.event_id)}
                      >
                        {t('admin.inspect')}
                      </Button>
                      <Button size="small" onClick={() => void replay(e.event_id)} data-testid="replay">
                        {t('admin.replay')}
                      </Button>
                    </Row>
                  </Table.Cell>
                </Table.Row>
              );
              if (open !== e.event_id) return [row];
              return [
                row,
                <Table.Row key={`${e.event_id}-inspect`}>
                  <Table.Cell colSpan={5}>
                    <p>
                      {t('admin.event_id')}: <code>{e.event_id}</code>
                    </p>
                    <Problems problems={e.problems} testId="quarantine-problems" />
                    <Pre data-testid="quarantine-body">{JSON.stringify(e.body, null, 2)}</Pre>
                  </Table.Cell>
                </Table.Row>,
              ];
            })}
          </Table.Body>
        </Table>
      )}
    </section>
  );
}
