/** The tenant's warning thresholds (admin page): view, edit as JSON, save; problems at their path. */
import { useCallback, useEffect, useState } from 'react';
import { Button } from '@zendeskgarden/react-buttons';
import { Field, Textarea } from '@zendeskgarden/react-forms';
import { Alert } from '@zendeskgarden/react-notifications';
import { Dots } from '@zendeskgarden/react-loaders';
import { api, ApiError, type ConnectorSettings } from '../lib/api';
import { useI18n } from '../lib/i18n';
import type { FieldProblem } from '@standing/contracts';
import type { ZafClient } from '../lib/zaf-client';
import { ErrorState, Problems } from './admin-parts';

export function WarningSettingsTab({ client, s }: { client: ZafClient; s: ConnectorSettings }) {
  const { t } = useI18n();
  const [text, setText] = useState<string | null>(null);
  const [problems, setProblems] = useState<FieldProblem[]>([]);
  const [jsonError, setJsonError] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const reload = useCallback(() => {
    setError(null);
    api.warningSettings(client, s).then(
      (v) => setText(JSON.stringify(v, null, 2)),
      (e: ApiError) => setError(e),
    );
  }, [client, s]);
  useEffect(reload, [reload]);

  const save = async () => {
    setSaved(false);
    setProblems([]);
    setJsonError(null);
    let doc: unknown;
    try {
      doc = JSON.parse(text ?? '');
    } catch (e) {
      setJsonError(t('admin.invalid_json', { message: (e as Error).message }));
      return;
    }
    try {
      setText(JSON.stringify(await api.saveWarningSettings(client, s, doc), null, 2));
      setSaved(true);
    } catch (e) {
      if (e instanceof ApiError && e.kind === 'invalid') setProblems(e.problems);
      else setError(e as ApiError);
    }
  };

  if (error) return <ErrorState error={error} retry={reload} />;
  if (text === null) return <Dots aria-label="loading" />;
  return (
    <section aria-label={t('admin.tab_warnings')} data-testid="warnings-tab">
      <Field>
        <Field.Label>{t('admin.warnings_document')}</Field.Label>
        <Field.Hint>{t('admin.warnings_hint')}</Field.Hint>
        <Textarea
          data-testid="warnings-editor"
          minRows={12}
          value={text}
          spellCheck={false}
          style={{ fontFamily: 'monospace', fontSize: 12 }}
          validation={problems.length > 0 || jsonError ? 'error' : undefined}
          onChange={(e) => setText(e.target.value)}
        />
        {jsonError ? <Field.Message validation="error">{jsonError}</Field.Message> : null}
      </Field>
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
