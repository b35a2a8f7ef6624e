import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { table } from '../../../src/report/table.js';

test('columns padded to the widest cell, the last one unpadded, no trailing blanks', () => {
  assert.equal(
    table(
      ['NAME', 'WHY'],
      [
        ['orders-api', 'a'],
        ['b', 'a much longer reason'],
      ],
    ),
    ['NAME        WHY', 'orders-api  a', 'b           a much longer reason'],
  );
});

test('empty last cells leave no trailing spaces', () => {
  assert.equal(table(['A', 'B'], [['x', '']]), ['A  B', 'x']);
});

test.run();
