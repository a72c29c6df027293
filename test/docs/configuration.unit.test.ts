/**
 * docs/configuration.md is generated from CONFIG_REFERENCE (`npm run docs:config`): the committed
 * page must be what the script renders now, and the reference must name every variable the
 * service's configuration parses and every one the CLI reads.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { API_KEY_ENV } from '../../connector/cli/command-access.ts';
import { COMPLIANCE_ENV } from '../../connector/config/compliance-env.ts';
import { INTAKE_ENV, ZENDESK_ENV } from '../../connector/config/intake-env.ts';
import { CONFIG_REFERENCE } from '../../connector/config/reference.ts';
import { SERVICE_ENV } from '../../connector/config/service-env.ts';
import { CONFIGURATION_DOC, renderConfigurationDoc, SEE_ALSO } from '../../scripts/docs-config.ts';

const PARSED = [SERVICE_ENV, INTAKE_ENV, COMPLIANCE_ENV, ZENDESK_ENV].flatMap((schema) => Object.keys(schema));
const documented = CONFIG_REFERENCE.map((e) => e.name);

describe('docs/configuration.md', () => {
  it('is what `npm run docs:config` writes from the reference today', () => {
    expect(readFileSync(CONFIGURATION_DOC, 'utf8')).toBe(renderConfigurationDoc());
  });

  it('has one row per variable of the reference', () => {
    const rows = renderConfigurationDoc()
      .split('\n')
      .filter((line) => line.startsWith('| `'));
    expect(rows.map((r) => /^\| `([A-Z0-9_]+)`/.exec(r)?.[1])).toEqual(documented);
  });

  it('shows a table cell, not HTML, for a placeholder in angle brackets', () => {
    const entry = { name: 'X_DIR', default: '(unset: <STANDING_DATA_DIR>/x)', description: 'A | B `<kept>`' };
    const page = renderConfigurationDoc([{ ...entry, secret: false }]);
    expect(page).toContain('| `X_DIR` | unset: &lt;STANDING_DATA_DIR&gt;/x | A \\| B `<kept>` |');
  });
});

describe('CONFIG_REFERENCE', () => {
  it.each(PARSED)('documents %s, which the configuration parses', (name) => {
    expect(documented).toContain(name);
  });

  it('documents the API key the CLI acts with', () => {
    expect(documented).toContain(API_KEY_ENV);
  });

  it('names each variable once', () => {
    expect(new Set(documented).size).toBe(documented.length);
  });

  it('links only variables it has', () => {
    expect(Object.keys(SEE_ALSO).filter((name) => !documented.includes(name))).toEqual([]);
  });
});
