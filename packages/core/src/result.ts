/**
 * The result shape every validating function in Touchpoint returns instead of throwing:
 * input from the network or from a shop's code is never trusted to be well formed.
 */

/** One thing wrong with an input: where (`batch[3].feedback.score`) and what is allowed. */
export interface Issue {
  path: string;
  message: string;
}

export type Result<T> = { ok: true; value: T } | { ok: false; issues: Issue[] };

/** Joins issues into one line for an error message. */
export function formatIssues(issues: readonly Issue[]): string {
  return issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ');
}

/** Appends a key or index to a path the way a developer would write it: `batch[3].feedback`. */
export function joinPath(base: string, key: string | number): string {
  if (typeof key === 'number') return `${base}[${key}]`;
  return base ? `${base}.${key}` : key;
}
