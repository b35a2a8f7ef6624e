import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { explainCreateError, explainEngineError, imageUnavailable } from '../../../src/builder/engine-errors.js';
import { BuildImageError, BuildMountError, DockerEngineError } from '../../../src/errors.js';

/** What Node reports for a failed connect, as docker-modem passes it on. */
function connectError(code: string, address?: string): Error {
  return Object.assign(new Error(`connect ${code} ${address ?? ''}`), { code, syscall: 'connect', address });
}

test('connection failures by errno: where lci looked, why, and the fix, on one line', () => {
  const cases: [string, string | undefined, RegExp][] = [
    [
      'ENOENT',
      'unix:///nowhere.sock',
      /^cannot reach the Docker engine at unix:\/\/\/nowhere\.sock \(DOCKER_HOST\): no such socket; start the engine .* or set DOCKER_HOST/,
    ],
    [
      'ECONNREFUSED',
      'tcp://127.0.0.1:1',
      /^cannot reach the Docker engine at tcp:\/\/127\.0\.0\.1:1 \(DOCKER_HOST\): connection refused, the daemon is not running there; start/,
    ],
    [
      'EACCES',
      undefined,
      /^cannot reach the Docker engine at unix:\/\/\/var\/run\/docker\.sock \(the default; DOCKER_HOST is not set\): permission denied on the socket; add your user to the docker group/,
    ],
    ['ENOTFOUND', 'tcp://no-such-host:2375', /: unknown host; fix DOCKER_HOST$/],
    ['ETIMEDOUT', 'tcp://10.0.0.1:2375', /the connection failed \(ETIMEDOUT\); check that the engine runs/],
  ];
  for (const [code, host, expected] of cases) {
    const e = explainEngineError(connectError(code, code === 'EACCES' ? '/var/run/docker.sock' : undefined), host);
    assert.ok(e instanceof DockerEngineError, code);
    assert.is(e!.exitCode, 1);
    assert.match(e!.message, expected);
    assert.not.match(e!.message, /\n/);
  }
});

test('Node 20 reports a refused localhost as an AggregateError of attempts: its code is read from them too', () => {
  const e = Object.assign(
    new AggregateError([connectError('ECONNREFUSED', '::1'), connectError('ECONNREFUSED', '127.0.0.1')]),
    { code: undefined },
  );
  assert.match(explainEngineError(e, 'tcp://localhost:1')!.message, /connection refused/);
});

test('errors that are not about reaching the engine are left alone', () => {
  assert.is(
    explainEngineError(Object.assign(new Error('(HTTP code 404) no such container'), { statusCode: 404 }), undefined),
    null,
  );
  assert.is(explainEngineError(new Error('boom'), undefined), null);
  assert.is(explainEngineError(connectError('EWHATEVER'), undefined), null);
});

test('an image that cannot be pulled: named, the engine reason, how to provide it', () => {
  const pull = Object.assign(
    new Error('(HTTP code 404) unexpected - pull access denied for acme/build, repository does not exist'),
    {
      statusCode: 404,
      json: { message: "pull access denied for acme/build, repository does not exist or may require 'docker login'" },
    },
  );
  const e = imageUnavailable('acme/build:1', pull);
  assert.ok(e instanceof BuildImageError);
  assert.is(
    e.message,
    "image acme/build:1 is not on the Docker engine and could not be pulled (pull access denied for acme/build, repository does not exist or may require 'docker login'); provide it: docker pull acme/build:1 where the registry is reachable, or docker load -i IMAGE.tar, or set build.image to an image the engine has",
  );
});

test('a bind the engine rejects names the path and says the engine must see it', () => {
  const create = Object.assign(new Error('(HTTP code 400) bad parameter - invalid mount config'), {
    statusCode: 400,
    json: {
      message:
        'invalid mount config for type "bind": bind source path does not exist: /ci/src/services/orders/requirements.txt',
    },
  });
  const e = explainCreateError(create);
  assert.ok(e instanceof BuildMountError);
  assert.match(
    e!.message,
    /^Docker cannot mount \/ci\/src\/services\/orders\/requirements\.txt into the build container \(invalid mount config .*\): the engine does not see lci's files at this path; run lci on the machine/,
  );
  assert.is(explainCreateError(Object.assign(new Error('no such image'), { statusCode: 404 })), null);
});

test.run();
