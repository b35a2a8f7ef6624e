/**
 * What dependency descriptors say, read without installing anything: the local paths they name
 * (with the line and column of each, for error messages) and whether they declare any dependency
 * at all. Pure: text in, references out.
 */

export type ReferenceKind =
  /** -r / -c: another requirements file, resolved against the file that names it (pip does so). */
  | 'include'
  /** -f / --find-links: a directory, resolved against the naming file when it exists there, else pip's working directory. */
  | 'find-links'
  /** a path line, -e path or `name @ file:` URL: resolved against pip's working directory. */
  | 'path'
  /** a `file:`, `link:` or relative dependency in package.json: resolved against the package.json's directory. */
  | 'package';

export interface Reference {
  path: string;
  kind: ReferenceKind;
  /** 1-based position of the path in the descriptor's text. */
  line: number;
  col: number;
}

/** Options that configure pip but install nothing by themselves. */
const PIP_GLOBAL_OPTIONS =
  /^(-i|--index-url|--extra-index-url|--no-index|-f|--find-links|--trusted-host|--no-binary|--only-binary|--prefer-binary|--pre|--require-hashes|--use-feature|-c|--constraint)(\s|=|$)/;

/** Local references in a pip requirements file: -r/-c includes, -e paths, path lines, `name @ file:` URLs, -f directories. */
export function requirementsReferences(text: string): Reference[] {
  const refs: Reference[] = [];
  for (const { line, number, offset, raw } of requirementLines(text)) {
    const at = (token: string) => ({ line: number, col: offset + raw.indexOf(token) + 1 });
    const option = /^(-r|--requirement|-c|--constraint|-e|--editable|-f|--find-links)(?:\s+|=)(\S+)/.exec(line);
    if (option) {
      const flag = option[1]!;
      if (['-r', '--requirement', '-c', '--constraint'].includes(flag)) {
        refs.push({ path: option[2]!, kind: 'include', ...at(option[2]!) });
        continue;
      }
      const findLinks = flag === '-f' || flag === '--find-links';
      // -f takes a directory or a URL: a bare name is a directory.
      const p = findLinks && !/^[a-z][a-z0-9+.-]*:/i.test(option[2]!) ? option[2]! : localPath(option[2]!);
      if (p !== null) refs.push({ path: p, kind: findLinks ? 'find-links' : 'path', ...at(option[2]!) });
      continue;
    }
    if (line.startsWith('-')) continue;
    const spec = line.split(';')[0]!.trim();
    const url = /^\S+\s*@\s*(\S+)/.exec(spec);
    const token = url ? url[1]! : spec.split(/\s+/)[0]!;
    const p = localPath(token);
    if (p !== null) refs.push({ path: p, kind: 'path', ...at(token) });
  }
  return refs;
}

/** True when a requirements file asks pip to install anything (a requirement, an editable, an include); comments and options alone do not. */
export function requirementsDeclareDependencies(text: string): boolean {
  for (const { line } of requirementLines(text)) if (!PIP_GLOBAL_OPTIONS.test(line)) return true;
  return false;
}

/** Non-empty logical lines without comments; continuation lines joined, positions of the first physical line kept. */
function requirementLines(text: string): { line: string; raw: string; number: number; offset: number }[] {
  const out: { line: string; raw: string; number: number; offset: number }[] = [];
  const physical = text.split(/\r?\n/);
  for (let i = 0; i < physical.length; i++) {
    const start = i;
    let raw = physical[i]!;
    while (raw.endsWith('\\') && i + 1 < physical.length) raw = `${raw.slice(0, -1)} ${physical[++i]!}`;
    const uncommented = raw.replace(/(^|\s)#.*$/, '');
    const line = uncommented.trim();
    if (line === '') continue;
    out.push({ line, raw, number: start + 1, offset: 0 });
  }
  return out;
}

/**
 * Local references in package.json's runtime dependencies (dev dependencies never reach the
 * layer); with `dev`, in devDependencies too (a build command installs them: a local compiler).
 */
export function packageJsonReferences(text: string, dev = false): Reference[] {
  const pkg = parseJsonObject(text);
  if (!pkg) return [];
  const refs: Reference[] = [];
  for (const field of ['dependencies', 'optionalDependencies', ...(dev ? ['devDependencies'] : [])]) {
    const deps = pkg[field];
    if (typeof deps !== 'object' || deps === null) continue;
    for (const [name, spec] of Object.entries(deps as Record<string, unknown>)) {
      if (typeof spec !== 'string') continue;
      const m = /^(?:file:|link:)(.+)$/.exec(spec);
      const p = m ? m[1]! : /^\.{1,2}\//.test(spec) ? spec : null;
      if (p !== null)
        refs.push({ path: p.replace(/^\/\/(?=\/)/, ''), kind: 'package', ...positionOf(text, name, spec) });
    }
  }
  return refs;
}

/** True when package.json names runtime dependencies (dependencies or optionalDependencies). */
export function packageJsonDeclaresDependencies(text: string): boolean {
  const pkg = parseJsonObject(text);
  if (!pkg) return true; // unreadable: let the build say what is wrong rather than ship without it
  return ['dependencies', 'optionalDependencies'].some((f) => {
    const deps = pkg[f];
    return typeof deps === 'object' && deps !== null && Object.keys(deps).length > 0;
  });
}

/**
 * Whether a pyproject.toml or Pipfile declares dependencies lci would not install: PEP 621
 * `[project] dependencies`, `[tool.poetry.dependencies]` beyond `python`, or Pipfile
 * `[packages]`. A line-based reading, enough to refuse rather than to install.
 */
export function pythonProjectDependencies(fileName: string, text: string): string | null {
  const sections = tomlSections(text);
  if (fileName === 'Pipfile')
    return (sections.get('packages') ?? []).some((l) => /^[A-Za-z0-9_.-]+\s*=/.test(l)) ? 'Pipfile [packages]' : null;
  const project = sections.get('project') ?? [];
  const deps = project.join('\n').match(/^dependencies\s*=\s*\[([^\]]*)\]/m);
  if (deps && /["']/.test(deps[1]!)) return 'pyproject.toml [project] dependencies';
  const poetry = (sections.get('tool.poetry.dependencies') ?? []).filter(
    (l) => /^[A-Za-z0-9_.-]+\s*=/.test(l) && !/^python\s*=/.test(l),
  );
  if (poetry.length > 0) return 'pyproject.toml [tool.poetry.dependencies]';
  return null;
}

function tomlSections(text: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  let current = '';
  let buffer: string[] = [];
  out.set(current, buffer);
  let open = 0;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/\s+#.*$/, '').trim();
    const header = open === 0 ? /^\[([^[\]]+)\]$/.exec(line) : null;
    if (header) {
      current = header[1]!.trim();
      buffer = out.get(current) ?? [];
      out.set(current, buffer);
      continue;
    }
    // A multi-line array stays one entry, so `dependencies = [` … `]` reads as one line.
    if (open > 0) buffer[buffer.length - 1] += ` ${line}`;
    else if (line !== '') buffer.push(line);
    open += (line.match(/\[/g) ?? []).length - (line.match(/\]/g) ?? []).length;
    if (open < 0) open = 0;
  }
  return out;
}

function parseJsonObject(text: string): Record<string, unknown> | null {
  try {
    const v = JSON.parse(text) as unknown;
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** Line and column of a dependency's spec in package.json text (the first `"name": "spec"`). */
function positionOf(text: string, name: string, spec: string): { line: number; col: number } {
  const needle = new RegExp(`"${escapeRegExp(name)}"\\s*:\\s*"${escapeRegExp(spec)}"`);
  const m = needle.exec(text);
  if (!m) return { line: 1, col: 1 };
  const at = m.index + m[0].length - spec.length - 1;
  const before = text.slice(0, at);
  const line = before.split('\n').length;
  return { line, col: at - before.lastIndexOf('\n') };
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/** A requirement token that names a local path, without extras or URL fragments; null for index packages and remote URLs. */
function localPath(token: string): string | null {
  let t = token.replace(/#.*$/, '');
  if (t.startsWith('file://')) t = t.slice('file://'.length);
  else if (t.startsWith('file:')) t = t.slice('file:'.length);
  else if (!/^(\.{1,2}(\/|$)|\/)/.test(t)) return null;
  return t.replace(/\[[^\]]*\]$/, '') || null;
}
