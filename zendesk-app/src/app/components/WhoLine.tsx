/**
 * The "who" line of a timeline entry: how the change came about and who made it, as the event says
 * or as a source said later (its attribution record: the audit log's actor, the ticket audit's author
 * and the trigger or automation it names). Never a bare number: an actor known only by id is looked
 * up live through the ZAF client and labelled as the current name; what no source knows says why.
 */
import { useEffect, useState } from 'react';
import styled from 'styled-components';
import type { StandingEvent } from '@standing/contracts';
import { pal } from '../lib/colors';
import { useI18n, type Translate } from '../lib/i18n';
import { useClient } from '../hooks/useClient';
import type { ZafClient } from '../lib/zaf-client';

const Meta = styled.div`
  color: ${(p) => pal(p.theme, 'grey', 700)};
`;

// One look-up per user and sidebar load, whichever entries name them.
const names = new Map<string, Promise<string | null>>();
function currentName(client: ZafClient, id: string): Promise<string | null> {
  let p = names.get(id);
  if (!p) {
    p = client
      .request<{ user?: { name?: string } }>({ url: `/api/v2/users/${encodeURIComponent(id)}.json`, type: 'GET' })
      .then((r) => r.user?.name ?? null)
      .catch(() => null);
    names.set(id, p);
  }
  return p;
}

/** The name Zendesk has for a user now (a live look-up), or null while unknown. */
export function useCurrentName(id: string | undefined): string | null {
  const { client } = useClient();
  const [name, setName] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    if (id) void currentName(client, id).then((n) => live && setName(n));
    return () => {
      live = false;
    };
  }, [client, id]);
  return name;
}

type Actor = { type: string; id?: string; name?: string; role?: string };

function roleOf(t: Translate, a: Actor): string {
  return t(`attribution.role.${a.role ?? a.type}`);
}

function reasonText(t: Translate, r: NonNullable<StandingEvent['attribution']>['unknown_reason']): string | null {
  if (!r) return null;
  const seconds = /±(\d+)/.exec(r.message)?.[1] ?? '';
  return t(`attribution.unknown.${r.code}`, { seconds });
}

export function WhoLine({ e }: { e: StandingEvent }) {
  const { t } = useI18n();
  const a = e.attribution;
  const named = a && a.actor.type !== 'unknown' ? a.actor : e.actor;
  const idOnly = !e.erased && !named.name && named.id ? named.id : undefined;
  const live = useCurrentName(idOnly);
  const kind = a && a.initiation !== 'unknown' ? a.initiation : (e.initiation?.type ?? null);
  let actor: string | null = null;
  if (e.erased) actor = t('entry.erased');
  else if (named.name) actor = t('attribution.by', { name: named.name, role: roleOf(t, named) });
  else if (idOnly)
    actor = live
      ? t('attribution.by_current', { name: live, role: roleOf(t, named) })
      : t('attribution.by_id', { id: idOnly, role: roleOf(t, named) });
  const rule = a?.rule
    ? t(a.rule.kind === 'trigger' ? 'attribution.via_trigger' : 'attribution.via_automation', {
        title: a.rule.title ?? `#${a.rule.id}`,
      })
    : null;
  const why = kind === null || kind === 'unknown' ? reasonText(t, a?.unknown_reason) : null;
  // With someone named: "By <name> (<role>) · via trigger '<rule>' · automatic"; without: "By an agent", or
  // "Cause unknown · <why>".
  const statusChange = e.kind === 'deactivation' || e.kind === 'reinstatement';
  const initiation = actor
    ? kind
      ? t(`attribution.kind.${kind}`)
      : null
    : kind
      ? t(`initiation.${kind}`)
      : statusChange || why
        ? t('initiation.unknown')
        : null;
  const parts = actor ? [actor, rule, initiation] : [initiation, rule, why];
  if (parts.every((p) => !p)) return null;
  return (
    <Meta
      data-testid="who"
      data-initiation={kind ?? 'unknown'}
      data-source={a?.source ?? 'event'}
      title={a ? t(`attribution.source.${a.source}`) : undefined}
    >
      {parts.filter(Boolean).join(' · ')}
    </Meta>
  );
}
