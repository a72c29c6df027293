/**
 * The tenant's warning thresholds (admin page): a form of Garden fields, or the JSON document as an
 * alternative view; save; the connector's problems at their field.
 */
import { useCallback, useEffect, useState } from 'react';
import styled from 'styled-components';
import { Button } from '@zendeskgarden/react-buttons';
import { Checkbox, Field, Input, Textarea } from '@zendeskgarden/react-forms';
import { Alert } from '@zendeskgarden/react-notifications';
import { Dots } from '@zendeskgarden/react-loaders';
import { api, ApiError, type ConnectorSettings } from '../lib/api';
import { useI18n } from '../lib/i18n';
import type { FieldProblem, WarningSettings } from '@standing/contracts';
import type { ZafClient } from '../lib/zaf-client';
import { ErrorState, Problems } from './admin-parts';

const Group = styled.fieldset`
  display: grid;
  grid-template-columns: repeat(auto-fit, minmax(220px, 1fr));
  gap: 12px;
  margin: 0 0 16px;
  padding: 12px;
  border: 1px solid #d8dcde;
  border-radius: 4px;
  & > legend {
    font-weight: 600;
    padding: 0 4px;
  }
`;

const codes = (s: string) =>
  s
    .split(/[,\s]+/)
    .map((c) => c.trim())
    .filter(Boolean);

type Section = keyof WarningSettings;

function NumberField(p: {
  label: string;
  hint?: string;
  value: number;
  path: string;
  problems: FieldProblem[];
  onChange: (n: number) => void;
}) {
  const problem = p.problems.find((x) => x.path === p.path);
  return (
    <Field>
      <Field.Label>{p.label}</Field.Label>
      {p.hint ? <Field.Hint>{p.hint}</Field.Hint> : null}
      <Input
        type="number"
        isCompact
        value={String(p.value)}
        validation={problem ? 'error' : undefined}
        onChange={(e) => p.onChange(Number(e.target.value))}
        data-testid={`w-${p.path}`}
      />
      {problem ? <Field.Message validation="error">{problem.message}</Field.Message> : null}
    </Field>
  );
}

function CodesField(p: {
  label: string;
  hint: string;
  value: string[];
  path: string;
  onChange: (v: string[]) => void;
}) {
  const [text, setText] = useState(p.value.join(', '));
  return (
    <Field>
      <Field.Label>{p.label}</Field.Label>
      <Field.Hint>{p.hint}</Field.Hint>
      <Input
        isCompact
        value={text}
        onChange={(e) => setText(e.target.value)}
        onBlur={() => p.onChange(codes(text))}
        data-testid={`w-${p.path}`}
      />
    </Field>
  );
}

function Enabled(p: { label: string; checked: boolean; onChange: (v: boolean) => void; testId: string }) {
  return (
    <Field>
      <Checkbox checked={p.checked} onChange={(e) => p.onChange(e.target.checked)} data-testid={p.testId}>
        <Field.Label>{p.label}</Field.Label>
      </Checkbox>
    </Field>
  );
}

function WarningsForm({
  doc,
  problems,
  set,
}: {
  doc: WarningSettings;
  problems: FieldProblem[];
  set: <K extends Section>(section: K, patch: Partial<WarningSettings[K]>) => void;
}) {
  const { t } = useI18n();
  const hint = t('admin.w_codes_hint');
  return (
    <>
      <Group>
        <legend>{t('warning_setting.fraud_reactivation')}</legend>
        <Enabled
          label={t('admin.w_enabled')}
          checked={doc.fraud_reactivation.enabled}
          onChange={(enabled) => set('fraud_reactivation', { enabled })}
          testId="w-fraud-enabled"
        />
        <NumberField
          label={t('admin.w_window_hours')}
          value={doc.fraud_reactivation.window_hours}
          path="fraud_reactivation.window_hours"
          problems={problems}
          onChange={(window_hours) => set('fraud_reactivation', { window_hours })}
        />
        <CodesField
          label={t('admin.w_fraud_codes')}
          hint={hint}
          value={doc.fraud_reactivation.reason_codes}
          path="fraud_reactivation.reason_codes"
          onChange={(reason_codes) => set('fraud_reactivation', { reason_codes })}
        />
      </Group>
      <Group>
        <legend>{t('warning_setting.repeated_cycles')}</legend>
        <Enabled
          label={t('admin.w_enabled')}
          checked={doc.repeated_cycles.enabled}
          onChange={(enabled) => set('repeated_cycles', { enabled })}
          testId="w-cycles-enabled"
        />
        <NumberField
          label={t('admin.w_min_cycles')}
          value={doc.repeated_cycles.min_cycles}
          path="repeated_cycles.min_cycles"
          problems={problems}
          onChange={(min_cycles) => set('repeated_cycles', { min_cycles })}
        />
        <NumberField
          label={t('admin.w_window_days')}
          value={doc.repeated_cycles.window_days}
          path="repeated_cycles.window_days"
          problems={problems}
          onChange={(window_days) => set('repeated_cycles', { window_days })}
        />
      </Group>
      <Group>
        <legend>{t('warning_setting.unapproved_reinstatement')}</legend>
        <Enabled
          label={t('admin.w_enabled')}
          checked={doc.unapproved_reinstatement.enabled}
          onChange={(enabled) => set('unapproved_reinstatement', { enabled })}
          testId="w-unapproved-enabled"
        />
        <CodesField
          label={t('admin.w_exempt_codes')}
          hint={hint}
          value={doc.unapproved_reinstatement.exempt_reason_codes}
          path="unapproved_reinstatement.exempt_reason_codes"
          onChange={(exempt_reason_codes) => set('unapproved_reinstatement', { exempt_reason_codes })}
        />
      </Group>
    </>
  );
}

export function WarningSettingsTab({ client, s }: { client: ZafClient; s: ConnectorSettings }) {
  const { t } = useI18n();
  const [doc, setDoc] = useState<WarningSettings | null>(null);
  const [json, setJson] = useState<string | null>(null);
  const [problems, setProblems] = useState<FieldProblem[]>([]);
  const [jsonError, setJsonError] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const reload = useCallback(() => {
    setError(null);
    api.warningSettings(client, s).then(setDoc, (e: ApiError) => setError(e));
  }, [client, s]);
  useEffect(reload, [reload]);

  const set = <K extends Section>(section: K, patch: Partial<WarningSettings[K]>) =>
    setDoc((d) => (d ? { ...d, [section]: { ...d[section], ...patch } } : d));

  const save = async () => {
    setSaved(false);
    setProblems([]);
    setJsonError(null);
    let body: unknown = doc;
    if (json !== null) {
      try {
        body = JSON.parse(json);
      } catch (e) {
        setJsonError(t('admin.invalid_json', { message: (e as Error).message }));
        return;
      }
    }
    try {
      const v = await api.saveWarningSettings(client, s, body);
      setDoc(v);
      if (json !== null) setJson(JSON.stringify(v, null, 2));
      setSaved(true);
    } catch (e) {
      if (e instanceof ApiError && e.kind === 'invalid') setProblems(e.problems);
      else setError(e as ApiError);
    }
  };

  if (error) return <ErrorState error={error} retry={reload} />;
  if (doc === null) return <Dots aria-label="loading" />;
  return (
    <section aria-label={t('admin.tab_warnings')} data-testid="warnings-tab">
      <p>{t('admin.warnings_hint')}</p>
      <Button
        size="small"
        isBasic
        onClick={() => setJson(json === null ? JSON.stringify(doc, null, 2) : null)}
        data-testid="warnings-view"
        style={{ marginBottom: 8 }}
      >
        {json === null ? t('admin.view_json') : t('admin.view_form')}
      </Button>
      {json === null ? (
        <WarningsForm doc={doc} problems={problems} set={set} />
      ) : (
        <Field>
          <Field.Label>{t('admin.warnings_document')}</Field.Label>
          <Textarea
            data-testid="warnings-editor"
            minRows={12}
            value={json}
            spellCheck={false}
            style={{ fontFamily: 'monospace', fontSize: 12 }}
            validation={problems.length > 0 || jsonError ? 'error' : undefined}
            onChange={(e) => setJson(e.target.value)}
          />
          {jsonError ? <Field.Message validation="error">{jsonError}</Field.Message> : null}
        </Field>
      )}
      <Problems problems={problems} testId="warnings-problems" />
      <Button isPrimary onClick={() => void save()} data-testid="warnings-save" style={{ marginTop: 8 }}>
        {t('admin.save')}
      </Button>
      {saved ? (
        <Alert type="success" data-testid="warnings-saved" style={{ marginTop: 8 }}>
          <Alert.Paragraph>{t('admin.warnings_saved')}</Alert.Paragraph>
        </Alert>
      ) : null}
    </section>
  );
}
