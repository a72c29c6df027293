/**
 * The alerts tab (admin page): the tenant's alert channels (a signed webhook, a private note on the
 * related ticket) and the warning codes each receives, a test-send per channel, and the delivery log
 * (sent, retrying, failed, with what the receiver answered). docs/alerts.md.
 */
import { useCallback, useEffect, useState } from 'react';
import styled from 'styled-components';
import { Button } from '@zendeskgarden/react-buttons';
import { Checkbox, Field, Input } from '@zendeskgarden/react-forms';
import { Alert } from '@zendeskgarden/react-notifications';
import { Dots } from '@zendeskgarden/react-loaders';
import { Table } from '@zendeskgarden/react-tables';
import { ApiError, call, type ConnectorSettings } from '../lib/api';
import { useI18n } from '../lib/i18n';
import type {
  AlertChannelKind,
  AlertChannels,
  AlertDeliveriesPage,
  AlertTestResult,
  FieldProblem,
  WarningCode,
} from '@standing/contracts';
import type { ZafClient } from '../lib/zaf-client';
import { ErrorState, Problems } from './admin-parts';

const CODES: WarningCode[] = [
  'reinstatement_without_approval',
  'reactivation_after_fraud',
  'repeated_cycles',
  'suspension_without_reason',
];
const Row = styled.div`
  display: flex;
  gap: 8px;
  align-items: end;
  margin: 8px 0;
`;
const Box = styled.fieldset`
  border: 1px solid #d8dcde;
  border-radius: 4px;
  padding: 8px 12px;
  margin: 0 0 12px;
`;

interface Draft {
  url: string;
  secret: string;
  hookOn: boolean;
  hookCodes: WarningCode[];
  noteOn: boolean;
  noteCodes: WarningCode[];
}
const draftOf = (c: AlertChannels): Draft => ({
  url: c.webhook?.url ?? '',
  secret: '',
  // A new webhook is on once saved; the note is opt-in.
  hookOn: c.webhook?.enabled ?? true,
  hookCodes: c.webhook?.warnings ?? [],
  noteOn: c.zendesk_note?.enabled ?? false,
  noteCodes: c.zendesk_note?.warnings ?? [],
});

/** 32 random bytes as base64url: a secret the admin copies to the receiver now (it is never shown again). */
function newSecret(): string {
  const b = crypto.getRandomValues(new Uint8Array(32));
  return btoa(String.fromCharCode(...b))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
}

function Codes({ value, onChange, id }: { value: WarningCode[]; onChange: (v: WarningCode[]) => void; id: string }) {
  const { t } = useI18n();
  return (
    <div data-testid={`${id}-codes`}>
      <p style={{ margin: '4px 0' }}>{t('alerts.codes_hint')}</p>
      {CODES.map((code) => (
        <Field key={code}>
          <Checkbox
            checked={value.includes(code)}
            onChange={(e) => onChange(e.target.checked ? [...value, code] : value.filter((c) => c !== code))}
          >
            <Field.Label isRegular>{t(`alerts.code_${code}`)}</Field.Label>
          </Checkbox>
        </Field>
      ))}
    </div>
  );
}

function body(d: Draft, channels: AlertChannels): unknown {
  const webhook =
    d.url.trim() === '' && !channels.webhook
      ? undefined
      : {
          url: d.url.trim(),
          ...(d.secret ? { secret: d.secret } : {}),
          enabled: d.hookOn,
          warnings: d.hookCodes,
        };
  return { ...(webhook ? { webhook } : {}), zendesk_note: { enabled: d.noteOn, warnings: d.noteCodes } };
}

interface BoxProps {
  d: Draft;
  set: (patch: Partial<Draft>) => void;
}

function WebhookBox({ d, set, last4 }: BoxProps & { last4: string | undefined }) {
  const { t } = useI18n();
  return (
    <Box>
      <legend>{t('alerts.webhook')}</legend>
      <Field>
        <Field.Label>{t('alerts.url')}</Field.Label>
        <Field.Hint>{t('alerts.url_hint')}</Field.Hint>
        <Input value={d.url} onChange={(e) => set({ url: e.target.value })} data-testid="alerts-url" />
      </Field>
      <Row>
        <Field style={{ flex: 1 }}>
          <Field.Label>{t('alerts.secret')}</Field.Label>
          <Field.Hint>{last4 ? t('alerts.secret_set', { last4 }) : t('alerts.secret_hint')}</Field.Hint>
          <Input value={d.secret} onChange={(e) => set({ secret: e.target.value })} data-testid="alerts-secret" />
        </Field>
        <Button type="button" size="small" onClick={() => set({ secret: newSecret() })} data-testid="alerts-generate">
          {t('alerts.generate')}
        </Button>
      </Row>
      <Field>
        <Checkbox checked={d.hookOn} onChange={(e) => set({ hookOn: e.target.checked })}>
          <Field.Label>{t('alerts.enabled')}</Field.Label>
        </Checkbox>
      </Field>
      <Codes id="webhook" value={d.hookCodes} onChange={(v) => set({ hookCodes: v })} />
    </Box>
  );
}

function NoteBox({ d, set }: BoxProps) {
  const { t } = useI18n();
  return (
    <Box>
      <legend>{t('alerts.note')}</legend>
      <p style={{ margin: '4px 0' }}>{t('alerts.note_hint')}</p>
      <Field>
        <Checkbox checked={d.noteOn} onChange={(e) => set({ noteOn: e.target.checked })}>
          <Field.Label>{t('alerts.enabled')}</Field.Label>
        </Checkbox>
      </Field>
      <Codes id="note" value={d.noteCodes} onChange={(v) => set({ noteCodes: v })} />
    </Box>
  );
}

function ChannelsForm(p: { client: ZafClient; s: ConnectorSettings; channels: AlertChannels; onSaved: () => void }) {
  const { t } = useI18n();
  const [d, setD] = useState<Draft>(() => draftOf(p.channels));
  const [problems, setProblems] = useState<FieldProblem[]>([]);
  const [saved, setSaved] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const set = (patch: Partial<Draft>) => setD({ ...d, ...patch });
  const save = async () => {
    setSaved(false);
    setProblems([]);
    try {
      await call<AlertChannels>(p.client, p.s, '/admin/alerts/channels', { method: 'PUT', body: body(d, p.channels) });
      // Saved means sealed: the secret leaves the page (the hint then shows its last four characters).
      setD({ ...d, secret: '' });
      setSaved(true);
      p.onSaved();
    } catch (e) {
      if (e instanceof ApiError && e.kind === 'invalid') setProblems(e.problems);
      else setError(e as ApiError);
    }
  };
  if (error) return <ErrorState error={error} retry={() => setError(null)} />;
  return (
    <form onSubmit={(e) => (e.preventDefault(), void save())} data-testid="alerts-form">
      <WebhookBox d={d} set={set} last4={p.channels.webhook?.secret.last4} />
      <NoteBox d={d} set={set} />
      <Problems problems={problems} testId="alerts-problems" />
      <Button isPrimary type="submit" data-testid="alerts-save">
        {t('admin.save')}
      </Button>
      {saved ? (
        <Alert type="success" data-testid="alerts-saved" style={{ marginTop: 8 }}>
          <Alert.Paragraph>{t('alerts.saved')}</Alert.Paragraph>
        </Alert>
      ) : null}
    </form>
  );
}

function TestSend(p: { client: ZafClient; s: ConnectorSettings; onSent: () => void }) {
  const { t } = useI18n();
  const [ticket, setTicket] = useState('');
  const [result, setResult] = useState<AlertTestResult | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const send = async (channel: AlertChannelKind) => {
    setResult(null);
    setFailure(null);
    try {
      const b = channel === 'zendesk_note' ? { channel, ticket_id: ticket.trim() } : { channel };
      setResult(await call<AlertTestResult>(p.client, p.s, '/admin/alerts/test', { method: 'POST', body: b }));
      p.onSent();
    } catch (e) {
      setFailure((e as ApiError).message);
    }
  };
  return (
    <Box data-testid="alerts-test">
      <legend>{t('alerts.test')}</legend>
      <p style={{ margin: '4px 0' }}>{t('alerts.test_hint')}</p>
      <Row>
        <Button size="small" onClick={() => void send('webhook')} data-testid="alerts-test-webhook">
          {t('alerts.test_webhook')}
        </Button>
        <Field>
          <Field.Label>{t('alerts.ticket')}</Field.Label>
          <Input isCompact value={ticket} onChange={(e) => setTicket(e.target.value)} data-testid="alerts-ticket" />
        </Field>
        <Button size="small" onClick={() => void send('zendesk_note')} data-testid="alerts-test-note">
          {t('alerts.test_note')}
        </Button>
      </Row>
      {result ? (
        <Alert type={result.outcome === 'sent' ? 'success' : 'warning'} data-testid="alerts-test-result">
          <Alert.Paragraph>{t(`alerts.outcome_${result.outcome}`, { answer: result.answer })}</Alert.Paragraph>
        </Alert>
      ) : null}
      {failure ? (
        <Alert type="error" data-testid="alerts-test-error">
          <Alert.Paragraph>{failure}</Alert.Paragraph>
        </Alert>
      ) : null}
    </Box>
  );
}

function DeliveryLog({ page }: { page: AlertDeliveriesPage }) {
  const { t, locale } = useI18n();
  if (page.deliveries.length === 0) return <p data-testid="alerts-log-empty">{t('alerts.log_empty')}</p>;
  return (
    <Table size="small" data-testid="alerts-log" aria-label={t('alerts.log')}>
      <Table.Head>
        <Table.HeaderRow>
          <Table.HeaderCell>{t('alerts.col_at')}</Table.HeaderCell>
          <Table.HeaderCell>{t('alerts.col_channel')}</Table.HeaderCell>
          <Table.HeaderCell>{t('alerts.col_code')}</Table.HeaderCell>
          <Table.HeaderCell>{t('alerts.col_outcome')}</Table.HeaderCell>
          <Table.HeaderCell>{t('alerts.col_answer')}</Table.HeaderCell>
        </Table.HeaderRow>
      </Table.Head>
      <Table.Body>
        {page.deliveries.map((d) => (
          <Table.Row key={d.id} data-outcome={d.outcome}>
            <Table.Cell>{new Date(d.at).toLocaleString(locale)}</Table.Cell>
            <Table.Cell>{t(`alerts.channel_${d.channel}`)}</Table.Cell>
            <Table.Cell>{d.test ? t('alerts.test_row') : d.code}</Table.Cell>
            <Table.Cell>{t('alerts.attempt', { outcome: t(`alerts.state_${d.outcome}`), n: d.attempt })}</Table.Cell>
            <Table.Cell>{d.answer}</Table.Cell>
          </Table.Row>
        ))}
      </Table.Body>
    </Table>
  );
}

export function AlertsTab({ client, s }: { client: ZafClient; s: ConnectorSettings }) {
  const { t } = useI18n();
  const [channels, setChannels] = useState<AlertChannels | null>(null);
  const [log, setLog] = useState<AlertDeliveriesPage | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const reload = useCallback(() => {
    setError(null);
    Promise.all([
      call<AlertChannels>(client, s, '/admin/alerts/channels'),
      call<AlertDeliveriesPage>(client, s, '/admin/alerts/deliveries?limit=50'),
    ]).then(
      ([c, l]) => {
        setChannels(c);
        setLog(l);
      },
      (e: ApiError) => setError(e),
    );
  }, [client, s]);
  useEffect(reload, [reload]);
  if (error) return <ErrorState error={error} retry={reload} />;
  if (!channels || !log) return <Dots aria-label="loading" />;
  return (
    <section aria-label={t('alerts.tab')} data-testid="alerts-tab">
      <ChannelsForm client={client} s={s} channels={channels} onSaved={reload} />
      <TestSend client={client} s={s} onSent={reload} />
      <h2 style={{ fontSize: 15 }}>{t('alerts.log')}</h2>
      <DeliveryLog page={log} />
    </section>
  );
}
