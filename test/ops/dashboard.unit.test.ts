/** The Grafana dashboard only charts metrics a service instance really exports. */
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { StandingMetrics } from '../../connector/ops/metrics.ts';

interface Dashboard {
  panels: { title: string; targets: { expr: string }[] }[];
}

const dashboard = JSON.parse(
  readFileSync(new URL('../../deploy/grafana/standing-dashboard.json', import.meta.url), 'utf8'),
) as Dashboard;

it('charts only exported metrics, and charts every standing_* metric', async () => {
  const metrics = new StandingMetrics();
  const exported = new Set<string>();
  for (const m of await metrics.registry.getMetricsAsJSON()) {
    exported.add(m.name);
    if (String(m.type) === 'histogram')
      for (const suffix of ['_bucket', '_sum', '_count']) exported.add(`${m.name}${suffix}`);
  }
  const charted = new Set<string>();
  for (const panel of dashboard.panels) {
    for (const { expr } of panel.targets) {
      for (const [name] of expr.matchAll(/\b(?:standing|process|nodejs)_[a-z0-9_]+/g)) {
        expect(exported, `${panel.title}: ${name}`).toContain(name);
        charted.add(name.replace(/_(bucket|sum|count)$/, ''));
      }
    }
  }
  const own = [...exported].filter((n) => n.startsWith('standing_') && !/_(bucket|sum|count)$/.test(n));
  expect(own.filter((n) => !charted.has(n))).toEqual([]);
});
