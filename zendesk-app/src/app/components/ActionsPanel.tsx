/**
 * The sidebar's actions: record a step of the requester's (or their organization's) standing. The
 * acting agent is the session's that the connector wrote into the page (signed URLs, see
 * docs/zendesk-app.md "How the acting agent is proven"), never the app's own claim. One idempotency
 * key per form: a double click or a retry after a failed call is one event.
 */
import { useCallback, useEffect, useState } from 'react';
import styled from 'styled-components';
import { Button } from '@zendeskgarden/react-buttons';
import { Alert } from '@zendeskgarden/react-notifications';
import type { ActionName, ActionOptions, ActionRequest, ActionResult } from '@standing/contracts';
import { useClient } from '../hooks/useClient';
import { api, ApiError, type ConnectorSettings } from '../lib/api';
import type { ZafClient } from '../lib/zaf-client';
import { useI18n } from '../lib/i18n';
import { ActionFields, EMPTY_FIELDS, toRequest, type Fields } from './ActionFields';

const Panel = styled.section`
  margin: 8px 0;
  display: grid;
  gap: 6px;
`;

/** The session token the connector's page carries (absent when Zendesk serves the app itself). */
export function pageSession(): string | null {
  return document.querySelector('meta[name="standing-session"]')?.getAttribute('content') ?? null;
}

type Sent =
  | { state: 'idle' }
  | { state: 'sending' }
  | { state: 'done'; result: ActionResult; applied: 'no' | 'yes' | 'failed' }
  | { state: 'failed'; error: ApiError };

const newKey = () => crypto.randomUUID();

function errorText(t: (k: string, p?: Record<string, string | number>) => string, e: ApiError): string {
  if (e.kind === 'unreachable') return t('actions.error_offline');
  const key = `actions.error_${e.code ?? ''}`;
  const text = t(key);
  return text === key ? e.message : text;
}

/** Sets the status field in Zendesk after an approval, when the tenant wants it (the ZAF client, as the agent). */
async function applyInZendesk(client: ZafClient, a: NonNullable<ActionResult['apply_in_zendesk']>): Promise<void> {
  const path = a.object === 'user' ? `/api/v2/users/${a.id}.json` : `/api/v2/organizations/${a.id}.json`;
  const field = a.object === 'user' ? 'user_fields' : 'organization_fields';
  await client.request({
    url: path,
    type: 'PUT',
    contentType: 'application/json',
    data: JSON.stringify({ [a.object]: { [field]: { [a.field_key]: a.value } } }),
  });
}

/**
 * Sends one action: the form's idempotency key is kept until the step is recorded (a retry after a
 * failed call reuses it), then a new one is made for the next step.
 */
function useRecordAction(settings: ConnectorSettings, session: string | null, onRecorded: () => void) {
  const { client } = useClient();
  const [key, setKey] = useState(newKey);
  const [sent, setSent] = useState<Sent>({ state: 'idle' });
  const submit = async (body: Omit<ActionRequest, 'idempotency_key'>) => {
    if (!session || sent.state === 'sending') return false;
    setSent({ state: 'sending' });
    try {
      const result = await api.act(client, settings, session, { ...body, idempotency_key: key } as ActionRequest);
      let applied: 'no' | 'yes' | 'failed' = 'no';
      if (result.apply_in_zendesk)
        applied = await applyInZendesk(client, result.apply_in_zendesk).then(
          () => 'yes' as const,
          () => 'failed' as const,
        );
      setSent({ state: 'done', result, applied });
      setKey(newKey());
      onRecorded();
      return true;
    } catch (e) {
      setSent({ state: 'failed', error: e instanceof ApiError ? e : new ApiError('unreachable', 0, String(e)) });
      return false;
    }
  };
  const restart = () => {
    setKey(newKey());
    setSent({ state: 'idle' });
  };
  return { sent, submit, restart, clearDone: () => setSent((x) => (x.state === 'done' ? { state: 'idle' } : x)) };
}

export function ActionsPanel(props: {
  settings: ConnectorSettings;
  ticketId: string;
  hasOrganization: boolean;
  onRecorded: () => void;
}) {
  const { client } = useClient();
  const { t } = useI18n();
  const session = pageSession();
  const [open, setOpen] = useState(false);
  const [options, setOptions] = useState<ActionOptions | ApiError | null>(null);
  const [action, setAction] = useState<ActionName>('request_reinstatement');
  const [about, setAbout] = useState<'person' | 'account'>('person');
  const [fields, setFields] = useState<Fields>(EMPTY_FIELDS);
  const { sent, submit, restart, clearDone } = useRecordAction(props.settings, session, props.onRecorded);

  useEffect(() => {
    if (!open || !session || options) return;
    api
      .actionOptions(client, props.settings, session)
      .then(setOptions, (e: unknown) =>
        setOptions(e instanceof ApiError ? e : new ApiError('unreachable', 0, String(e))),
      );
  }, [open, session, options, client, props.settings]);

  const change = useCallback(
    (f: Partial<Fields>) => {
      setFields((old) => ({ ...old, ...f }));
      clearDone();
    },
    [clearDone],
  );
  const send = async () => {
    const body = toRequest(action, fields, { ticket_id: props.ticketId, about, idempotency_key: '' });
    if (await submit(body)) setFields(EMPTY_FIELDS);
  };

  if (!open)
    return (
      <Button size="small" isStretched onClick={() => setOpen(true)} data-testid="actions-open" aria-expanded={false}>
        {t('actions.open')}
      </Button>
    );
  return (
    <Panel aria-label={t('actions.title')} data-testid="actions">
      {!session ? (
        <Alert type="info" data-testid="actions-unavailable">
          <Alert.Paragraph>{t('actions.unavailable')}</Alert.Paragraph>
        </Alert>
      ) : (
        <ActionFields
          action={action}
          about={about}
          fields={fields}
          options={options instanceof ApiError ? null : options}
          hasOrganization={props.hasOrganization}
          onAction={(a) => {
            setAction(a);
            restart();
          }}
          onAbout={(a) => {
            setAbout(a);
            restart();
          }}
          onChange={change}
        />
      )}
      {sent.state === 'failed' ? (
        <Alert type="error" role="alert" data-testid="action-error" data-code={sent.error.code ?? sent.error.kind}>
          <Alert.Paragraph>{errorText(t, sent.error)}</Alert.Paragraph>
        </Alert>
      ) : null}
      {sent.state === 'done' ? (
        <Alert type="success" role="status" data-testid="action-done" data-applied={sent.applied}>
          <Alert.Paragraph>
            {t(sent.result.duplicate ? 'actions.already_recorded' : 'actions.recorded')}
            {sent.applied === 'yes' ? ` ${t('actions.applied')}` : ''}
            {sent.applied === 'failed' ? ` ${t('actions.apply_failed')}` : ''}
          </Alert.Paragraph>
        </Alert>
      ) : null}
      {session ? (
        <Button
          size="small"
          isPrimary
          isStretched
          disabled={sent.state === 'sending'}
          onClick={() => void send()}
          data-testid="action-submit"
        >
          {sent.state === 'failed' ? t('actions.retry') : t(`actions.submit_${action}`)}
        </Button>
      ) : null}
      <Button size="small" isBasic isStretched onClick={() => setOpen(false)}>
        {t('actions.close')}
      </Button>
    </Panel>
  );
}
