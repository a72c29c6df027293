/** The form of one sidebar action: Garden fields, labelled, in the agent's language. */
import styled from 'styled-components';
import { Checkbox, Field, Input, Select, Textarea } from '@zendeskgarden/react-forms';
import type { ActionName, ActionOptions, ActionRequest } from '@standing/contracts';
import { useI18n } from '../lib/i18n';

export interface Fields {
  reason: string;
  conditions: string;
  kind: 'identity_document' | 'kyc' | 'payment' | 'consent' | 'device';
  result: 'passed' | 'failed' | 'pending';
  note: string;
  evidence: string;
  reasonCode: string;
  temporary: boolean;
  reviewOn: string;
}

export const EMPTY_FIELDS: Fields = {
  reason: '',
  conditions: '',
  kind: 'identity_document',
  result: 'passed',
  note: '',
  evidence: '',
  reasonCode: '',
  temporary: true,
  reviewOn: '',
};

const ACTIONS: ActionName[] = [
  'request_reinstatement',
  'record_verification',
  'approve',
  'deny',
  'suspend',
  'deactivate',
];
const KINDS: Fields['kind'][] = ['identity_document', 'kyc', 'payment', 'consent', 'device'];
const RESULTS: Fields['result'][] = ['passed', 'failed', 'pending'];

const Grid = styled.div`
  display: grid;
  gap: 6px;
`;

/** The request body of an action from the form's fields. */
export function toRequest(
  action: ActionName,
  f: Fields,
  common: { ticket_id: string; about: 'person' | 'account'; idempotency_key: string },
): ActionRequest {
  switch (action) {
    case 'request_reinstatement':
      return {
        ...common,
        action,
        reason: f.reason,
        conditions: f.conditions
          .split('\n')
          .map((c) => c.trim())
          .filter(Boolean),
      };
    case 'record_verification':
      return {
        ...common,
        action,
        kind: f.kind,
        result: f.result,
        ...(f.note.trim() ? { note: f.note } : {}),
        ...(f.evidence.trim() ? { evidence_comment_id: f.evidence.trim() } : {}),
      };
    case 'approve':
    case 'deny':
      return { ...common, action, reason: f.reason };
    case 'suspend':
    case 'deactivate':
      return {
        ...common,
        action,
        reason_code: f.reasonCode,
        ...(f.reason.trim() ? { reason: f.reason } : {}),
        temporary: action === 'suspend' || f.temporary,
        ...((action === 'suspend' || f.temporary) && f.reviewOn ? { review_on: f.reviewOn } : {}),
      };
  }
}

function ReasonCodes(props: { options: ActionOptions | null; value: string; onChange: (v: string) => void }) {
  const { t, locale } = useI18n();
  const lang = locale.split('-')[0] ?? 'en';
  return (
    <Field>
      <Field.Label>{t('actions.reason_code')}</Field.Label>
      <Select isCompact value={props.value} onChange={(e) => props.onChange(e.target.value)} data-testid="f-code">
        <option value="">{t('actions.choose')}</option>
        {(props.options?.reason_codes ?? []).map((r) => (
          <option key={r.code} value={r.code}>
            {r.labels[lang] ?? r.labels['en'] ?? r.code}
          </option>
        ))}
      </Select>
    </Field>
  );
}

function TextField(p: { label: string; value: string; onChange: (v: string) => void; testId: string; rows?: number }) {
  return (
    <Field>
      <Field.Label>{p.label}</Field.Label>
      <Textarea
        isCompact
        minRows={p.rows ?? 2}
        maxRows={6}
        value={p.value}
        onChange={(e) => p.onChange(e.target.value)}
        data-testid={p.testId}
      />
    </Field>
  );
}

type Change = (f: Partial<Fields>) => void;

function VerificationFields({ fields: f, onChange }: { fields: Fields; onChange: Change }) {
  const { t } = useI18n();
  return (
    <>
      <Field>
        <Field.Label>{t('actions.kind')}</Field.Label>
        <Select
          isCompact
          value={f.kind}
          onChange={(e) => onChange({ kind: e.target.value as Fields['kind'] })}
          data-testid="f-kind"
        >
          {KINDS.map((k) => (
            <option key={k} value={k}>
              {t(`verification.${k}`)}
            </option>
          ))}
        </Select>
      </Field>
      <Field>
        <Field.Label>{t('actions.result')}</Field.Label>
        <Select
          isCompact
          value={f.result}
          onChange={(e) => onChange({ result: e.target.value as Fields['result'] })}
          data-testid="f-result"
        >
          {RESULTS.map((r) => (
            <option key={r} value={r}>
              {t(`result.${r}`)}
            </option>
          ))}
        </Select>
      </Field>
      <TextField label={t('actions.note')} value={f.note} onChange={(note) => onChange({ note })} testId="f-note" />
      <Field>
        <Field.Label>{t('actions.evidence')}</Field.Label>
        <Field.Hint>{t('actions.evidence_hint')}</Field.Hint>
        <Input
          isCompact
          inputMode="numeric"
          value={f.evidence}
          onChange={(e) => onChange({ evidence: e.target.value })}
        />
      </Field>
    </>
  );
}

function DeactivationFields(props: {
  action: 'suspend' | 'deactivate';
  fields: Fields;
  options: ActionOptions | null;
  onChange: Change;
}) {
  const { t } = useI18n();
  const { action, fields: f, onChange } = props;
  return (
    <>
      <ReasonCodes options={props.options} value={f.reasonCode} onChange={(reasonCode) => onChange({ reasonCode })} />
      {action === 'deactivate' ? (
        <Field>
          <Checkbox checked={f.temporary} onChange={(e) => onChange({ temporary: e.target.checked })}>
            <Field.Label>{t('actions.temporary')}</Field.Label>
          </Checkbox>
        </Field>
      ) : null}
      {action === 'suspend' || f.temporary ? (
        <Field>
          <Field.Label>{t('actions.review_on')}</Field.Label>
          <Input isCompact type="date" value={f.reviewOn} onChange={(e) => onChange({ reviewOn: e.target.value })} />
        </Field>
      ) : null}
    </>
  );
}

export function ActionFields(props: {
  action: ActionName;
  about: 'person' | 'account';
  fields: Fields;
  options: ActionOptions | null;
  hasOrganization: boolean;
  onAction: (a: ActionName) => void;
  onAbout: (a: 'person' | 'account') => void;
  onChange: (f: Partial<Fields>) => void;
}) {
  const { t } = useI18n();
  const { action, fields: f, onChange } = props;
  const decision = action === 'approve' || action === 'deny';
  return (
    <Grid>
      {props.options ? (
        <p data-testid="acting-agent">{t('actions.acting_as', { name: props.options.agent.name })}</p>
      ) : null}
      <Field>
        <Field.Label>{t('actions.action')}</Field.Label>
        <Select
          isCompact
          value={action}
          onChange={(e) => props.onAction(e.target.value as ActionName)}
          data-testid="f-action"
        >
          {ACTIONS.map((a) => (
            <option key={a} value={a}>
              {t(`actions.name_${a}`)}
            </option>
          ))}
        </Select>
      </Field>
      {props.hasOrganization ? (
        <Field>
          <Field.Label>{t('actions.about')}</Field.Label>
          <Select isCompact value={props.about} onChange={(e) => props.onAbout(e.target.value as 'person' | 'account')}>
            <option value="person">{t('actions.about_person')}</option>
            <option value="account">{t('actions.about_account')}</option>
          </Select>
        </Field>
      ) : null}
      {decision && props.options && !props.options.agent.may_approve ? (
        <p data-testid="not-approver">{t('actions.not_approver_hint')}</p>
      ) : null}
      {action === 'record_verification' ? <VerificationFields fields={f} onChange={onChange} /> : null}
      {action === 'suspend' || action === 'deactivate' ? (
        <DeactivationFields action={action} fields={f} options={props.options} onChange={onChange} />
      ) : null}
      {action !== 'record_verification' ? (
        <TextField
          label={t(action === 'suspend' || action === 'deactivate' ? 'actions.reason_optional' : 'actions.reason')}
          value={f.reason}
          onChange={(reason) => onChange({ reason })}
          testId="f-reason"
        />
      ) : null}
      {action === 'request_reinstatement' ? (
        <TextField
          label={t('actions.conditions')}
          value={f.conditions}
          onChange={(conditions) => onChange({ conditions })}
          testId="f-conditions"
        />
      ) : null}
    </Grid>
  );
}
