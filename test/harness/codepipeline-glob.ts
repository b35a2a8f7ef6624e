/**
 * CodePipeline's file-path trigger filters, evaluated as CodePipeline does: its patterns are
 * java.nio globs (`*` and `?` within one path segment, `**` any run of characters across
 * segments, `[…]` and `[!…]` classes, `{a,b}` groups, `\` escapes); within one push filter a file
 * counts when an include matches it and no exclude does (excludes win); filters are ORed, and a
 * push starts the pipeline when one of its files counts for one filter.
 */

export interface FilePathFilter {
  includes: string[];
  excludes: string[];
}

/** A java.nio glob (java.nio.file.FileSystem#getPathMatcher, "glob:" syntax) as a regular expression. */
export function nioGlob(glob: string): RegExp {
  let out = '';
  let group = 0;
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '\\') out += literal(glob[++i] ?? '');
    else if (c === '*') {
      if (glob[i + 1] === '*') {
        out += '.*';
        i++;
      } else out += '[^/]*';
    } else if (c === '?') out += '[^/]';
    else if (c === '[') {
      const end = glob.indexOf(']', i + 2);
      const body = glob.slice(i + 1, end);
      out += `[${body.startsWith('!') ? `^${body.slice(1)}` : body}]`;
      i = end;
    } else if (c === '{') {
      out += '(?:';
      group++;
    } else if (c === '}' && group > 0) {
      out += ')';
      group--;
    } else if (c === ',' && group > 0) out += '|';
    else out += literal(c);
  }
  return new RegExp(`^${out}$`, 's');
}

const literal = (c: string) => c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** Whether a push that changed `files` starts a pipeline with these filters (an empty list: every push does). */
export function startsPipeline(filters: FilePathFilter[], files: string[]): boolean {
  if (filters.length === 0) return true;
  return filters.some((f) => {
    if (f.includes.length === 0) return true; // no file paths: every push of the branch
    const includes = f.includes.map(nioGlob);
    const excludes = f.excludes.map(nioGlob);
    return files.some((file) => includes.some((g) => g.test(file)) && !excludes.some((g) => g.test(file)));
  });
}
