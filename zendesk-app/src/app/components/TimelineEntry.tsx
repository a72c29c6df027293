import { pal } from '../lib/colors';
import styled from 'styled-components';
import { Anchor } from '@zendeskgarden/react-buttons';
import { useI18n, type Translate } from '../lib/i18n';
import { codeText, exactTime, relativeTime, type TimelineEntry as Entry } from '../lib/timeline';
import type { StandingEvent } from '@standing/contracts';
import { useCurrentName, WhoLine } from './WhoLine';

const Item = styled.li<{ $kind: string; $about: string }>`
  position: relative;
  padding: 6px 0 8px 12px;
  border-left: 2px ${(p) => (p.$about === 'account' ? 'dashed' : 'solid')}
    ${(p) =>
      p.$kind === 'deactivation'
        ? pal(p.theme, 'red', 600)
        : p.$kind === 'reinstatement'
          ? pal(p.theme, 'green', 600)
          : pal(p.theme, 'grey', 400)};
  margin-left: 4px;
  font-size: 12px;
  line-height: 16px;
  overflow-wrap: anywhere;
`;
const Head = styled.div`
  display: flex;
  justify-content: space-between;
  gap: 8px;
  font-weight: 600;
`;
/** Whose entry: the person's or the organization's, told apart at a glance (not by colour alone). */
const AboutTag = styled.span<{ $about: string }>`
  display: inline-block;
  padding: 0 4px;
  border-radius: 2px;
  font-weight: 400;
  background: ${(p) => (p.$about === 'account' ? pal(p.theme, 'blue', 100) : pal(p.theme, 'grey', 100))};
  color: ${(p) => pal(p.theme, 'grey', 800)};
`;
const Meta = styled.div`
  color: ${(p) => pal(p.theme, 'grey', 700)};
`;
const Steps = styled.ul`
  margin: 4px 0 0;
  padding-left: 12px;
  list-style: disc;
`;

function sourceLabel(t: Translate, e: StandingEvent): string {
  if (e.source.system === 'salesforce') return t('entry.salesforce');
  if (e.source.object === 'ticket') return t('entry.ticket', { id: e.source.id ?? '' });
  if (e.source.object === 'organization') return t('entry.organization');
  return t('entry.user');
}

type Person = { type: string; id?: string; name?: string };

/** The name the step's own attribution gives a person the event named only by id. */
const attributedName = (a: Person, e: StandingEvent) =>
  a.id !== undefined && e.attribution?.actor.id === a.id ? e.attribution.actor.name : undefined;

function who(
  t: Translate,
  a: Person | undefined,
  e: StandingEvent,
  live: { id?: string; name: string | null },
): string {
  if (!a) return t('entry.someone');
  const current =
    a.id !== undefined && a.id === live.id && live.name ? t('attribution.current', { name: live.name }) : undefined;
  return a.name ?? attributedName(a, e) ?? current ?? (a.id ? t('attribution.user_id', { id: a.id }) : a.type);
}

function Step({ e }: { e: StandingEvent }) {
  const { t, locale } = useI18n();
  // An approver known only by id: looked up live, labelled as the current name.
  const unnamed = e.approvals?.find((a) => !a.by.name && a.by.id && !attributedName(a.by, e))?.by.id;
  const live = { id: unnamed, name: useCurrentName(unnamed) };
  const details = [
    ...(e.verification ?? []).map((v) =>
      t('entry.verification', {
        method: codeText(t, 'verification', v.method),
        result: codeText(t, 'result', v.result),
      }),
    ),
    ...(e.approvals ?? []).map((a) =>
      t('entry.approval', {
        decision: t(`entry.${a.decision}`),
        who: who(t, a.by, e, live),
        role: codeText(t, 'role', a.role),
      }),
    ),
  ];
  return (
    <li data-testid="step" data-kind={e.kind}>
      {t(`kind.${e.kind}`)}
      {details.length > 0 ? `: ${details.join('; ')}` : ''}{' '}
      <time dateTime={e.occurred_at} title={exactTime(e.occurred_at, locale)}>
        · {relativeTime(locale, e.occurred_at)}
      </time>
    </li>
  );
}

export function TimelineEntry({ entry }: { entry: Entry }) {
  const { t, locale } = useI18n();
  const e = entry.event;
  const change =
    e.status.before || e.status.after
      ? `${t(`status.${e.status.before ?? 'unknown'}`)} → ${t(`status.${e.status.after ?? 'unknown'}`)}`
      : null;
  return (
    <Item $kind={e.kind} $about={e.about} data-testid="timeline-entry" data-kind={e.kind} data-about={e.about}>
      <Head>
        <span>
          {t(`kind.${e.kind}`)}{' '}
          <AboutTag $about={e.about}>{e.about === 'person' ? t('sidebar.person') : t('sidebar.account')}</AboutTag>
        </span>
        <time dateTime={e.occurred_at} title={exactTime(e.occurred_at, locale)}>
          {relativeTime(locale, e.occurred_at)}
        </time>
      </Head>
      {change ? <div>{change}</div> : null}
      {e.reason ? (
        <Meta>
          {t('entry.reason')}: {codeText(t, 'reason', e.reason.code)}
          {e.reason.text ? ` – ${e.reason.text}` : ''}
        </Meta>
      ) : null}
      <WhoLine e={e} />
      <Meta>
        {t('entry.seen_on')}:{' '}
        {e.source.url ? (
          <Anchor href={e.source.url} isExternal target="_blank" rel="noreferrer">
            {sourceLabel(t, e)}
          </Anchor>
        ) : (
          sourceLabel(t, e)
        )}
        {e.related_ticket_ids
          .filter((id) => !(e.source.object === 'ticket' && id === e.source.id))
          .map((id) => ` · ${t('entry.ticket', { id })}`)}
      </Meta>
      {entry.steps.length > 0 ? (
        <Steps aria-label={t('entry.steps')} data-testid="steps">
          {entry.steps.map((s) => (
            <Step key={s.id} e={s} />
          ))}
        </Steps>
      ) : null}
    </Item>
  );
}
