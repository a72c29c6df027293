// @vitest-environment jsdom
import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { fail, renderApp, stubClient } from './zaf-stub';
import type { ZafRequestOptions } from '../src/app/lib/zaf-client';

afterEach(cleanup);

const mapping = { version: 0, document: { version: 1 }, changed_by: null, changed_at: null, is_default: true };
const quarantined = {
  source: 'zendesk',
  event_id: 'ev-frozen',
  received_at: '2026-03-01T00:00:00Z',
  reason: 'unknown value',
  problems: [{ path: 'event.current', message: 'no rule for "frozen"' }],
  body: {
    type: 'zen:event-type:user.custom_field_changed',
    subject: 'zen:user:7104',
    detail: { id: '7104', email: 'kim.novak@example.com' },
    event: { current: 'frozen' },
  },
};

function admin(overrides: Partial<Record<string, (o: ZafRequestOptions) => Promise<unknown>>> = {}) {
  let replayed = false;
  return stubClient({
    location: 'nav_bar',
    respond: (o) => {
      const path = new URL(o.url).pathname.replace('/app/v1/acme/admin', '');
      const key = `${o.type ?? 'GET'} ${path}`;
      const own = overrides[key];
      if (own) return own(o);
      if (key === 'GET /mapping') return Promise.resolve(mapping);
      if (key === 'PUT /mapping') return Promise.resolve({ ...mapping, version: 4, is_default: false });
      if (key === 'POST /mapping/preview')
        return Promise.resolve({
          events: [
            {
              event_id: 'ev-1',
              received_at: '2026-03-01T00:00:00Z',
              type: 'zen:event-type:user.custom_field_changed',
              current_state: 'quarantined',
              outcome: 'events',
              events: [{ kind: 'deactivation', status: { before: 'active', after: 'suspended' }, reason_code: null }],
            },
          ],
        });
      if (key === 'GET /quarantine')
        return Promise.resolve({ events: replayed ? [] : [quarantined], next_cursor: null });
      if (key === 'POST /quarantine/replay') {
        replayed = true;
        return Promise.resolve({ replayed: 1 });
      }
      return fail(404);
    },
  });
}

describe('admin page', () => {
  it('refuses a non-admin clearly', async () => {
    renderApp(admin({ 'GET /mapping': () => fail(403, { code: 'forbidden', message: 'only admins' }) }).client);
    expect((await screen.findByTestId('state-forbidden')).textContent).toContain('Admins only');
  });

  it('shows a JSON syntax error without calling the connector, and validation problems at their path', async () => {
    const { client, request } = admin({
      'PUT /mapping': () =>
        fail(400, {
          code: 'invalid_request',
          message: 'x',
          details: [{ path: 'user.fields.0.values', message: 'must not be empty' }],
        }),
    });
    renderApp(client);
    fireEvent.click(await screen.findByTestId('mapping-view'));
    const editor = await screen.findByTestId('mapping-editor');
    fireEvent.change(editor, { target: { value: '{ nope' } });
    fireEvent.click(screen.getByTestId('save'));
    expect(await screen.findByText(/Not valid JSON/)).toBeTruthy();
    expect(request).toHaveBeenCalledTimes(1);
    fireEvent.change(editor, { target: { value: '{"version": 1, "user": {"fields": [{"values": {}}]}}' } });
    fireEvent.click(screen.getByTestId('save'));
    const problem = await screen.findByText((_, el) => el?.getAttribute('data-path') === 'user.fields.0.values');
    expect(problem.textContent).toBe('user.fields.0.values: must not be empty');
    expect(editor.getAttribute('aria-invalid')).toBe('true');
  });

  it('previews the draft against the latest events, then saves it', async () => {
    const { client, request } = admin();
    renderApp(client);
    await screen.findByTestId('mapping-form');
    expect(screen.getByText('Default mapping (never changed)')).toBeTruthy();
    fireEvent.click(screen.getByTestId('preview'));
    const table = await screen.findByTestId('preview-table');
    expect(table.textContent).toContain('deactivation → suspended');
    expect(JSON.parse(String(request.mock.calls[1]![0].data))).toEqual({ document: { version: 1 }, limit: 20 });
    fireEvent.click(screen.getByTestId('save'));
    expect((await screen.findByTestId('saved')).textContent).toBe('Saved as version 4.');
  });

  it('edits the mapping with a form: a value to a status and a reason code, a new value, saved as JSON', async () => {
    const doc = {
      version: 1,
      user: {
        active_changed: { deactivated_status: 'deleted' },
        fields: [{ field: { key: 'account_status', title: 'Account status' }, values: { active: 'active' } }],
      },
      ticket: { tags: [] },
    };
    const { client, request } = admin({
      'GET /mapping': () =>
        Promise.resolve({
          version: 2,
          document: doc,
          changed_by: 'x',
          changed_at: '2026-03-01T00:00:00Z',
          is_default: false,
        }),
      'PUT /mapping': (o) =>
        Promise.resolve({
          version: 3,
          document: JSON.parse(String(o.data)) as unknown,
          changed_by: 'x',
          changed_at: '2026-03-01T00:00:00Z',
        }),
    });
    renderApp(client);
    await screen.findByTestId('mapping-form');
    fireEvent.change(screen.getByTestId('m-new-value'), { target: { value: 'frozen' } });
    fireEvent.click(screen.getByTestId('m-add'));
    fireEvent.change(screen.getByLabelText('Status for frozen'), { target: { value: 'suspended' } });
    fireEvent.change(screen.getByLabelText('Reason code for frozen'), { target: { value: 'fraud_suspected' } });
    fireEvent.click(screen.getByTestId('save'));
    expect((await screen.findByTestId('saved')).textContent).toBe('Saved as version 3.');
    const sent = JSON.parse(String(request.mock.calls.at(-1)![0].data)) as typeof doc;
    expect(sent.user.fields[0]!.values).toEqual({
      active: 'active',
      frozen: { status: 'suspended', reason_code: 'fraud_suspected' },
    });
    expect(sent.ticket).toEqual({ tags: [] });
  });

  it('lists the quarantine, inspects an event and replays it', async () => {
    renderApp(admin().client);
    fireEvent.click(await screen.findByTestId('tab-quarantine'));
    const row = await screen.findByTestId('quarantined');
    // Whose event and which type, at a glance.
    expect(within(row).getByTestId('quarantined-customer').textContent).toBe('kim.novak@example.com · user 7104');
    expect(within(row).getByTestId('quarantined-type').textContent).toBe('user.custom_field_changed');
    fireEvent.click(within(row).getByRole('button', { name: 'Inspect' }));
    expect(screen.getByTestId('quarantine-body').textContent).toContain('frozen');
    expect(screen.getByTestId('quarantine-problems').textContent).toContain('event.current');
    fireEvent.click(within(row).getByTestId('replay'));
    expect((await screen.findByTestId('replayed')).textContent).toBe('Replayed 1 event.');
    await waitFor(() => expect(screen.getByTestId('quarantine-empty')).toBeTruthy());
  });

  it('says when no reconciliation has run yet', async () => {
    renderApp(admin({ 'GET /reconciliation': () => Promise.resolve({ runs: [] }) }).client);
    fireEvent.click(await screen.findByTestId('tab-reconciliation'));
    expect((await screen.findByTestId('reconciliation-empty')).textContent).toMatch(/No reconciliation run yet/);
  });

  it('lists reconciliation runs with what they found and why one stopped', async () => {
    const run = {
      id: 'r1',
      source: 'zendesk',
      trigger: 'schedule',
      state: 'partial',
      started_at: '2026-03-01T10:00:00Z',
      ended_at: '2026-03-01T10:01:00Z',
      pages: 3,
      records_read: 2500,
      events_appended: 4,
      drift_found: 5,
      errors: [{ stream: 'users', message: 'stopped at the page cap' }],
    };
    renderApp(
      admin({
        'GET /reconciliation': () =>
          Promise.resolve({
            runs: [
              run,
              { ...run, id: 'r2', source: 'salesforce', trigger: 'backfill', state: 'completed', errors: [] },
            ],
          }),
      }).client,
    );
    fireEvent.click(await screen.findByTestId('tab-reconciliation'));
    const rows = await screen.findAllByTestId('reconciliation-run');
    expect(rows).toHaveLength(2);
    expect(rows[0]!.textContent).toContain('2500 records read, 5 differed, 4 events added');
    expect(rows[0]!.textContent).toContain('partial (resumes next run)');
    expect(screen.getByTestId('reconciliation-errors').textContent).toBe('users: stopped at the page cap');
    expect(rows[1]!.textContent).toContain('salesforce (backfill)');
  });
});

describe('admin page: API keys', () => {
  const record = (
    seq: number,
    action: string,
    role: string,
    name: string,
    by: { type: string; label: string; role: string | null },
  ) => ({
    tenant: 'acme',
    seq,
    id: `00000000-0000-4000-8000-00000000000${seq}`,
    at: '2026-03-01T10:00:00Z',
    action,
    principal: by,
    path: 'POST /api/v1/tenants/acme/keys',
    subject_ids: [],
    outcome: 'allowed',
    detail: { key_id: `000000000000000${seq}`, role, name },
    prev_hash: 'x',
    hash: 'y',
  });

  it('lists every key created and revoked, newest first, with who did it', async () => {
    let asked = '';
    const entries = [
      record(1, 'key.create', 'auditor', 'Acme compliance', { type: 'operator', label: 'operator', role: 'operator' }),
      record(2, 'key.create', 'auditor', 'Second look', {
        type: 'api_key',
        label: 'api-key:0000000000000001',
        role: 'auditor',
      }),
      record(3, 'key.revoke', 'agent', 'Helpdesk bot', { type: 'operator', label: 'operator', role: 'operator' }),
    ];
    renderApp(
      admin({ 'GET /key-records': (o) => ((asked = o.url), Promise.resolve({ entries, next_after_seq: null })) })
        .client,
    );
    fireEvent.click(await screen.findByTestId('tab-keys'));
    const rows = await screen.findAllByTestId('key-record');
    expect(asked).toContain('/app/v1/acme/admin/key-records');
    expect(rows.map((r) => r.textContent)).toEqual([
      expect.stringMatching(/revoked.*agent key "Helpdesk bot" \(0000000000000003\).*operator/),
      expect.stringMatching(
        /created.*auditor key "Second look" \(0000000000000002\).*api-key:0000000000000001 \(auditor\)/,
      ),
      expect.stringMatching(/created.*auditor key "Acme compliance" \(0000000000000001\).*operator/),
    ]);
    expect(screen.getByTestId('keys-tab').textContent).toMatch(/An auditor key reads every customer's history/);
  });

  it('says when no key was created yet', async () => {
    renderApp(admin({ 'GET /key-records': () => Promise.resolve({ entries: [], next_after_seq: null }) }).client);
    fireEvent.click(await screen.findByTestId('tab-keys'));
    expect((await screen.findByTestId('keys-empty')).textContent).toMatch(/No API key/);
  });
});

describe('admin page: warning thresholds', () => {
  it('shows the thresholds, refuses a bad one at its path, and saves a good one', async () => {
    const settings = {
      unapproved_reinstatement: { enabled: true, exempt_reason_codes: ['non_payment'] },
      fraud_reactivation: { enabled: true, window_hours: 72, reason_codes: ['fraud_suspected'] },
      repeated_cycles: { enabled: true, min_cycles: 3, window_days: 90 },
    };
    const { client } = admin({
      'GET /warning-settings': () => Promise.resolve(settings),
      'PUT /warning-settings': (o) => {
        const doc = JSON.parse(String(o.data)) as { fraud_reactivation: { window_hours: number } };
        return doc.fraud_reactivation.window_hours > 0
          ? Promise.resolve(doc)
          : fail(400, {
              code: 'invalid_request',
              message: 'x',
              details: [{ path: 'fraud_reactivation.window_hours', message: 'Too small: expected number to be >=1' }],
            });
      },
    });
    renderApp(client);
    fireEvent.click(await screen.findByTestId('tab-warnings'));
    // The form first: Garden fields, the connector's problem at its field; then the JSON view.
    const hours = await screen.findByTestId('w-fraud_reactivation.window_hours');
    expect((hours as HTMLInputElement).value).toBe('72');
    fireEvent.change(hours, { target: { value: '0' } });
    fireEvent.click(screen.getByTestId('warnings-save'));
    await waitFor(() => expect(hours.getAttribute('aria-invalid')).toBe('true'));
    fireEvent.change(hours, { target: { value: '48' } });
    fireEvent.click(screen.getByTestId('warnings-save'));
    expect((await screen.findByTestId('warnings-saved')).textContent).toBe('Thresholds saved.');
    fireEvent.change(screen.getByTestId('w-fraud_reactivation.window_hours'), { target: { value: '72' } });
    fireEvent.click(screen.getByTestId('warnings-view'));
    const editor = await screen.findByTestId('warnings-editor');
    expect(JSON.parse((editor as HTMLTextAreaElement).value)).toEqual(settings);
    fireEvent.change(editor, { target: { value: JSON.stringify({ fraud_reactivation: { window_hours: 0 } }) } });
    fireEvent.click(screen.getByTestId('warnings-save'));
    expect(
      (await screen.findByText((_, el) => el?.getAttribute('data-path') === 'fraud_reactivation.window_hours'))
        .textContent,
    ).toContain('expected number to be >=1');
    fireEvent.change(editor, { target: { value: JSON.stringify({ fraud_reactivation: { window_hours: 24 } }) } });
    fireEvent.click(screen.getByTestId('warnings-save'));
    expect((await screen.findByTestId('warnings-saved')).textContent).toBe('Thresholds saved.');
  });
});
