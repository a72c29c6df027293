/** The sidebar's error states, each naming its real cause and what to do about it. */
import type { ApiError } from '../lib/api';
import { useI18n } from '../lib/i18n';
import { StateMessage } from './StateMessage';

/** Why the connector refused the app token: the shared secret (a bad signature) or the tenant setting. */
const unauthorizedCause = (e: ApiError) => (/signature/.test(e.message) ? 'secret' : 'tenant');

export function SidebarError({ error, onRetry }: { error: ApiError; onRetry: () => void }) {
  const { t } = useI18n();
  switch (error.kind) {
    case 'unknown_ticket':
      return (
        <StateMessage
          testId="state-unknown"
          type="info"
          title={t('sidebar.unknown_title')}
          text={t('sidebar.unknown')}
          onRetry={onRetry}
        />
      );
    case 'unauthorized':
      return (
        <StateMessage
          testId="state-unauthorized"
          cause={unauthorizedCause(error)}
          type="error"
          title={t('sidebar.unauthorized_title')}
          text={t(`sidebar.unauthorized_${unauthorizedCause(error)}`)}
        />
      );
    // The sidebar route never answers 403 itself: a 403 here is Zendesk's proxy refusing the domain.
    case 'forbidden':
      return (
        <StateMessage testId="state-domain" type="error" title={t('sidebar.domain_title')} text={t('sidebar.domain')} />
      );
    default:
      return (
        <StateMessage
          testId="state-unreachable"
          type="error"
          title={t('sidebar.unreachable_title')}
          text={t('sidebar.unreachable')}
          onRetry={onRetry}
        />
      );
  }
}
