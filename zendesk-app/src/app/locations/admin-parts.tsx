/** Pieces shared by the admin page's tabs. */
import styled from 'styled-components';
import { pal } from '../lib/colors';
import type { ApiError } from '../lib/api';
import { useI18n } from '../lib/i18n';
import type { FieldProblem } from '@standing/contracts';
import { StateMessage } from '../components/StateMessage';

const ProblemList = styled.ul`
  margin: 8px 0;
  padding-left: 18px;
  color: ${(p) => pal(p.theme, 'red', 700)};
`;

export function ErrorState({ error: e, retry }: { error: ApiError; retry: () => void }) {
  const { t } = useI18n();
  if (e.kind === 'forbidden')
    return (
      <StateMessage
        testId="state-forbidden"
        type="error"
        title={t('admin.forbidden_title')}
        text={t('admin.forbidden')}
      />
    );
  if (e.kind === 'unauthorized')
    return (
      <StateMessage
        testId="state-unauthorized"
        type="error"
        title={t('sidebar.unauthorized_title')}
        text={t('sidebar.unauthorized')}
      />
    );
  return (
    <StateMessage
      testId="state-unreachable"
      type="error"
      title={t('sidebar.unreachable_title')}
      text={t('sidebar.unreachable')}
      onRetry={retry}
    />
  );
}

export function Problems({ problems, testId }: { problems: FieldProblem[]; testId: string }) {
  const { t } = useI18n();
  if (problems.length === 0) return null;
  return (
    <ProblemList aria-label={t('admin.problems')} data-testid={testId} role="alert">
      {problems.map((p) => (
        <li key={`${p.path}:${p.message}`} data-path={p.path}>
          <code>{p.path}</code>: {p.message}
        </li>
      ))}
    </ProblemList>
  );
}
