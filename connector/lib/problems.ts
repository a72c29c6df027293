/** What failed a zod schema, one `{path, message}` per problem, for error messages that name the field. */
import type { z } from 'zod';

/** One problem found in an input, with the path of the offending field. */
export interface FieldProblem {
  path: string;
  message: string;
}

/** Turns zod issues into `{path, message}` pairs, `path` dotted (`status.after`, `approvals.0.at`). */
export function describeIssues(error: z.ZodError): FieldProblem[] {
  return error.issues.map((i) => ({ path: i.path.map(String).join('.') || '(root)', message: i.message }));
}

/** The problems as one line for a message: `path: message; path: message`. */
export function problemsText(problems: readonly FieldProblem[]): string {
  return problems.map((p) => `${p.path}: ${p.message}`).join('; ');
}
