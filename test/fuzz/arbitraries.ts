/**
 * fast-check arbitraries of hostile webhook deliveries: Zendesk bodies signed with the real secret
 * over garbage (deep nesting, huge strings, NUL, lone surrogates, `__proto__` keys, top-level
 * arrays, invalid UTF-8, mutated event fields), forged or mangled signature headers, and Salesforce
 * SOAP envelopes (mutated, wrong organization, DOCTYPE, deep, huge).
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { userDeactivated } from '../support/load.ts';

/** One request the fuzzer sends. `signed`: signed with the tenant's real secret. */
export type FuzzCase =
  | {
      kind: 'zendesk';
      signed: boolean;
      body: Buffer;
      headers: Record<string, string>;
      tenant: string;
      timestampSkewS: number;
    }
  | { kind: 'salesforce'; rightOrg: boolean; notificationId: string; body: Buffer; contentType: string | null };

/** The Content-Types Standing reads an Outbound Message under (SOAP 1.1: `text/xml`, UTF-8). */
export const isOutboundContentType = (t: string | null) =>
  t !== null && /^text\/xml\s*(;\s*charset="?utf-8"?\s*)?$/i.test(t);

const DANGEROUS_KEYS = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  'id',
  'type',
  'detail',
  'event',
  '',
];

/** Strings with what breaks parsers and PostgreSQL: NUL, lone surrogates, control characters, long runs. */
const nastyString = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom(
    '\u0000',
    'a\u0000b',
    '\ud800',
    'x\udfffy',
    '\ud83d',
    '\u202e',
    '\ufeff',
    '%00',
    '\\u0000',
    '${x}',
    "'; DROP TABLE x; --",
  ),
  fc.integer({ min: 1, max: 5_000 }).map((n) => 'x'.repeat(n)),
);

const leaf = fc.oneof(
  nastyString,
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.bigInt().map((b) => b.toString()),
);

/** JSON values with dangerous keys, bounded in size. */
const jsonish: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.oneof(fc.constantFrom(...DANGEROUS_KEYS), nastyString), tie('value'), { maxKeys: 4 }),
  ),
})).value;

/** Nested `depth` levels of arrays or objects (the limit is 64). */
const deep = fc
  .tuple(fc.integer({ min: 50, max: 5000 }), fc.boolean())
  .map(([depth, arrays]) =>
    arrays ? '['.repeat(depth) + ']'.repeat(depth) : '{"a":'.repeat(depth) + '1' + '}'.repeat(depth),
  );

/** A valid event with one field replaced by anything. */
const mutatedEvent = fc
  .tuple(
    fc.constantFrom('id', 'type', 'time', 'subject', 'detail', 'event', 'account_id', '__proto__'),
    jsonish,
    fc.uuid(),
  )
  .map(([field, value, id]) => {
    const body = userDeactivated(`fuzz-${id}`, 900_000);
    // JSON text rather than an object: `__proto__` must become a key, not the prototype.
    const text = JSON.stringify(body);
    return field === '__proto__'
      ? `{"__proto__":${JSON.stringify(value) ?? 'null'},${text.slice(1)}`
      : JSON.stringify({ ...body, [field]: value });
  });

/** A well-formed event with a fresh id (most of these are accepted and stored). */
const validEvent = fc
  .tuple(fc.uuid(), fc.integer({ min: 900_001, max: 999_999 }), fc.constantFrom('', ' ', '\n'))
  .map(([id, user, pad]) => `${pad}${JSON.stringify(userDeactivated(`fuzz-${id}`, user))}`);

// Weighted so that the huge bodies (a few hundred KB each) stay about 1 % of the run.
const zendeskBody: fc.Arbitrary<Buffer> = fc.oneof(
  { weight: 20, arbitrary: validEvent.map((s) => Buffer.from(s)) },
  { weight: 20, arbitrary: mutatedEvent.map((s) => Buffer.from(s)) },
  { weight: 15, arbitrary: jsonish.map((v) => Buffer.from(JSON.stringify(v) ?? 'null')) },
  { weight: 10, arbitrary: fc.array(jsonish, { maxLength: 5 }).map((v) => Buffer.from(JSON.stringify(v))) },
  { weight: 5, arbitrary: deep.map((s) => Buffer.from(s)) },
  {
    weight: 1,
    arbitrary: fc.integer({ min: 200_000, max: 400_000 }).map((n) => Buffer.from(`{"id":"${'x'.repeat(n)}"}`)),
  },
  { weight: 10, arbitrary: fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a)) },
  { weight: 5, arbitrary: nastyString.map((s) => Buffer.from(s)) },
);

const headerValue = fc.oneof(
  fc.string({ unit: 'grapheme-ascii', maxLength: 60 }),
  fc.constantFrom(
    'gzip',
    'deflate',
    'br',
    'identity',
    'compress',
    'GZIP',
    'text/plain',
    'application/json; charset=latin1',
  ),
);

const zendeskCase: fc.Arbitrary<FuzzCase> = fc
  .record({
    signed: fc.boolean(),
    body: zendeskBody,
    extraHeaders: fc.dictionary(
      fc.constantFrom(
        'content-encoding',
        'content-type',
        'x-zendesk-webhook-id',
        'x-zendesk-webhook-invocation-id',
        'x-zendesk-webhook-signature',
        'x-zendesk-webhook-signature-timestamp',
      ),
      headerValue,
      { maxKeys: 2 },
    ),
    tenant: fc.oneof(
      { weight: 8, arbitrary: fc.constant('default') },
      { weight: 1, arbitrary: fc.constantFrom('nobody', '..', '%00', 'DEFAULT', 'a'.repeat(70), '__proto__') },
    ),
    timestampSkewS: fc.oneof(
      { weight: 9, arbitrary: fc.constant(0) },
      { weight: 1, arbitrary: fc.integer({ min: -100_000, max: 100_000 }) },
    ),
  })
  .map(({ signed, body, extraHeaders, tenant, timestampSkewS }) => ({
    kind: 'zendesk' as const,
    signed,
    body,
    headers: extraHeaders,
    tenant,
    timestampSkewS,
  }));

const FIXTURE = readFileSync(new URL('../fixtures/salesforce/outbound-message.xml', import.meta.url), 'utf8');
export const FUZZ_ORG = '00D5g000004SxYzEAK';

const soapMutation = fc.oneof(
  { weight: 10, arbitrary: fc.constant((x: string) => x) },
  {
    weight: 10,
    arbitrary: fc.tuple(fc.nat(), fc.nat({ max: 40 })).map(
      ([at, len]) =>
        (x: string) =>
          x.slice(0, at % x.length) + x.slice((at % x.length) + len),
    ),
  },
  {
    weight: 10,
    arbitrary: fc.tuple(fc.nat(), nastyString).map(
      ([at, s]) =>
        (x: string) =>
          x.slice(0, at % x.length) + s + x.slice(at % x.length),
    ),
  },
  {
    weight: 3,
    arbitrary: fc.constant((x: string) =>
      x.replace(
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>',
      ),
    ),
  },
  {
    weight: 5,
    arbitrary: fc
      .integer({ min: 1, max: 120 })
      .map((n) => (x: string) => x.replace(/<Notification>[\s\S]*<\/Notification>/, (m) => m.repeat(n))),
  },
  {
    weight: 3,
    arbitrary: fc
      .integer({ min: 100, max: 3000 })
      .map((n) => (x: string) => x.replace('<sf:Name>', `<sf:Name>${'<a>'.repeat(n)}${'</a>'.repeat(n)}`)),
  },
  {
    weight: 1,
    arbitrary: fc
      .integer({ min: 500_000, max: 1_500_000 })
      .map((n) => (x: string) => x.replace('Reyes Logistics', 'R'.repeat(n))),
  },
);

const soapContentType = fc.oneof(
  { weight: 12, arbitrary: fc.constantFrom('text/xml; charset=utf-8', 'text/xml', 'Text/XML; charset="UTF-8"') },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      'application/soap+xml',
      'application/xml',
      'application/json',
      'text/plain',
      'text/xml; charset=iso-8859-1',
      '',
    ),
  },
  { weight: 1, arbitrary: fc.oneof(fc.constant(null), headerValue) },
);

const salesforceCase: fc.Arbitrary<FuzzCase> = fc
  .record({
    rightOrg: fc.boolean(),
    mutate: soapMutation,
    suffix: fc.stringMatching(/^[A-Za-z0-9]{12}$/),
    contentType: soapContentType,
  })
  .map(({ rightOrg, mutate, suffix, contentType }) => {
    const notificationId = `04l${suffix}`;
    const xml = FIXTURE.replace('04l5g00000AbCdEAAV', notificationId).replace(
      FUZZ_ORG,
      rightOrg ? FUZZ_ORG : '00D000000000001AAA',
    );
    return { kind: 'salesforce' as const, rightOrg, notificationId, body: Buffer.from(mutate(xml)), contentType };
  });

export const fuzzCase: fc.Arbitrary<FuzzCase> = fc.oneof(
  { weight: 4, arbitrary: zendeskCase },
  { weight: 1, arbitrary: salesforceCase },
);
