import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { lci, REPO_ROOT } from './harness/cli.js';

// The documentation is README.md and docs/: every link between them lands on a file and a heading
// that exist, and every command lci lists has its page.

function markdownFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return markdownFiles(path);
    return name.endsWith('.md') ? [path] : [];
  });
}

const FILES = [join(REPO_ROOT, 'README.md'), ...markdownFiles(join(REPO_ROOT, 'docs'))];

/** Lines outside fenced code blocks. */
function prose(text: string): string[] {
  let fenced = false;
  return text.split('\n').filter((line) => {
    if (line.startsWith('```')) fenced = !fenced;
    return !fenced && !line.startsWith('```');
  });
}

/** GitHub's anchor for a heading: lower case, punctuation but `-` and `_` dropped, spaces as `-`. */
function slug(heading: string): string {
  return heading
    .toLowerCase()
    .replace(/[^\p{L}\p{N}_\- ]/gu, '')
    .replace(/ /g, '-');
}

function anchors(file: string): Set<string> {
  const out = new Set<string>();
  for (const line of prose(readFileSync(file, 'utf8'))) {
    const m = /^#{1,6} (.*)$/.exec(line);
    if (m) out.add(slug(m[1]!));
  }
  return out;
}

test('every relative link in README.md and docs/ names a file that exists, and a heading in it', () => {
  const broken: string[] = [];
  let checked = 0;
  for (const file of FILES) {
    for (const line of prose(readFileSync(file, 'utf8'))) {
      for (const m of line.replace(/`[^`]*`/g, '').matchAll(/\]\(([^)\s]+)\)/g)) {
        const target = m[1]!;
        if (/^[a-z]+:/.test(target)) continue;
        const [path, anchor] = target.split('#') as [string, string | undefined];
        const to = path === '' ? file : join(dirname(file), path);
        const where = `${relative(REPO_ROOT, file)}: ${target}`;
        checked++;
        if (!existsSync(to)) broken.push(`${where} (no such file)`);
        else if (anchor !== undefined && !anchors(to).has(anchor)) broken.push(`${where} (no such heading)`);
      }
    }
  }
  assert.equal(broken, []);
  assert.ok(checked > 50, `only ${checked} links checked`);
});

test('every command lci lists has its page under docs/commands/, titled with its name', () => {
  const help = lci(['help'], { cwd: REPO_ROOT });
  assert.is(help.code, 0, help.stderr);
  const commands = [...help.stdout.matchAll(/^ {2}([a-z]+) {2,}/gm)].map((m) => m[1]!);
  assert.ok(commands.includes('deploy') && commands.length >= 14, commands.join(' '));
  const missing: string[] = [];
  for (const name of commands.filter((c) => !['help', 'version', 'completion'].includes(c))) {
    const page = join(REPO_ROOT, 'docs/commands', `${name}.md`);
    if (!existsSync(page) || !readFileSync(page, 'utf8').startsWith(`# \`lci ${name}\``)) missing.push(name);
  }
  assert.equal(missing, []);
});

test('the README links every page of docs/', () => {
  const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
  const unlinked = markdownFiles(join(REPO_ROOT, 'docs'))
    .map((f) => relative(REPO_ROOT, f))
    .filter((f) => !f.startsWith('docs/commands/') && !readme.includes(`](${f})`));
  assert.equal(unlinked, []);
});

test.run();
