import { describe, expect, it } from 'vitest';
import { StandingMetrics } from '../../connector/ops/metrics.ts';
import { recordReconciliationRun } from '../../connector/ops/metrics-wiring.ts';

describe('reconciliation metrics', () => {
  it('count runs by outcome, drift and appended events, and move the lag clock only on a completed run', async () => {
    const metrics = new StandingMetrics();
    recordReconciliationRun(metrics, {
      tenant: 'acme',
      source: 'zendesk',
      state: 'partial',
      counters: { drift_found: 3, events_appended: 2 },
    });
    const afterPartial = await metrics.registry.metrics();
    expect(afterPartial).toContain(
      'standing_reconciliation_runs_total{source="zendesk",tenant="acme",state="partial"} 1',
    );
    expect(afterPartial).not.toMatch(/standing_reconciliation_last_success_timestamp_seconds\{source="zendesk"/);
    recordReconciliationRun(metrics, {
      tenant: 'acme',
      source: 'zendesk',
      state: 'completed',
      counters: { drift_found: 1, events_appended: 1 },
    });
    const text = await metrics.registry.metrics();
    expect(text).toContain('standing_reconciliation_drift_total{source="zendesk",tenant="acme"} 4');
    expect(text).toContain('standing_reconciliation_events_appended_total{source="zendesk",tenant="acme"} 3');
    expect(text).toMatch(
      /standing_reconciliation_last_success_timestamp_seconds\{source="zendesk",tenant="acme"\} \d+/,
    );
  });
});
