/**
 * nav_bar (Zendesk admins): mapping (view, edit, preview, save), quarantine (inspect, replay), reconciliation, warning
 * thresholds, API keys issued and revoked.
 */
import { pal } from '../lib/colors';
import { useCallback, useEffect, useMemo, useState } from 'react';
import styled from 'styled-components';
import { Button } from '@zendeskgarden/react-buttons';
import { Field, Textarea } from '@zendeskgarden/react-forms';
import { Alert } from '@zendeskgarden/react-notifications';
import { Dots } from '@zendeskgarden/react-loaders';
import { Table } from '@zendeskgarden/react-tables';
import { useClient } from '../hooks/useClient';
import { api, ApiError, settingsOf, type ConnectorSettings } from '../lib/api';
import { useI18n } from '../lib/i18n';
import type { CurrentMapping, FieldProblem, MappingPreviewRow, QuarantinedEvent } from '@standing/contracts';
import type { ZafClient } from '../lib/zaf-client';
import { ErrorState, Problems } from './admin-parts';
import { WarningSettingsTab } from './WarningSettingsTab';
import { ReconciliationTab } from './ReconciliationTab';
import { KeysTab } from './KeysTab';

type Tab = 'mapping' | 'quarantine' | 'reconciliation' | 'warnings' | 'keys';

const Page = styled.main`
  padding: 16px 24px;
  max-width: 1100px;
`;
const Tabs = styled.div`
  display: flex;
  gap: 8px;
  margin: 12px 0 16px;
`;
const Row = styled.div`
  display: flex;
  gap: 8px;
  margin: 8px 0;
`;
const Pre = styled.pre`
  max-height: 280px;
  overflow: auto;
  background: ${(p) => pal(p.theme, 'grey', 100)};
  padding: 8px;
  font-size: 12px;
`;

function MappingTab({ client, s }: { client: ZafClient; s: ConnectorSettings }) {
  const { t } = useI18n();
  const [mapping, setMapping] = useState<CurrentMapping | null>(null);
  const [text, setText] = useState('');
  const [problems, setProblems] = useState<FieldProblem[]>([]);
  const [jsonError, setJsonError] = useState<string | null>(null);
  const [preview, setPreview] = useState<MappingPreviewRow[] | null>(null);
  const [saved, setSaved] = useState<number | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);

  const reload = useCallback(() => {
    setError(null);
    api.mapping(client, s).then(
      (m) => {
        setMapping(m);
        setText(JSON.stringify(m.document, null, 2));
      },
      (e: ApiError) => setError(e),
    );
  }, [client, s]);
  useEffect(reload, [reload]);

  const draft = (): unknown => {
    setJsonError(null);
    try {
      return JSON.parse(text) as unknown;
    } catch (e) {
      setJsonError(t('admin.invalid_json', { message: (e as Error).message }));
      return undefined;
    }
  };
  const run = async (what: 'preview' | 'save') => {
    const doc = draft();
    if (doc === undefined) return;
    setBusy(true);
    setProblems([]);
    setSaved(null);
    try {
      if (what === 'preview') setPreview((await api.preview(client, s, doc)).events);
      else {
        const m = await api.saveMapping(client, s, doc);
        // A saved version is the tenant's own, never the built-in default.
        setMapping({ ...m, is_default: false });
        setSaved(m.version);
      }
    } catch (e) {
      if (e instanceof ApiError && e.kind === 'invalid')
        setProblems(e.problems.length > 0 ? e.problems : [{ path: '(root)', message: e.message }]);
      else setError(e as ApiError);
    } finally {
      setBusy(false);
    }
  };

  if (error) return <ErrorState error={error} retry={reload} />;
  if (!mapping) return <Dots aria-label="loading" />;
  return (
    <section aria-label={t('admin.tab_mapping')} data-testid="mapping-tab">
      <p>
        {mapping.is_default ? t('admin.mapping_default') : t('admin.mapping_version', { version: mapping.version })}
      </p>
      <Field>
        <Field.Label>{t('admin.mapping_document')}</Field.Label>
        <Field.Hint>{t('admin.mapping_hint')}</Field.Hint>
        <Textarea
          data-testid="mapping-editor"
          minRows={12}
          maxRows={20}
          value={text}
          spellCheck={false}
          style={{ fontFamily: 'monospace', fontSize: 12 }}
          validation={problems.length > 0 || jsonError ? 'error' : undefined}
          onChange={(e) => setText(e.target.value)}
        />
        {jsonError ? <Field.Message validation="error">{jsonError}</Field.Message> : null}
      </Field>
      <Problems problems={problems} testId="mapping-problems" />
      <Row>
        <Button onClick={() => void run('preview')} disabled={busy} data-testid="preview">
          {t('admin.preview')}
        </Button>
        <Button isPrimary onClick={() => void run('save')} disabled={busy} data-testid="save">
          {t('admin.save')}
        </Button>
      </Row>
      {saved !== null ? (
        <Alert type="success" data-testid="saved">
          <Alert.Paragraph>{t('admin.saved', { version: saved })}</Alert.Paragraph>
        </Alert>
      ) : null}
      {preview ? <PreviewTable rows={preview} /> : null}
    </section>
  );
}

function PreviewTable({ rows }: { rows: MappingPreviewRow[] }) {
  const { t } = useI18n();
  if (rows.length === 0) return <p>{t('admin.no_events')}</p>;
  return (
    <Table size="small" data-testid="preview-table" aria-label={t('admin.preview_title', { n: rows.length })}>
      <Table.Caption>{t('admin.preview_title', { n: rows.length })}</Table.Caption>
      <Table.Head>
        <Table.HeaderRow>
          <Table.HeaderCell>{t('admin.col_event')}</Table.HeaderCell>
          <Table.HeaderCell>{t('admin.col_type')}</Table.HeaderCell>
          <Table.HeaderCell>{t('admin.col_now')}</Table.HeaderCell>
          <Table.HeaderCell>{t('admin.col_draft')}</Table.HeaderCell>
        </Table.HeaderRow>
      </Table.Head>
      <Table.Body>
        {rows.map((r) => (
          <Table.Row key={r.event_id}>
            <Table.Cell>{r.event_id.slice(0, 18)}</Table.Cell>
            <Table.Cell>{r.type.replace('zen:event-type:', '')}</Table.Cell>
            <Table.Cell>{r.current_state}</Table.Cell>
            <Table.Cell>
              {r.outcome === 'events'
                ? (r.events ?? [])
                    .map(
                      (e) =>
                        `${e.kind}${e.status.after ? ` → ${e.status.after}` : ''}` +
                        (e.reason_code ? ` (${e.reason_code})` : ''),
                    )
                    .join('; ')
                : `${r.outcome}${r.reason ? `: ${r.reason}` : ''}`}
            </Table.Cell>
          </Table.Row>
        ))}
      </Table.Body>
    </Table>
  );
}

function QuarantineTab({ client, s }: { client: ZafClient; s: ConnectorSettings }) {
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
              <Table.HeaderCell>{t('admin.col_event')}</Table.HeaderCell>
              <Table.HeaderCell>{t('admin.col_received')}</Table.HeaderCell>
              <Table.HeaderCell>{t('admin.col_reason')}</Table.HeaderCell>
              <Table.HeaderCell> </Table.HeaderCell>
            </Table.HeaderRow>
          </Table.Head>
          <Table.Body>
            {events.map((e) => (
              <Table.Row key={e.event_id} data-testid="quarantined" data-event-id={e.event_id}>
                <Table.Cell>
                  {e.event_id}
                  {open === e.event_id ? (
                    <>
                      <Problems problems={e.problems} testId="quarantine-problems" />
                      <Pre data-testid="quarantine-body">{JSON.stringify(e.body, null, 2)}</Pre>
                    </>
                  ) : null}
                </Table.Cell>
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
            ))}
          </Table.Body>
        </Table>
      )}
    </section>
  );
}

export function NavBar() {
  const { client, metadata, currentUser } = useClient();
  const { t } = useI18n();
  const s = useMemo(() => settingsOf(metadata.settings, currentUser.id), [metadata, currentUser]);
  const [tab, setTab] = useState<Tab>('mapping');
  const tabs: { id: Tab; label: string }[] = [
    { id: 'mapping', label: t('admin.tab_mapping') },
    { id: 'quarantine', label: t('admin.tab_quarantine') },
    { id: 'reconciliation', label: t('admin.tab_reconciliation') },
    { id: 'warnings', label: t('admin.tab_warnings') },
    { id: 'keys', label: t('admin.tab_keys') },
  ];
  return (
    <Page data-testid="navbar">
      <h1 style={{ fontSize: 18, margin: 0 }}>{t('admin.title')}</h1>
      <Tabs role="group" aria-label={t('admin.title')}>
        {tabs.map((x) => (
          <Button
            key={x.id}
            size="small"
            isPrimary={tab === x.id}
            aria-pressed={tab === x.id}
            onClick={() => setTab(x.id)}
            data-testid={`tab-${x.id}`}
          >
            {x.label}
          </Button>
        ))}
      </Tabs>
      {tab === 'mapping' ? <MappingTab client={client} s={s} /> : null}
      {tab === 'quarantine' ? <QuarantineTab client={client} s={s} /> : null}
      {tab === 'warnings' ? <WarningSettingsTab client={client} s={s} /> : null}
      {tab === 'reconciliation' ? <ReconciliationTab client={client} s={s} /> : null}
      {tab === 'keys' ? <KeysTab client={client} s={s} /> : null}
    </Page>
  );
}
