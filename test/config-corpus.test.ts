import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { writeTree } from './harness/files.js';
import { runMain } from './harness/run-main.js';
import { tempDir } from './harness/tmp.js';

// Each file in fixtures/bad-configs is a broken lambdas.yaml ending with the exact lines
// `lci validate` must print, as `# expect: FILE:LINE:COL: message` comments.
const CORPUS = new URL('./fixtures/bad-configs/', import.meta.url);
const files = readdirSync(CORPUS)
  .filter((f) => f.endsWith('.yaml'))
  .sort();

const TREE = {
  'services/orders/app.py': 'def handler(event, context):\n    return {}\n',
  'services/orders/requirements.txt': '',
  'services/web/index.js': 'exports.handler = async () => ({})\n',
  'services/web/package.json': '{}\n',
  'libs/common/util.py': '',
};

test('the corpus is large enough', () => {
  assert.ok(files.length >= 30, `only ${files.length} bad configs`);
});

for (const file of files) {
  test(`bad config ${file}`, async () => {
    const text = readFileSync(new URL(file, CORPUS), 'utf8');
    const expected = [...text.matchAll(/^# expect: (.*)$/gm)].map((m) => m[1]);
    assert.ok(expected.length > 0, 'fixture declares its expected output');
    const dir = tempDir();
    writeTree(dir, TREE);
    writeFileSync(join(dir, 'lambdas.yaml'), text);
    const r = await runMain(['validate'], dir);
    assert.is(r.code, 2, 'exit code 2 for bad input');
    assert.equal(r.out, [], 'nothing on stdout');
    const summary = r.err.pop();
    assert.match(summary ?? '', /^\d+ problems? in the configuration$/);
    assert.equal(r.err, expected);
  });
}

test.run();
