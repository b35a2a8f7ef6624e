/**
 * A bounded reader for the part of HCL's native syntax lci init needs from Terraform files:
 * blocks with labels, attributes, and expressions kept as a tree (literals, string templates,
 * heredocs, tuples, objects, references, function calls). Operators, conditionals, `for`
 * expressions and template directives are parsed only to find where they end, and kept as their
 * source text: lci init never evaluates what Terraform would compute. Pure and linear in the
 * input; nesting deeper than MAX_DEPTH is an error, never a stack overflow.
 *
 * Why not @cdktf/hcl2json (HashiCorp's parser built to WebAssembly): it is a development
 * dependency, it installs a Go runtime on `global` and takes ~200 ms and ~150 MB to start, and
 * CDK for Terraform, its home, is no longer maintained (deprecated 2025-12-10). The tests
 * cross-check this reader against it on the fixture modules.
 */

export type Expr =
  | { t: 'lit'; v: string | number | boolean | null }
  | { t: 'tpl'; parts: (string | Expr)[] }
  | { t: 'tuple'; items: Expr[] }
  | { t: 'object'; items: { key: Expr; value: Expr }[] }
  | { t: 'ref'; root: string; steps: Step[] }
  | { t: 'call'; name: string; args: Expr[] }
  /** Anything lci init does not evaluate, as written. */
  | { t: 'other'; text: string };

export type Step = { attr: string } | { index: Expr } | { splat: true };

export interface Body {
  attrs: Map<string, Expr>;
  blocks: Block[];
}

export interface Block {
  type: string;
  labels: string[];
  body: Body;
  /** Offset of the block's first character: lineAt() turns it into a line for messages. */
  pos: number;
}

interface TemplateState {
  parts: (string | Expr)[];
  text: string;
  directive: boolean;
}

export class HclError extends Error {
  constructor(
    message: string,
    readonly line: number,
    readonly col: number,
  ) {
    super(message);
  }
}

/** Brackets, blocks and expressions nested deeper than this are refused (a real module nests a handful). */
export const MAX_DEPTH = 64;

export function parseHcl(text: string): Body {
  const p = new Parser(text);
  const body = p.body(false);
  return body;
}

const IDENT_START = /[A-Za-z_]/;
const IDENT = /[A-Za-z0-9_-]/;

class Parser {
  private pos = 0;
  private depth = 0;

  constructor(private readonly text: string) {
    if (text.charCodeAt(0) === 0xfeff) this.pos = 1;
  }

  body(inBlock: boolean): Body {
    const attrs = new Map<string, Expr>();
    const blocks: Block[] = [];
    for (;;) {
      this.skip(true);
      if (this.pos >= this.text.length) {
        if (inBlock) this.fail(`a block opened here is not closed with '}'`);
        return { attrs, blocks };
      }
      if (this.peek() === '}') {
        if (!inBlock) this.fail(`'}' closes no block`);
        return { attrs, blocks };
      }
      const pos = this.pos;
      const name = this.identifier();
      this.skip(false);
      if (this.peek() === '=' && this.text[this.pos + 1] !== '=') {
        this.pos++;
        if (attrs.has(name)) this.fail(`attribute '${name}' is set twice`);
        attrs.set(name, this.expr(false));
        this.endOfItem();
        continue;
      }
      const labels: string[] = [];
      while (this.peek() !== '{') {
        if (this.peek() === '"') labels.push(this.plainString());
        else if (IDENT_START.test(this.peek())) labels.push(this.identifier());
        else this.fail(`expected '=' or a block after '${name}'`);
        this.skip(false);
      }
      this.pos++;
      this.enter();
      const body = this.body(true);
      this.expect('}');
      this.leave();
      blocks.push({ type: name, labels, body, pos });
      this.endOfItem();
    }
  }

  private endOfItem(): void {
    this.skip(false);
    const c = this.peek();
    if (c === '' || c === '}') return;
    if (c === '\n') {
      this.pos++;
      return;
    }
    this.fail(`unexpected '${c}' after an attribute or block; one per line`);
  }

  // --- expressions

  /** `nl`: inside brackets, where newlines are whitespace. */
  expr(nl: boolean): Expr {
    this.skip(nl);
    const start = this.pos;
    this.enter();
    const first = this.binary(nl);
    let result = first;
    if (this.after(nl, '?')) {
      this.pos++;
      this.expr(nl);
      this.skip(nl);
      this.expect(':');
      this.expr(nl);
      result = this.other(start);
    }
    this.leave();
    return result;
  }

  private binary(nl: boolean): Expr {
    const start = this.pos;
    let left = this.unary(nl);
    let combined = false;
    for (;;) {
      const save = this.pos;
      this.skip(nl);
      const op = /^(==|!=|<=|>=|&&|\|\||[<>+*/%-])/.exec(this.text.slice(this.pos, this.pos + 2));
      if (!op) {
        this.pos = save;
        break;
      }
      this.pos += op[1]!.length;
      // An operator needs its right operand: a new line before it cannot end the expression.
      this.skip(true);
      this.unary(nl);
      combined = true;
    }
    if (combined) left = this.other(start);
    return left;
  }

  private unary(nl: boolean): Expr {
    const start = this.pos;
    if (this.peek() === '!' || (this.peek() === '-' && !/[0-9]/.test(this.text[this.pos + 1] ?? ''))) {
      this.pos++;
      this.skip(nl);
      this.unary(nl);
      return this.other(start);
    }
    return this.postfix();
  }

  private postfix(): Expr {
    const start = this.pos;
    const primary = this.primary();
    const steps: Step[] = [];
    for (;;) {
      const c = this.peek();
      if (c === '.' && this.text[this.pos + 1] === '*') {
        this.pos += 2;
        steps.push({ splat: true });
      } else if (c === '.' && this.text[this.pos + 1] !== '.') {
        this.pos++;
        if (/[0-9]/.test(this.peek())) steps.push({ index: { t: 'lit', v: Number(this.number()) } });
        else steps.push({ attr: this.identifier() });
      } else if (c === '[') {
        this.pos++;
        this.enter();
        this.skip(true);
        if (this.peek() === '*') {
          this.pos++;
          steps.push({ splat: true });
        } else steps.push({ index: this.expr(true) });
        this.skip(true);
        this.expect(']');
        this.leave();
      } else break;
    }
    if (steps.length === 0) return primary;
    if (primary.t === 'ref') return { t: 'ref', root: primary.root, steps: [...primary.steps, ...steps] };
    return this.other(start);
  }

  private primary(): Expr {
    const c = this.peek();
    if (c === '"') return this.template();
    if (c === '<' && this.text.startsWith('<<', this.pos)) return this.heredoc();
    if (/[0-9]/.test(c) || (c === '-' && /[0-9]/.test(this.text[this.pos + 1] ?? ''))) {
      return { t: 'lit', v: Number(this.number()) };
    }
    if (c === '[') return this.tuple();
    if (c === '{') return this.object();
    if (c === '(') {
      const start = this.pos;
      this.pos++;
      this.skip(true);
      const inner = this.expr(true);
      this.skip(true);
      this.expect(')');
      return inner.t === 'other' ? this.other(start) : inner;
    }
    if (IDENT_START.test(c)) {
      const name = this.identifier();
      if (name === 'true' || name === 'false') return { t: 'lit', v: name === 'true' };
      if (name === 'null') return { t: 'lit', v: null };
      if (this.peek() === '(' || (this.peek() === ':' && this.text.startsWith('::', this.pos))) {
        return this.call(name);
      }
      return { t: 'ref', root: name, steps: [] };
    }
    if (c === '') this.fail('the file ends inside an expression');
    return this.fail(`unexpected '${c}' in an expression`);
  }

  private call(first: string): Expr {
    let name = first;
    // Provider-defined functions: provider::aws::arn_parse(...)
    while (this.text.startsWith('::', this.pos)) {
      this.pos += 2;
      name += `::${this.identifier()}`;
    }
    this.expect('(');
    this.enter();
    const args: Expr[] = [];
    let expanded = false;
    for (;;) {
      this.skip(true);
      if (this.peek() === ')') break;
      args.push(this.expr(true));
      this.skip(true);
      if (this.text.startsWith('...', this.pos)) {
        this.pos += 3;
        expanded = true;
        this.skip(true);
      }
      if (this.peek() === ',') {
        this.pos++;
        continue;
      }
      if (this.peek() !== ')') this.fail(`expected ',' or ')' in the arguments of ${name}()`);
    }
    this.pos++;
    this.leave();
    if (expanded) return { t: 'other', text: `${name}(…)` };
    return { t: 'call', name, args };
  }

  private tuple(): Expr {
    const start = this.pos;
    this.pos++;
    this.enter();
    this.skip(true);
    if (this.keyword('for')) {
      this.skipBalanced(']');
      this.leave();
      return this.other(start);
    }
    const items: Expr[] = [];
    for (;;) {
      this.skip(true);
      if (this.peek() === ']') break;
      items.push(this.expr(true));
      this.skip(true);
      if (this.peek() === ',') {
        this.pos++;
        continue;
      }
      if (this.peek() !== ']') this.fail(`expected ',' or ']' in a list`);
    }
    this.pos++;
    this.leave();
    return { t: 'tuple', items };
  }

  private object(): Expr {
    const start = this.pos;
    this.pos++;
    this.enter();
    this.skip(true);
    if (this.keyword('for')) {
      this.skipBalanced('}');
      this.leave();
      return this.other(start);
    }
    const items: { key: Expr; value: Expr }[] = [];
    for (;;) {
      this.skip(true);
      if (this.peek() === '}') break;
      const key: Expr = IDENT_START.test(this.peek())
        ? this.bareKey()
        : this.peek() === '"'
          ? this.template()
          : this.primary();
      this.skip(true);
      if (this.peek() !== '=' && this.peek() !== ':') this.fail(`expected '=' or ':' after an object key`);
      this.pos++;
      this.skip(true);
      // Inside an object a new line ends the value: it separates the items.
      items.push({ key, value: this.expr(false) });
      this.skip(false);
      if (this.peek() === ',' || this.peek() === '\n') this.pos++;
      else if (this.peek() !== '}') this.fail(`expected ',', a new line or '}' in an object`);
    }
    this.pos++;
    this.leave();
    return { t: 'object', items };
  }

  /** An object key written as a bare word is its name, not a reference (`{ a = 1 }`). */
  private bareKey(): Expr {
    const save = this.pos;
    const name = this.identifier();
    this.skip(true);
    if (this.peek() === '=' || this.peek() === ':') return { t: 'lit', v: name };
    this.pos = save;
    return this.expr(true);
  }

  // --- strings

  /** A quoted string without interpolation (a block label). */
  private plainString(): string {
    const line = lineAt(this.text, this.pos);
    const t = this.template();
    if (t.t === 'tpl' && t.parts.every((p) => typeof p === 'string')) return t.parts.join('');
    if (t.t === 'lit' && typeof t.v === 'string') return t.v;
    throw new HclError('a block label cannot hold ${…}', line, 1);
  }

  private template(): Expr {
    this.expect('"');
    this.enter();
    const t: TemplateState = { parts: [], text: '', directive: false };
    for (;;) {
      const c = this.text[this.pos];
      if (c === undefined || c === '\n') this.fail('a quoted string is not closed on its line');
      if (c === '"') {
        this.pos++;
        break;
      }
      if (c === '\\') {
        t.text += this.escape();
        continue;
      }
      this.templateChar(t);
    }
    if (t.text) t.parts.push(t.text);
    this.leave();
    return finishTemplate(t.parts, t.directive);
  }

  /** One character of a template's text, or a whole `${…}`/`%{…}` (or its escape `$${`, `%%{`). */
  private templateChar(t: TemplateState): void {
    const c = this.text[this.pos]!;
    if ((c === '$' || c === '%') && this.text[this.pos + 1] === c && this.text[this.pos + 2] === '{') {
      t.text += `${c}{`;
      this.pos += 3;
    } else if ((c === '$' || c === '%') && this.text[this.pos + 1] === '{') {
      if (t.text) t.parts.push(t.text);
      t.text = '';
      if (c === '%') t.directive = true;
      t.parts.push(this.interpolation(c === '%'));
    } else {
      t.text += c;
      this.pos++;
    }
  }

  private heredoc(): Expr {
    const start = this.pos;
    const m = /^<<(-?)([A-Za-z_][A-Za-z0-9_-]*)[ \t]*\r?\n/.exec(this.text.slice(this.pos, this.pos + 300));
    if (!m) this.fail('a heredoc starts with <<NAME or <<-NAME and a new line');
    this.pos += m[0].length;
    const marker = m[2]!;
    const indented = m[1] === '-';
    this.enter();
    const t: TemplateState = { parts: [], text: '', directive: false };
    let lineStart = true;
    for (;;) {
      if (this.pos >= this.text.length) this.fail(`the heredoc started here is not closed with ${marker}`);
      if (lineStart) {
        const end = new RegExp(`^[ \\t]*${marker}[ \\t]*(\\r?\\n|$)`).exec(this.text.slice(this.pos, this.pos + 300));
        if (end && (indented || !/^[ \t]/.test(end[0]))) {
          this.pos += end[0].length - end[1]!.length;
          break;
        }
      }
      lineStart = this.text[this.pos] === '\n';
      this.templateChar(t);
    }
    if (t.text) t.parts.push(t.text);
    this.leave();
    // An indented heredoc's common indentation is removed: lci init only reads it, so it is kept as written.
    if (indented) return this.other(start);
    return finishTemplate(t.parts, t.directive);
  }

  private interpolation(directive: boolean): Expr {
    const start = this.pos;
    this.pos += 2;
    if (this.peek() === '~') this.pos++;
    this.skip(true);
    if (directive) {
      this.skipBalanced('}');
      return this.other(start);
    }
    const e = this.expr(true);
    this.skip(true);
    if (this.peek() === '~') this.pos++;
    this.expect('}');
    return e;
  }

  private escape(): string {
    const next = this.text[this.pos + 1];
    const simple: Record<string, string> = { n: '\n', r: '\r', t: '\t', '"': '"', '\\': '\\' };
    if (next !== undefined && next in simple) {
      this.pos += 2;
      return simple[next]!;
    }
    const u = /^\\(u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8})/.exec(this.text.slice(this.pos, this.pos + 10));
    if (u) {
      this.pos += u[0].length;
      const code = Number.parseInt(u[1]!.slice(1), 16);
      if (code > 0x10ffff) this.fail('a \\U escape beyond Unicode');
      return String.fromCodePoint(code);
    }
    return this.fail(`unknown escape '\\${next ?? ''}' in a string`);
  }

  // --- lexical helpers

  /** Skips to the closing bracket, over strings and nested brackets (a `for` expression, a directive). */
  private skipBalanced(close: '}' | ']' | ')'): void {
    const stack: string[] = [close];
    while (stack.length > 0) {
      this.skip(true);
      const c = this.peek();
      if (c === '') this.fail(`'${close}' is missing`);
      if (c === '"') {
        this.template();
        continue;
      }
      if (
        c === '<' &&
        this.text.startsWith('<<', this.pos) &&
        /^<<-?[A-Za-z_]/.test(this.text.slice(this.pos, this.pos + 4))
      ) {
        this.heredoc();
        continue;
      }
      this.pos++;
      if (c === '{' || c === '[' || c === '(') {
        if (stack.length >= MAX_DEPTH) this.fail(`nested more than ${MAX_DEPTH} levels deep`);
        stack.push(c === '{' ? '}' : c === '[' ? ']' : ')');
      } else if (c === '}' || c === ']' || c === ')') {
        if (c !== stack.at(-1)) this.fail(`'${c}' where '${stack.at(-1)}' was expected`);
        stack.pop();
      }
    }
  }

  private keyword(word: string): boolean {
    if (!this.text.startsWith(word, this.pos)) return false;
    const after = this.text[this.pos + word.length] ?? '';
    return !IDENT.test(after);
  }

  private identifier(): string {
    const start = this.pos;
    if (!IDENT_START.test(this.peek())) this.fail(`expected a name, found '${this.peek() || 'the end of the file'}'`);
    while (IDENT.test(this.peek())) this.pos++;
    return this.text.slice(start, this.pos);
  }

  private number(): string {
    const m = /^-?[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(this.text.slice(this.pos, this.pos + 400));
    if (!m) return this.fail('expected a number');
    this.pos += m[0].length;
    return m[0];
  }

  /** Skips spaces, tabs, carriage returns and comments; newlines too when `nl`. A `//` or `#` comment leaves its newline. */
  private skip(nl: boolean): void {
    for (;;) {
      const c = this.text[this.pos];
      if (c === ' ' || c === '\t' || c === '\r' || (nl && c === '\n')) this.pos++;
      else if (c === '#' || (c === '/' && this.text[this.pos + 1] === '/')) {
        const end = this.text.indexOf('\n', this.pos);
        this.pos = end < 0 ? this.text.length : end;
      } else if (c === '/' && this.text[this.pos + 1] === '*') {
        const end = this.text.indexOf('*/', this.pos + 2);
        if (end < 0) this.fail('a /* comment is not closed');
        this.pos = end + 2;
      } else return;
    }
  }

  /** True when `c` comes next after spaces (and newlines when `nl`); nothing is consumed when it does not. */
  private after(nl: boolean, c: string): boolean {
    const save = this.pos;
    this.skip(nl);
    if (this.peek() === c) return true;
    this.pos = save;
    return false;
  }

  private peek(): string {
    return this.text[this.pos] ?? '';
  }

  private expect(c: string): void {
    if (this.peek() !== c) this.fail(`expected '${c}', found '${this.peek() || 'the end of the file'}'`);
    this.pos++;
  }

  private other(start: number): Expr {
    return { t: 'other', text: this.text.slice(start, this.pos).trim() };
  }

  private enter(): void {
    if (++this.depth > MAX_DEPTH) this.fail(`nested more than ${MAX_DEPTH} levels deep`);
  }

  private leave(): void {
    this.depth--;
  }

  private fail(message: string): never {
    const line = lineAt(this.text, this.pos);
    const col = this.pos - this.text.lastIndexOf('\n', this.pos - 1);
    throw new HclError(message, line, col);
  }
}

/** The 1-based line of an offset. */
export function lineAt(text: string, pos: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i >= 0 && i < pos; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

function finishTemplate(parts: (string | Expr)[], directive: boolean): Expr {
  if (directive) return { t: 'other', text: '%{…} template' };
  if (parts.length === 0) return { t: 'lit', v: '' };
  if (parts.length === 1 && typeof parts[0] === 'string') return { t: 'lit', v: parts[0] };
  return { t: 'tpl', parts };
}

/** The expression as a Terraform reader would write it: for messages. */
export function exprText(e: Expr): string {
  switch (e.t) {
    case 'lit':
      return typeof e.v === 'string' ? JSON.stringify(e.v) : String(e.v);
    case 'tpl':
      return `"${e.parts.map((p) => (typeof p === 'string' ? p : `\${${exprText(p)}}`)).join('')}"`;
    case 'tuple':
      return `[${e.items.map(exprText).join(', ')}]`;
    case 'object':
      return `{ ${e.items.map((i) => `${exprText(i.key)} = ${exprText(i.value)}`).join(', ')} }`;
    case 'ref':
      return (
        e.root +
        e.steps.map((s) => ('attr' in s ? `.${s.attr}` : 'index' in s ? `[${exprText(s.index)}]` : '[*]')).join('')
      );
    case 'call':
      return `${e.name}(${e.args.map(exprText).join(', ')})`;
    case 'other':
      return e.text;
  }
}
