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
      const [, flag, arg] = option as unknown as [string, string, string];
      if (['-r', '--requirement', '-c', '--constraint'].includes(flag)) {
        refs.push({ path: arg, kind: 'include', ...at(arg) });
        continue;
      }
      const findLinks = flag === '-f' || flag === '--find-links';
      // -f takes a directory or a URL; -e a directory (pip tries it as a path first) or a VCS URL.
      const p = findLinks ? (/^[a-z][a-z0-9+.-]*:/i.test(arg) ? fileUrlPath(arg) : arg) : editablePath(arg);
      if (p !== null) refs.push({ path: p, kind: findLinks ? 'find-links' : 'path', ...at(arg) });
      continue;
    }
    if (line.startsWith('-')) continue;
    const req = requirementOf(line);
    const p = requirementPath(req.name);
    if (p !== null) refs.push({ path: p.path, kind: 'path', ...at(p.written) });
  }
  return refs;
}

/**
 * A requirement line as pip splits it (req_file.py break_args_options, constructors.py
 * parse_req_from_line): the words before the first option (`--hash=…`), then the environment
 * marker after `;` (after `; ` in a URL, where `;` may be part of it).
 */
export function requirementOf(line: string): { name: string; marker: string | null } {
  const words: string[] = [];
  for (const word of line.split(' ')) {
    if (word.startsWith('-')) break;
    words.push(word);
  }
  const spec = words.join(' ');
  const sep = isPipUrl(spec) ? '; ' : ';';
  const cut = spec.indexOf(sep);
  if (cut < 0) return { name: spec.trim(), marker: null };
  const marker = spec.slice(cut + sep.length).trim();
  return { name: spec.slice(0, cut).trim(), marker: marker === '' ? null : marker };
}

/** pip's archive extensions (utils/filetypes.py): a requirement ending in one is a file to install. */
const PIP_ARCHIVE = /\.(whl|zip|tar|tar\.gz|tgz|tar\.bz2|tbz|tar\.xz|txz|tlz|tar\.lz|tar\.lzma)$/i;

/** pip's `is_url`: a scheme it downloads from or a VCS scheme before the first `:`. */
function isPipUrl(name: string): boolean {
  const colon = name.indexOf(':');
  return colon > 0 && /^(https?|file|ftp|(git|hg|svn|bzr)\+[a-z-]+)$/i.test(name.slice(0, colon));
}

/** pip's `_looks_like_path`: a path separator anywhere, or a leading dot. */
function looksLikePath(name: string): boolean {
  return name.includes('/') || name.startsWith('.');
}

/**
 * The local path a requirement names, decided as pip decides it (parse_req_from_line and
 * _get_url_from_path): a `file:` URL; a name that looks like a path (`libs/common/`, `./x`, `..`);
 * or one ending in an archive extension (`acme-1.0-py3-none-any.whl`, `x.tar.gz`), unless it is a
 * `name @ URL` requirement. Else a project name for the index (`common`, even where a directory
 * of that name exists: pip reads a bare name as a project) or a remote URL: null. A path-like
 * name that is no directory or archive makes pip fail; as a path, validate names its line.
 */
function requirementPath(name: string): { path: string; written: string } | null {
  if (name === '') return null;
  if (isPipUrl(name)) {
    const p = fileUrlPath(name);
    return p === null ? null : { path: p, written: name };
  }
  const at = name.indexOf('@');
  if (at > 0 && !looksLikePath(name.slice(0, at))) {
    // `name @ URL`: local only as a file: URL (or, as lci has always read it, a ./ or ../ path).
    const url = name.slice(at + 1).trim();
    const p = isPipUrl(url) ? fileUrlPath(url) : /^\.{1,2}\//.test(url) ? stripExtras(url) : null;
    return p === null ? null : { path: p, written: url };
  }
  const path = stripExtras(name);
  return looksLikePath(name) || PIP_ARCHIVE.test(path) ? { path, written: name } : null;
}

/** An editable's path: anything but a URL (pip tries the argument as a directory first), or a file: URL's path. */
function editablePath(arg: string): string | null {
  return isPipUrl(arg) ? fileUrlPath(arg) : stripExtras(arg);
}

/** The path of a `file:` URL without its fragment (`#egg=…`); null for any other URL. */
function fileUrlPath(url: string): string | null {
  if (!/^file:/i.test(url)) return null;
  const p = url.replace(/^file:(\/\/)?/i, '').replace(/#.*$/, '');
  return stripExtras(p) || null;
}

/** `libs/common[extra,more]` → `libs/common`, as pip's _strip_extras. */
function stripExtras(p: string): string {
  return p.replace(/\[[^\]]+\]$/, '').trim();
}

/** A line of a requirements file that installs something: a requirement (`name` and its marker), or else (-r, -e) `name` null. */
export interface InstallLine {
  line: number;
  col: number;
  name: string | null;
  marker: string | null;
  /** Column of the marker, when there is one. */
  markerCol: number;
}

/** The lines of a requirements file that install something, in order; options alone (an index, -c constraints) install nothing. */
export function requirementInstalls(text: string): InstallLine[] {
  const out: InstallLine[] = [];
  for (const { line, raw, number, offset } of requirementLines(text)) {
    if (PIP_GLOBAL_OPTIONS.test(line)) continue;
    const col = offset + raw.indexOf(line) + 1;
    if (line.startsWith('-')) {
      out.push({ line: number, col, name: null, marker: null, markerCol: col });
      continue;
    }
    const { name, marker } = requirementOf(line);
    const markerCol = marker === null ? col : offset + raw.indexOf(marker, raw.indexOf(';')) + 1;
    out.push({ line: number, col, name, marker, markerCol });
  }
  return out;
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
