// After lci deploy --plan-out in a Plan build: what the Manual approval shows, as four lines of
// OUT_FILE for the buildspec to export (CodePipeline reads exported variables): the commit, whether
// applying the plan writes anything ("yes" or "no"), the link to this build in the CodeBuild console
// (its log holds the plan as lci printed it), and the plan's one-line summary. Without a plan file
// (nothing to release, nothing affected) the summary is the first line lci printed and nothing is written.
// Run from the repository root: node plan-variables.mjs PLAN_DIR OUT_FILE
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Longest summary CustomData carries (CodePipeline takes 1,000 characters of configuration, the link and text included). */
const MAX_SUMMARY = 300;
const WRITES = new Set(['PUBLISH', 'RESUME', 'ABORT']);

/** As lci prints it (src/release/plan.ts, planSummary): `prod @ 3f2a9c1e0b4d: 3 to publish, 41 intact, 0 refused; …` */
function summary(plan) {
  const count = (action) => plan.functions.filter((f) => f.action === action).length;
  const parts = [`${count('PUBLISH')} to publish`];
  if (count('RESUME') > 0) parts.push(`${count('RESUME')} to resume`);
  if (count('ABORT') > 0) parts.push(`${count('ABORT')} to put back`);
  parts.push(`${count('INTACT')} intact`, `${count('REFUSED')} refused`);
  const layers = plan.layers.filter((l) => l.action === 'PUBLISH').map((l) => `shared layer ${l.name} to publish`);
  return `${plan.env} @ ${plan.sourceVersion.slice(0, 12)}: ${parts.join(', ')}${layers.length > 0 ? `; ${layers.join(', ')}` : ''}`;
}

/** The CodeBuild console page of this build, from CODEBUILD_BUILD_ARN (arn:PARTITION:codebuild:REGION:ACCOUNT:build/PROJECT:ID). */
function consoleLink(arn) {
  const m = /^arn:([a-z-]+):codebuild:([a-z0-9-]+):([0-9]+):build\/(.+:.+)$/.exec(arn ?? '');
  if (!m) return '';
  const [, partition, region, account, id] = m;
  const host =
    partition === 'aws-cn'
      ? 'console.amazonaws.cn'
      : partition === 'aws-us-gov'
        ? 'console.amazonaws-us-gov.com'
        : `${region}.console.aws.amazon.com`;
  const project = id.slice(0, id.lastIndexOf(':'));
  return `https://${host}/codesuite/codebuild/${account}/projects/${encodeURIComponent(project)}/build/${encodeURIComponent(id)}/?region=${region}`;
}

/** One line of plain text: no control characters, at most `max` characters. */
function oneLine(text, max) {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is removed
  const flat = text.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}

if (process.argv.length !== 4) {
  process.stderr.write('plan-variables: usage: plan-variables PLAN_DIR OUT_FILE\n');
  process.exit(1);
}
const [dir, out] = process.argv.slice(2);
const file = join(dir, 'plan.json');
const plan = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : null;
const printed = existsSync(join(dir, 'plan.txt')) ? readFileSync(join(dir, 'plan.txt'), 'utf8') : '';
const env = process.env;
const commit =
  plan?.commit ?? plan?.sourceVersion ?? env.LCI_SOURCE_COMMIT ?? env.CODEBUILD_RESOLVED_SOURCE_VERSION ?? '';
const writes =
  plan !== null &&
  (plan.functions.some((f) => WRITES.has(f.action)) || plan.layers.some((l) => l.action === 'PUBLISH'));
const text = plan ? summary(plan) : (printed.split('\n').find((l) => l.trim() !== '') ?? 'lci printed nothing');
const lines = [
  oneLine(commit, 64),
  writes ? 'yes' : 'no',
  consoleLink(env.CODEBUILD_BUILD_ARN),
  oneLine(text, MAX_SUMMARY),
];
writeFileSync(out, `${lines.join('\n')}\n`);
process.stdout.write(`plan: ${lines[3]} (writes: ${lines[1]})\n`);
