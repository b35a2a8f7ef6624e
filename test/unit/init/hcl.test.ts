import { parse as hcl2json } from '@cdktf/hcl2json';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { type Body, type Expr, exprText, HclError, parseHcl } from '../../../src/init/hcl.js';
import { INIT_FIXTURES } from '../../harness/init-fixtures.js';

function attrs(text: string): Record<string, string> {
  const body = parseHcl(text);
  return Object.fromEntries([...body.attrs].map(([k, v]) => [k, exprText(v)]));
}

function error(text: string): HclError {
  try {
    parseHcl(text);
  } catch (e) {
    if (e instanceof HclError) return e;
    throw e;
  }
  throw new Error('expected an HclError');
}

test('blocks, labels, attributes; strings with escapes, $${ and %%{, interpolations, heredocs; comments of three kinds', () => {
  const body = parseHcl(`# hash
// slashes
/* block
   comment */
resource "aws_lambda_function" "orders" {
  function_name = "orders-\${var.env}" # trailing
  handler       = "a \\"b\\" \\\\ \\u00e9 $\${literal} %%{x}"
  layers        = [aws_lambda_layer_version.common.arn, "arn:x"]
  tags          = { team = "shop", "cost-center": 42 }
  code          = <<EOT
line \${var.x}
EOT
  single { enabled = true }
}
`);
  const [block] = body.blocks;
  assert.equal([block!.type, ...block!.labels], ['resource', 'aws_lambda_function', 'orders']);
  const a = block!.body.attrs;
  assert.equal(a.get('function_name'), {
    t: 'tpl',
    parts: ['orders-', { t: 'ref', root: 'var', steps: [{ attr: 'env' }] }],
  });
  assert.equal(a.get('handler'), { t: 'lit', v: 'a "b" \\ é ${literal} %{x}' });
  assert.is(exprText(a.get('layers')!), '[aws_lambda_layer_version.common.arn, "arn:x"]');
  assert.is(exprText(a.get('tags')!), '{ "team" = "shop", "cost-center" = 42 }');
  assert.equal(a.get('code'), { t: 'tpl', parts: ['line ', { t: 'ref', root: 'var', steps: [{ attr: 'x' }] }, '\n'] });
  assert.equal(block!.body.blocks[0]!.body.attrs.get('enabled'), { t: 'lit', v: true });
});

test('what lci init does not evaluate is kept as written: operators, conditionals, for, splat, directives', () => {
  assert.equal(
    attrs(`a = var.x ? "y" : "z"
b = 1 + 2 *
  3
c = [for f in local.fs : upper(f)]
d = aws_instance.web[*].id
e = "%{ if var.x }yes%{ endif }"
f = !var.enabled
g = -1
h = local.m["key"].name
`),
    {
      a: 'var.x ? "y" : "z"',
      b: '1 + 2 *\n  3',
      c: '[for f in local.fs : upper(f)]',
      d: 'aws_instance.web[*].id',
      e: '%{…} template',
      f: '!var.enabled',
      g: '-1',
      h: 'local.m["key"].name',
    },
  );
});

test('bad input is one HclError with its line, never a crash: unclosed strings, duplicates, nesting beyond 64', () => {
  assert.equal(
    [error('a = "open\n').line, error('a = "open\n').message],
    [1, 'a quoted string is not closed on its line'],
  );
  assert.is(error('x {\n  a = 1\n  a = 2\n}\n').message, "attribute 'a' is set twice");
  assert.is(error('x {\n').message, "a block opened here is not closed with '}'");
  assert.is(error('a = [1, 2\n').message, "expected ',' or ']' in a list");
  const deep = error(`a = ${'['.repeat(100_000)}${']'.repeat(100_000)}`);
  assert.is(deep.message, 'nested more than 64 levels deep');
  const blocks = error(`${'b {\n'.repeat(100_000)}`);
  assert.is(blocks.message, 'nested more than 64 levels deep');
  assert.is(error('a = <<EOT\nnever closed\n').message, 'the heredoc started here is not closed with EOT');
});

/** Our tree in hcl2json's shape: blocks as lists under their type and labels, expressions as values or "${…}". */
function asHcl2json(body: Body): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of body.attrs) out[k] = value(v);
  for (const b of body.blocks) {
    const keys = [b.type, ...b.labels];
    let at = out;
    for (const key of keys.slice(0, -1)) at = (at[key] ??= {}) as Record<string, unknown>;
    ((at[keys.at(-1)!] ??= []) as unknown[]).push(asHcl2json(b.body));
  }
  return out;
}

function value(e: Expr): unknown {
  switch (e.t) {
    case 'lit':
      return e.v;
    case 'tpl':
      return e.parts.map((p) => (typeof p === 'string' ? p : `\${${exprText(p)}}`)).join('');
    case 'tuple':
      return e.items.map(value);
    case 'object':
      return Object.fromEntries(e.items.map((i) => [value(i.key), value(i.value)]));
    default:
      return `\${${exprText(e)}}`;
  }
}

test('the fixtures read the same as HashiCorp’s own parser (@cdktf/hcl2json) reads them', async () => {
  let compared = 0;
  for (const fixture of INIT_FIXTURES)
    for (const [path, text] of Object.entries(fixture.tree)) {
      if (!path.endsWith('.tf') || text === null) continue;
      assert.equal(asHcl2json(parseHcl(text)), await hcl2json(path, text), path);
      compared++;
    }
  assert.is(compared, 2);
});

test.run();
