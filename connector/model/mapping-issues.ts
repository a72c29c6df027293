/**
 * Problems of a mapping document (Zendesk's, Salesforce's) as `{path, message}` an admin can act on.
 */
import type { z } from 'zod';
import type { FieldProblem } from './standing-event.ts';

type Issue = z.core.$ZodIssue;

/** Flattens zod issues: one problem per unknown key, and for unions the branch the value was aiming at. */
export function describeMappingIssues(issues: readonly Issue[], prefix: PropertyKey[] = []): FieldProblem[] {
  const out: FieldProblem[] = [];
  const at = (path: PropertyKey[]) => path.map(String).join('.') || '(root)';
  for (const issue of issues) {
    const path = [...prefix, ...issue.path];
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) out.push({ path: at([...path, key]), message: `unknown key "${key}"` });
    } else if (issue.code === 'invalid_union') {
      // A branch that failed only on the type of the value itself was not what the author meant.
      const meant = issue.errors.filter(
        (branch) => !branch.every((i) => i.code === 'invalid_type' && i.path.length === 0),
      );
      if (meant.length === 1 && meant[0]) out.push(...describeMappingIssues(meant[0], path));
      else out.push({ path: at(path), message: issue.message });
    } else {
      out.push({ path: at(path), message: issue.message });
    }
  }
  return out;
}
