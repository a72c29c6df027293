import { z } from 'zod';

/**
 * Express's query parser yields an array when a parameter is repeated (`?from=a&from=b`): wrapped
 * in `once`, such a parameter fails with "must be given once" instead of being read as a list.
 */
export const once = <T extends z.ZodType>(schema: T) =>
  z.preprocess((value, ctx) => {
    if (!Array.isArray(value)) return value;
    ctx.addIssue({ code: 'custom', message: 'must be given once', input: value });
    return z.NEVER;
  }, schema);
