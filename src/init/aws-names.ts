import { ENV } from './intrinsics.js';
import type { DeclaredFunction, Note } from './model.js';

/**
 * `lci init --aws`: the real AWS function names per environment, as lambroll init reads a live
 * function. A function CloudFormation named (no FunctionName in the template) is found by the
 * tag CloudFormation puts on it, `aws:cloudformation:logical-id`, and its environment by its
 * stack's name (`aws:cloudformation:stack-name`) holding the environment's name as a word. A
 * name the sources fix is looked up as it is. Pure: the listing and the tags come in.
 */

export interface AccountFunction {
  name: string;
  arn: string;
  /** Read only for the functions `needsTags` picked. */
  tags?: Record<string, string>;
}

export const LOGICAL_ID_TAG = 'aws:cloudformation:logical-id';
export const STACK_NAME_TAG = 'aws:cloudformation:stack-name';

/** How much of a logical id a CloudFormation-made name is expected to hold, to pick whose tags to read. */
const ID_PREFIX = 8;

/** The functions whose tags are worth reading: their name holds the start of a logical id CloudFormation named. */
export function needsTags(declared: DeclaredFunction[], listed: AccountFunction[]): AccountFunction[] {
  const prefixes = declared
    .filter((d) => d.origin.kind === 'sam' && d.functionName.kind === 'generated')
    .map((d) => d.id.slice(0, ID_PREFIX));
  if (prefixes.length === 0) return [];
  return listed.filter((f) => prefixes.some((p) => f.name.includes(p)));
}

/** The declarations with the names found; a note for each one that the account does not settle. */
export function applyAccount(
  declared: DeclaredFunction[],
  listed: AccountFunction[],
  envNames: string[],
): { functions: DeclaredFunction[]; notes: Note[]; found: number } {
  const notes: Note[] = [];
  const names = new Set(listed.map((f) => f.name));
  let found = 0;
  const functions = declared.map((d) => {
    const fn = d.functionName;
    if (fn.kind === 'fixed') {
      const missing = envNames.map((e) => fn.value.split(ENV).join(e)).filter((n) => !names.has(n));
      const unique = [...new Set(missing)];
      if (unique.length > 0)
        notes.push({ origin: d.origin, message: `no function ${unique.join(', ')} in the account (not created yet?)` });
      else found++;
      return d;
    }
    if (fn.kind !== 'generated' || d.origin.kind !== 'sam') return d;
    const candidates = listed.filter((f) => f.tags?.[LOGICAL_ID_TAG] === d.id);
    const values: Record<string, string> = {};
    const unplaced: string[] = [];
    for (const c of candidates) {
      const env = environmentOf(c, envNames);
      if (!env) unplaced.push(c.name);
      else if (values[env] && values[env] !== c.name) {
        notes.push({
          origin: d.origin,
          message: `${values[env]} and ${c.name} both look like ${env}'s: set functionName by hand`,
        });
        return d;
      } else values[env] = c.name;
    }
    if (unplaced.length > 0)
      notes.push({
        origin: d.origin,
        message: `found ${unplaced.join(', ')} (logical id ${d.id}) in stacks whose names name no environment of ${envNames.join(', ')}`,
      });
    if (Object.keys(values).length === 0) return d;
    found++;
    return { ...d, functionName: { kind: 'per-env' as const, values } };
  });
  return { functions, notes, found };
}

/** The environment a function belongs to: the one whose name is a word of its stack's name (else of its own). */
export function environmentOf(f: AccountFunction, envNames: string[]): string | null {
  for (const text of [f.tags?.[STACK_NAME_TAG], f.name]) {
    if (!text) continue;
    const words = text.toLowerCase().split(/[^a-z0-9]+/);
    const hits = envNames.filter(
      (e) => words.includes(e.toLowerCase()) || (e === 'prod' && words.includes('production')),
    );
    if (hits.length === 1) return hits[0]!;
  }
  return null;
}
