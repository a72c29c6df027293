/** Zod building blocks for environment variables: what "unset" means, integer ranges, URLs. */
import { z } from 'zod';

// `FOO=` in a compose file or a shell means "not set", not "the empty string".
export const unsetIfEmpty = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);

export const integerIn = (min: number, max: number) =>
  z
    .string()
    .trim()
    .regex(/^\d+$/, `must be an integer ${min}-${max}`)
    .transform(Number)
    .refine((n) => n >= min && n <= max, `must be an integer ${min}-${max}`);

/** An optional integer variable in [min, max], `fallback` when unset or empty. */
export const envInteger = (min: number, max: number, fallback: number) =>
  z.preprocess(unsetIfEmpty, integerIn(min, max).default(fallback));

export const urlWithScheme = (schemes: readonly string[], example: string) =>
  z
    .string()
    .trim()
    .refine((v) => {
      try {
        return schemes.includes(new URL(v).protocol);
      } catch {
        return false;
      }
    }, `must be a URL like ${example}`);
