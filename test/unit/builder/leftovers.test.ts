import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { isLeftover, processAlive } from '../../../src/builder/leftovers.js';

const self = { pid: 4242, run: 'run-now' };
const alive = (pids: number[]) => (pid: number) => pids.includes(pid);

test('a run whose process is gone left it; a live process keeps its containers and directories', () => {
  assert.ok(isLeftover({ pid: 100, run: 'old' }, self, alive([])));
  assert.not.ok(isLeftover({ pid: 100, run: 'other' }, self, alive([100])), 'another lci working in the same project');
});

test('this process pid: this run keeps its own, an earlier run that had the same pid left it', () => {
  assert.not.ok(isLeftover({ pid: 4242, run: 'run-now' }, self, alive([4242])));
  assert.ok(isLeftover({ pid: 4242, run: 'run-before-reboot' }, self, alive([4242])));
  assert.ok(
    isLeftover({ pid: 4242 }, self, alive([4242])),
    'a scratch directory (no run id) found before this run builds',
  );
});

test('no pid, or not a pid: not lci’s to remove', () => {
  for (const pid of [Number.NaN, 0, -1, 1.5]) assert.not.ok(isLeftover({ pid }, self, alive([])), String(pid));
});

test('process liveness by signal 0', () => {
  assert.ok(processAlive(process.pid));
  assert.ok(processAlive(1), 'init: EPERM for another user still means it runs');
  assert.not.ok(processAlive(2 ** 22 + 12345), 'beyond pid_max');
});

test.run();
