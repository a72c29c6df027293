/** connector/http/openapi.yaml is generated: from openapi.base.yaml and the zod contracts, never edited by hand. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { OPENAPI_COMPONENTS } from '../../connector/contracts/index.ts';
import { BASE_PATH, OUTPUT_PATH, OpenApiSourceError, renderOpenApi } from '../../scripts/openapi.ts';

const base = readFileSync(BASE_PATH, 'utf8');

describe('the OpenAPI document', () => {
  it('is what `npm run openapi` writes now (run it after changing a contract or openapi.base.yaml)', () => {
    expect(readFileSync(OUTPUT_PATH, 'utf8')).toBe(renderOpenApi(base));
  });

  it('describes every answer of the contracts as a component schema', () => {
    const schemas = (
      YAML.parse(readFileSync(OUTPUT_PATH, 'utf8')) as { components: { schemas: Record<string, unknown> } }
    ).components.schemas;
    for (const name of Object.keys(OPENAPI_COMPONENTS)) expect(schemas, name).toHaveProperty(name);
    expect(schemas.HistoryPage).toMatchObject({
      type: 'object',
      properties: { events: { type: 'array', items: { $ref: '#/components/schemas/StandingEvent' } } },
    });
  });

  it('refuses a base that defines a schema the contracts define', () => {
    const twice = base.replace(/^ {2}schemas:\n/m, '  schemas:\n    HistoryPage: { type: object }\n');
    expect(() => renderOpenApi(twice)).toThrow(OpenApiSourceError);
    expect(() => renderOpenApi(twice)).toThrow(/HistoryPage/);
  });

  it('refuses a $ref to a schema nobody defines', () => {
    const dangling = base.replace(
      "$ref: '#/components/schemas/SidebarPage'",
      "$ref: '#/components/schemas/NoSuchPage'",
    );
    expect(dangling).not.toBe(base);
    expect(() => renderOpenApi(dangling)).toThrow(/NoSuchPage/);
  });
});
