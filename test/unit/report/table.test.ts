import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { statusCell } from '../../../src/report/style.js';
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

test('a painted cell is coloured after padding: colour never moves a column; no colour without style.color', () => {
  const rows = [
    ['orders', statusCell('PUBLISHED'), '2'],
    ['invoices', statusCell('FAILED'), '-'],
  ];
  assert.equal(table(['NAME', 'LAMBDA', 'V'], rows), [
    'NAME      LAMBDA     V',
    'orders    PUBLISHED  2',
    'invoices  FAILED     -',
  ]);
  assert.equal(table(['NAME', 'LAMBDA', 'V'], rows, { color: true, unicode: true }), [
    'NAME      LAMBDA     V',
    'orders    \x1b[32mPUBLISHED\x1b[39m  2',
    'invoices  \x1b[31mFAILED\x1b[39m     -',
  ]);
  // A painted cell's text is made printable like any other.
  assert.equal(table(['S'], [[{ text: 'a\x1b[31mb', color: 'red' }]]), ['S', 'a\\x1b[31mb']);
});

test.run();
