import { describe, expect, it } from 'vitest';
import {
  jsonBodyProblem,
  jsonTextProblem,
  MAX_JSON_DEPTH,
  topLevelNumberText,
} from '../../connector/http/json-body.ts';

const nest = (levels: number): unknown => {
  let v: unknown = 1;
  for (let i = 0; i < levels; i++) v = i % 2 ? [v] : { a: v };
  return v;
};

describe('jsonBodyProblem', () => {
  it('accepts ordinary bodies, paired surrogates (emoji) included', () => {
    expect(jsonBodyProblem({ a: [1, 'x', { b: null, c: 'café 😀' }] })).toBeNull();
  });

  it(`accepts ${MAX_JSON_DEPTH} levels and refuses one more, without overflowing the stack on 100,000`, () => {
    expect(jsonBodyProblem(nest(MAX_JSON_DEPTH))).toBeNull();
    expect(jsonBodyProblem(nest(MAX_JSON_DEPTH + 1))?.code).toBe('too_deep');
    expect(jsonBodyProblem(nest(100_000))?.code).toBe('too_deep');
  });

  it('names the path of a NUL, of a lone surrogate, and of a bad key', () => {
    expect(jsonBodyProblem({ detail: { list: ['ok', 'a\u0000'] } })).toMatchObject({
      code: 'invalid_text',
      problem: { path: 'detail.list.1', message: expect.stringContaining('U+0000') },
    });
    expect(jsonBodyProblem({ x: '\udc00' })?.problem.message).toContain('lone UTF-16 surrogate');
    expect(jsonBodyProblem({ x: 'a\ud800' })?.problem.message).toContain('lone UTF-16 surrogate');
    expect(jsonBodyProblem({ ok: { 'k\u0000': 1 } })?.problem).toEqual({
      path: 'ok',
      message: expect.stringContaining('a key contains U+0000'),
    });
  });
});

describe('jsonTextProblem', () => {
  const check = (text: string) => jsonTextProblem(text, JSON.parse(text));

  it('finds what the walk finds, from the text of the body', () => {
    for (const text of [
      '{"detail":{"list":["ok","a\\u0000"]}}',
      '{"x":"\\udc00"}',
      '{"x":"a\\uD800"}',
      '{"ok":{"k\\u0000":1}}',
      JSON.stringify(nest(MAX_JSON_DEPTH + 1)),
    ])
      expect(check(text)).toEqual(jsonBodyProblem(JSON.parse(text)));
    expect(check(JSON.stringify(nest(MAX_JSON_DEPTH + 1)))?.code).toBe('too_deep');
    expect(check('{"x":"\\uD800"}')?.code).toBe('invalid_text');
  });

  it('accepts ordinary bodies, escaped pairs and an escaped backslash before u0000', () => {
    expect(check('{"a":[1,"x",{"b":null,"c":"caf\\u00e9 \\ud83d\\ude00"}]}')).toBeNull();
    expect(check('{"path":"C:\\\\u0000"}')).toBeNull();
    expect(check(JSON.stringify(nest(MAX_JSON_DEPTH)))).toBeNull();
  });
});

describe('topLevelNumberText', () => {
  it('gives the exact text of a top-level number', () => {
    expect(topLevelNumberText('{"type":"x","id": 123456789012345678901234567890}', 'id')).toBe(
      '123456789012345678901234567890',
    );
    expect(topLevelNumberText('{"id":-1.50e+3}', 'id')).toBe('-1.50e+3');
  });

  it('ignores nested keys, strings that look like keys, and takes the last occurrence', () => {
    expect(topLevelNumberText('{"detail":{"id":1},"s":"\\"id\\":2","id":3}', 'id')).toBe('3');
    expect(topLevelNumberText('{"id":1,"id":"x"}', 'id')).toBeNull();
    expect(topLevelNumberText('{"\\u0069d":42}', 'id')).toBe('42');
    expect(topLevelNumberText('{"detail":{"id":1}}', 'id')).toBeNull();
  });
});
