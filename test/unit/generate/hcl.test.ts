import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parse as parseYaml } from 'yaml';
import { commentText, hclString, hclValue, yamlString } from '../../../src/generate/hcl.js';

// test/terraform.test.ts reads these back through the real Terraform; here, the exact text.

test('hclString doubles ${ and %{ (never through a "$$" replacement string), escapes quotes, backslashes and control characters', () => {
  assert.is(hclString('${path.cwd}'), '"$${path.cwd}"');
  assert.is(hclString('$${x} %{ if } $&'), '"$$${x} %%{ if } $&"');
  assert.is(hclString('a"b\\c\nd\re\tf\u0001'), '"a\\"b\\\\c\\nd\\re\\tf\\u0001"');
});

test('yamlString reads back exactly, single-quoted when plain, escaped otherwise', () => {
  for (const s of ["it's", '"q" $& ${x}', 'a\nb\rc', 'tab\there', 'nel\u0085ls\u2028'])
    assert.is(parseYaml(`k: ${yamlString(s)}`).k, s, JSON.stringify(s));
  assert.is(yamlString("it's"), "'it''s'");
  assert.not.match(yamlString('a\u2028b'), /\u2028/);
});

test('commentText leaves nothing that ends a line', () => {
  assert.is(commentText('a\nb\rc\u2028d'), 'a\\u000ab\\u000dc\\u2028d');
});

test('hclValue lays out like terraform fmt: aligned runs of one-line attributes, multi-line values alone', () => {
  assert.is(
    hclValue({ a: 'x', long_name: [1, 2], nested: [{ k: 'v' }], b: true }),
    '{\n  a         = "x"\n  long_name = [1, 2]\n  nested = [\n    {\n      k = "v"\n    },\n  ]\n  b = true\n}',
  );
});

test.run();
