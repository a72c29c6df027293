/**
 * What a JSON request body must satisfy before anything recursive (JSON.stringify, canonicalize,
 * the mappers) or PostgreSQL sees it. Checked once at the edge, per request, so a bad body is
 * refused alone with a 400 naming the problem:
 * - nesting at most MAX_JSON_DEPTH levels (JSON.parse copes with any depth, JSON.stringify and
 *   canonicalize overflow the stack around a few thousand);
 * - no U+0000 and no lone UTF-16 surrogate in any string or key: PostgreSQL's jsonb refuses both
 *   ("unsupported Unicode escape sequence"), and one such body grouped into a shared INSERT would
 *   fail its neighbours too.
 * Pure functions; the walk is iterative, so the check itself cannot overflow.
 */
import type { FieldProblem } from '../model/standing-event.ts';

/** Deepest nesting of objects and arrays accepted in a request body (Zendesk payloads use < 10). */
export const MAX_JSON_DEPTH = 64;

export type JsonBodyProblem = { code: 'too_deep' | 'invalid_text'; message: string; problem: FieldProblem };

// A NUL, a high surrogate not followed by a low one, or a low surrogate not preceded by a high one.
// eslint-disable-next-line no-control-regex -- the NUL is the control character this rejects
const BAD_TEXT = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function textProblem(s: string): string | null {
  const m = BAD_TEXT.exec(s);
  if (!m) return null;
  return m[0] === '\u0000'
    ? 'contains U+0000 (NUL), which cannot be stored'
    : 'contains a lone UTF-16 surrogate, which is not valid Unicode text';
}

const pathOf = (segments: readonly (string | number)[]) => (segments.length === 0 ? '(root)' : segments.join('.'));

/** The first problem of a parsed JSON value, or null when it may be stored. */
export function jsonBodyProblem(value: unknown, maxDepth: number = MAX_JSON_DEPTH): JsonBodyProblem | null {
  const stack: { value: unknown; path: (string | number)[]; depth: number }[] = [{ value, path: [], depth: 0 }];
  while (stack.length > 0) {
    const item = stack.pop()!;
    const v = item.value;
    if (typeof v === 'string') {
      const p = textProblem(v);
      if (p)
        return {
          code: 'invalid_text',
          message: `${pathOf(item.path)}: ${p}`,
          problem: { path: pathOf(item.path), message: p },
        };
      continue;
    }
    if (typeof v !== 'object' || v === null) continue;
    const depth = item.depth + 1;
    if (depth > maxDepth) {
      const message = `nested deeper than ${maxDepth} levels`;
      return {
        code: 'too_deep',
        message: `${pathOf(item.path)}: ${message}`,
        problem: { path: pathOf(item.path), message },
      };
    }
    if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push({ value: v[i], path: [...item.path, i], depth });
      continue;
    }
    for (const [k, child] of Object.entries(v as Record<string, unknown>)) {
      const p = textProblem(k);
      if (p)
        return {
          code: 'invalid_text',
          message: `${pathOf(item.path)}: a key ${p}`,
          problem: { path: pathOf(item.path), message: `a key ${p}` },
        };
      stack.push({ value: child, path: [...item.path, k], depth });
    }
  }
  return null;
}

// In JSON text decoded from UTF-8 (invalid sequences become U+FFFD), a NUL or a lone surrogate can
// only come from a \u escape; an escaped backslash before "u0000" matches too and costs the walk only.
const MAYBE_BAD_ESCAPE = /\\u(?:0000|[dD][89abAB][0-9a-fA-F]{2}|[dD][c-fC-F][0-9a-fA-F]{2})/;

/** True when `text` has more than `limit` '{' and '[' in all: only then can it nest deeper than `limit`. */
function mayNestDeeperThan(text: string, limit: number): boolean {
  let n = 0;
  for (const open of ['{', '[']) {
    for (let i = text.indexOf(open); i >= 0; i = text.indexOf(open, i + 1)) if (++n > limit) return true;
  }
  return false;
}

/**
 * `jsonBodyProblem` of `value`, parsed from `text` (decoded from UTF-8): when the text shows that no
 * string can hold a NUL or a lone surrogate and that nothing nests that deep, the value is not
 * walked at all. Two native scans of the text instead of a walk that allocates per value.
 */
export function jsonTextProblem(
  text: string,
  value: unknown,
  maxDepth: number = MAX_JSON_DEPTH,
): JsonBodyProblem | null {
  if (!MAYBE_BAD_ESCAPE.test(text) && !mayNestDeeperThan(text, maxDepth)) return null;
  return jsonBodyProblem(value, maxDepth);
}

const NUMBER_TOKEN = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

/**
 * The exact source text of `key`'s value in the top-level object of `text` when that value is a
 * number (the last occurrence wins, as in JSON.parse), else null. `text` must already be valid JSON.
 * Why: JSON.parse turns a 30-digit id into a double (1.2345678901234568e+29), so two distinct ids
 * would become one. Node 20's JSON.parse has no reviver `context.source` (Node 21+), and a whole
 * lossless parser is more than the one key we need, so the top level is scanned here.
 */
export function topLevelNumberText(text: string, key: string): string | null {
  let depth = 0;
  let found: string | null = null;
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === '"') {
      let j = i + 1;
      while (text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      const token = text.slice(i, j + 1);
      i = j + 1;
      if (depth === 1) {
        let k = i;
        while (k < text.length && /\s/.test(text[k]!)) k++;
        // At depth 1, a string followed by ':' is a key: look at the value after it.
        if (text[k] === ':') {
          const pendingKey = JSON.parse(token) as string;
          i = k + 1;
          while (i < text.length && /\s/.test(text[i]!)) i++;
          if (pendingKey === key) {
            NUMBER_TOKEN.lastIndex = i;
            const m = NUMBER_TOKEN.exec(text);
            found = m ? m[0] : null;
          }
        }
      }
      continue;
    }
    if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') depth--;
    i++;
  }
  return found;
}
