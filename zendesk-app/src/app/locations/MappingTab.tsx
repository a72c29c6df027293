/** The admin page's Mapping tab: the tenant's mapping document (view, edit, preview, save). */
import { useCallback, useEffect, useState } from 'react';
import styled from 'styled-components';
import { Button } from '@zendeskgarden/react-buttons';
import { Alert } from '@zendeskgarden/react-notifications';
import { Dots } from '@zendeskgarden/react-loaders';
import { Table } from '@zendeskgarden/react-tables';
import { api, ApiError, type ConnectorSettings } from '../lib/api';
import { useI18n } from '../lib/i18n';
import type { ZafClient } from '../lib/zaf-client';
import { Field, Textarea } from '@zendeskgarden/react-forms';
import type { CurrentMapping, FieldProblem, MappingPreviewRow } from '@standing/contracts';
import { ErrorState, Problems } from './admin-parts';
import { MappingForm } from './MappingForm';

const Row = styled.div`
  display: flex;
  gap: 8px;
  margin: 8px 0;
`;

/** The document when the text is a JSON object (the form edits objects only). */
function parseObject(text: string): Record<string, unknown> | null {
  try {
    const v = JSON.parse(text) as unknown;
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

export function MappingTab({ client, s }: { client: ZafClient; s: ConnectorSettings }) {
  const { t } = useI18n();
  const [mapping, setMapping] = useState<CurrentMapping | null>(null);
  const [text, setText] = useState('');
  const [problems, setProblems] = useState<FieldProblem[]>([]);
  const [jsonError, setJsonError] = useState<string | null>(null);
  const [preview, setPreview] = useState<MappingPreviewRow[] | null>(null);
  const [saved, setSaved] = useState<number | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const [view, setView] = useState<'form' | 'json'>('form');

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

  const formDoc = parseObject(text);
  if (error) return <ErrorState error={error} retry={reload} />;
  if (!mapping) return <Dots aria-label="loading" />;
  return (
    <section aria-label={t('admin.tab_mapping')} data-testid="mapping-tab">
      <p>
        {mapping.is_default ? t('admin.mapping_default') : t('admin.mapping_version', { version: mapping.version })}
      </p>
      <Button
        size="small"
        isBasic
        onClick={() => setView(view === 'form' ? 'json' : 'form')}
        data-testid="mapping-view"
      >
        {view === 'form' ? t('admin.view_json') : t('admin.view_form')}
      </Button>
      {view === 'form' ? (
        formDoc ? (
          <MappingForm doc={formDoc} onChange={(d) => setText(JSON.stringify(d, null, 2))} />
        ) : (
          <p data-testid="mapping-form-unavailable">{t('admin.m_fix_json')}</p>
        )
      ) : (
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
      )}
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
            <Table.Cell style={{ overflowWrap: 'anywhere' }}>{r.event_id}</Table.Cell>
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
