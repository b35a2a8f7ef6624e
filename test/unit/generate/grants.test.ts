import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  artifactPrefixProblem,
  environmentGrants,
  pipelineArtifactPrefix,
  sourceArtifactName,
} from '../../../src/generate/grants.js';
import { DIGITS, iamLiteral, iamPattern, model, overlaps, SEGMENT } from '../../../src/generate/iam-patterns.js';
import { pipelineName } from '../../../src/generate/render.js';
import { projectOf } from '../../harness/project.js';

/** What IAM's Resource matching does, as a regular expression: the reference the walk is checked against. */
function iamRegExp(resource: string): RegExp {
  let out = '';
  for (let i = 0; i < resource.length; i++) {
    const special = /^\$\{([*?$])\}/.exec(resource.slice(i));
    if (special) {
      out += `\\${special[1]}`;
      i += special[0].length - 1;
    } else if (resource[i] === '*') out += '[\\s\\S]*';
    else if (resource[i] === '?') out += '[\\s\\S]';
    else out += resource[i]!.replace(/[.+^${}()|[\]\\/-]/g, '\\$&');
  }
  return new RegExp(`^${out}$`);
}

test('iamLiteral: *, ? and $ become IAM policy variables, and IAM reads the result as the value itself', () => {
  assert.is(iamLiteral('x*'), 'x${*}');
  assert.is(iamLiteral('a?b$c${d}'), 'a${?}b${$}c${$}{d}');
  for (const value of ['x*', '*', 'a?b', '${aws:username}', '$$*?']) {
    const re = iamRegExp(iamLiteral(value));
    assert.ok(re.test(value), value);
    assert.not.ok(re.test(`${value}x`), `${value}: nothing more`);
    if (value.includes('*')) assert.not.ok(re.test(value.replace('*', 'anything')), `${value}: * is literal`);
  }
});

test('overlaps agrees with a brute-force search over every string of up to 6 characters', () => {
  const patterns = ['a*', '*b', 'a?b', 'ab', '*', 'a*b*', '?', 'b${*}', '*-qa/*', 'x/*'];
  const alphabet = ['a', 'b', '-', 'q', '/', '*', 'x'];
  let level = [''];
  const strings = [''];
  for (let len = 1; len <= 6; len++) {
    level = level.flatMap((s) => alphabet.map((c) => s + c));
    strings.push(...level);
  }
  const matching = new Map(patterns.map((p) => [p, new Set(strings.filter((s) => iamRegExp(p).test(s)))]));
  for (const p of patterns)
    for (const q of patterns) {
      const witness = [...matching.get(p)!].some((s) => matching.get(q)!.has(s));
      assert.is(overlaps(iamPattern(p), iamPattern(q)), witness, `${p} and ${q}`);
    }
  assert.not.ok(overlaps(iamPattern('a*'), iamPattern('b*')));
  assert.not.ok(overlaps(iamPattern('x${*}'), iamPattern('xy')), 'an escaped * matches only *');
  assert.ok(overlaps(iamPattern('x*'), iamPattern('xy')));
});

test('models: digits and single S3 segments', () => {
  assert.ok(overlaps(iamPattern('function:*-qa'), model('function:orders-prod:', ...DIGITS)) === false);
  assert.ok(overlaps(iamPattern('function:*1'), model('function:orders-prod:', ...DIGITS)));
  assert.ok(overlaps(iamPattern('p/*-qa/*'), model('p/orders-prod/', ...SEGMENT, '/', ...SEGMENT)));
  assert.not.ok(overlaps(iamPattern('p/qa-*/*'), model('p/orders-prod/', ...SEGMENT, '/', ...SEGMENT)));
});

const config = (n: number, functionName: string) => `version: 1
artifacts: { bucket: acme-artifacts, prefix: lci }
environments: { qa: { branch: main }, prod: { tag: "v*", alias: live } }
defaults: { functionName: "${functionName}" }
functions:
${Array.from({ length: n }, (_, i) => `  f${i}: { path: svc/f${i} }`).join('\n')}
`;

test('the environment layout: up to ten functions by name; more by a pattern that reaches no other environment', () => {
  const few = environmentGrants(projectOf(config(3, '${name}-${env}')), 'qa');
  assert.equal(few, {
    functions: ['f0-qa', 'f1-qa', 'f2-qa'],
    layers: ['f0-qa-deps', 'f1-qa-deps', 'f2-qa-deps'],
    patterns: [],
  });
  const envFirst = environmentGrants(projectOf(config(12, '${env}-${name}')), 'qa');
  assert.equal(envFirst, { functions: ['qa-f*'], layers: ['qa-f*-deps'], patterns: ['qa-f*', 'qa-f*-deps'] });
  // names that share no distinguishing beginning: 'f*-qa' (Lambda) is safe, but in S3 '<prefix>/f*-qa/*'
  // reaches '<prefix>/f1-prod/v1-qa/app.zip' (a prod tag v1-qa): refused, with the way out
  const envLast = environmentGrants(projectOf(config(12, '${name}-${env}')), 'qa');
  assert.ok('problem' in envLast);
  if ('problem' in envLast) {
    assert.match(envLast.problem, /the 12 functions of environment 'qa' cannot be named by 10 patterns/);
    assert.match(envLast.problem, /functionName: "\$\{env\}-\$\{name\}"/);
  }
});

test('the environment layout: a function shared by two environments is each one’s own; a family prefix splits', () => {
  // one AWS function per name, an alias per environment: nothing of qa belongs to another environment alone
  const shared = environmentGrants(projectOf(config(12, '${name}')), 'qa');
  assert.ok(!('problem' in shared));
  if (!('problem' in shared)) assert.equal(shared.functions, ['f*']);
  const text = `${config(11, '${env}-${name}')}  odd: { path: svc/odd, environments: { prod: { functionName: qa-odd-live } } }\n`;
  const prod = environmentGrants(projectOf(text), 'prod');
  assert.ok(!('problem' in prod));
  if (!('problem' in prod)) {
    assert.equal(prod.functions, ['prod-f*', 'qa-odd-live']);
    const qa = environmentGrants(projectOf(text), 'qa');
    // qa-* would reach prod's qa-odd-live: split until it does not
    assert.ok(!('problem' in qa) && !qa.functions.includes('qa-*'), JSON.stringify(qa));
    if (!('problem' in qa))
      for (const p of qa.functions) assert.not.ok(iamRegExp(`function:${p}`).test('function:qa-odd-live'), p);
  }
});

test("pipeline artifact prefixes: two names equal in their first 20 characters differ, and neither's pattern covers the other's", () => {
  const qa = pipelineName('lci', 'shop-payments-reconciler', 'qa');
  const prod = pipelineName('lci', 'shop-payments-reconciler', 'prod');
  assert.is(qa.slice(0, 20), prod.slice(0, 20));
  const [a, b] = [pipelineArtifactPrefix(qa), pipelineArtifactPrefix(prod)];
  assert.is.not(a, b);
  assert.match(a, /^lci-shop-payments-re\/s[0-9a-f]{9}$/);
  assert.is(sourceArtifactName(qa).length, 10, 'CodePipeline keeps 10 characters of an artifact name in its keys');
  assert.not.ok(overlaps(iamPattern(`${a}/*`), iamPattern(`${b}/*`)));
  assert.is(artifactPrefixProblem([qa, prod], 'lambda-ci'), null);
  assert.match(artifactPrefixProblem([qa, qa], 'lambda-ci')!, /the same prefix/);
  assert.match(
    artifactPrefixProblem([qa], `${a}/x`)!,
    /artifacts\.prefix 'lci-shop-payments-re\/s[0-9a-f]{9}\/x' begins with/,
  );
});

test.run();
