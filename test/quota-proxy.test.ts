import { GetFunctionCommand, LambdaClient, ListFunctionsCommand } from '@aws-sdk/client-lambda';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Moto, MOTO_ACCESS_KEY } from './harness/moto.js';
import { QuotaProxy } from './harness/quota-proxy.js';

// The quota proxy puts Lambda's request quotas in front of moto (which has none): above a quota it
// answers as Lambda does (429, TooManyRequestsException, Retry-After); below, moto answers.

const proxy = suite('quota proxy: moto behind Lambda’s request quotas');
let moto: Moto;

proxy.before(async () => {
  moto = await Moto.start();
  await moto.seed('eu-west-1', [{ name: 'alpha', aliases: ['qa'] }]);
});
proxy.after(() => moto.stop());

proxy('GetFunction has its own quota; every other call shares one; above them Lambda’s 429', async () => {
  const q = await QuotaProxy.start(moto.endpoint, { getFunction: 3, getPolicy: 1, controlPlane: 1 });
  try {
    const lambda = new LambdaClient({
      region: 'eu-west-1',
      endpoint: q.endpoint,
      credentials: { accessKeyId: MOTO_ACCESS_KEY, secretAccessKey: 'x' },
      maxAttempts: 1,
    });
    const reads = await Promise.allSettled(
      Array.from({ length: 5 }, () => lambda.send(new GetFunctionCommand({ FunctionName: 'alpha', Qualifier: 'qa' }))),
    );
    assert.is(reads.filter((r) => r.status === 'fulfilled').length, 3, 'the burst of the GetFunction quota');
    const refused = reads.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    assert.is(refused.reason.name, 'TooManyRequestsException');
    assert.is(refused.reason.$metadata.httpStatusCode, 429);
    assert.is(refused.reason.$response.headers['retry-after'], '1');
    // The other quota is untouched by GetFunction: one ListFunctions passes, the next is refused.
    await lambda.send(new ListFunctionsCommand({}));
    const second = await lambda.send(new ListFunctionsCommand({})).then(
      () => null,
      (e: Error) => e,
    );
    assert.match(String(second?.message), /Rate exceeded/);
    assert.equal(q.log.map((l) => `${l.operation} ${l.status}`).sort(), [
      ...Array(3).fill('GetFunction 200'),
      ...Array(2).fill('GetFunction 429'),
      'ListFunctions 200',
      'ListFunctions 429',
    ]);
  } finally {
    await q.close();
  }
});

proxy.run();
