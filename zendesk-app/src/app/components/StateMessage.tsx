import { Alert } from '@zendeskgarden/react-notifications';
import { Button } from '@zendeskgarden/react-buttons';
import { useI18n } from '../lib/i18n';

/** A clear, actionable state: title, what to do, and a retry when retrying can help. */
export function StateMessage({
  type,
  title,
  text,
  onRetry,
  testId,
  cause,
}: {
  type: 'info' | 'warning' | 'error';
  title: string;
  text: string;
  onRetry?: () => void;
  testId: string;
  /** Which of several causes of the same state (for tests and support). */
  cause?: string;
}) {
  const { t } = useI18n();
  return (
    <Alert type={type} data-testid={testId} data-cause={cause} role={type === 'error' ? 'alert' : 'status'}>
      <Alert.Title>{title}</Alert.Title>
      <Alert.Paragraph>{text}</Alert.Paragraph>
      {onRetry ? (
        <Button size="small" onClick={onRetry} style={{ marginTop: 8 }}>
          {t('sidebar.retry')}
        </Button>
      ) : null}
    </Alert>
  );
}
