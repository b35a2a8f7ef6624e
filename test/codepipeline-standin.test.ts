import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  CodePipelineClient,
  ConflictException,
  DuplicatedStopRequestException,
  GetPipelineCommand,
  GetPipelineExecutionCommand,
  GetPipelineStateCommand,
  InvalidNextTokenException,
  ListPipelineExecutionsCommand,
  ListPipelinesCommand,
  PipelineExecutionNotFoundException,
  PipelineExecutionNotStoppableException,
  PipelineNotFoundException,
  StartPipelineExecutionCommand,
  StopPipelineExecutionCommand,
  ValidationException,
  paginateListPipelineExecutions,
  type SourceRevisionOverride,
  type StageDeclaration,
} from '@aws-sdk/client-codepipeline';
import {
  CodePipelineStandin,
  type CodePipelineStandinOptions,
  type ExecutionStatus,
} from './harness/codepipeline-standin.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const REGION = 'eu-west-1';
const CALLER = 'arn:aws:sts::123456789012:assumed-role/lci-ci/lci';
const SHA_A = 'a'.repeat(40);
const SHA_B = 'b'.repeat(40);

interface Context {
  standin: CodePipelineStandin;
  cp: CodePipelineClient;
}
const ctx = {} as Context;

function client(endpoint: string): CodePipelineClient {
  return new CodePipelineClient({
    endpoint,
    region: REGION,
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
    maxAttempts: 1,
  });
}

async function restart(opts: CodePipelineStandinOptions = {}): Promise<void> {
  ctx.cp?.destroy();
  await ctx.standin?.close();
  ctx.standin = await CodePipelineStandin.start(opts);
  ctx.cp = client(ctx.standin.endpoint);
}

type SdkError = Error & { $metadata?: { httpStatusCode?: number } };

async function failure(promise: Promise<unknown>): Promise<SdkError> {
  try {
    await promise;
  } catch (e) {
    return e as SdkError;
  }
  throw new Error('expected the call to fail');
}

async function expectError(
  promise: Promise<unknown>,
  type: new (...args: never[]) => Error,
  message: string | RegExp,
  status = 400,
): Promise<SdkError> {
  const err = await failure(promise);
  assert.ok(err instanceof type, `expected ${type.name}, got ${err.name}: ${err.message}`);
  assert.is(err.$metadata?.httpStatusCode, status);
  if (typeof message === 'string') assert.is(err.message, message);
  else assert.match(err.message, message);
  return err;
}

const start = (
  name: string,
  extra: {
    clientRequestToken?: string;
    sourceRevisions?: SourceRevisionOverride[];
    variables?: { name: string; value: string }[];
  } = {},
) => ctx.cp.send(new StartPipelineExecutionCommand({ name, ...extra })).then((r) => r.pipelineExecutionId!);

const stop = (pipelineName: string, pipelineExecutionId: string, extra: { abandon?: boolean; reason?: string } = {}) =>
  ctx.cp.send(new StopPipelineExecutionCommand({ pipelineName, pipelineExecutionId, ...extra }));

async function state(name: string) {
  const s = await ctx.cp.send(new GetPipelineStateCommand({ name }));
  return s.stageStates!.map((st) => ({
    stage: st.stageName,
    latest: st.latestExecution ? [st.latestExecution.pipelineExecutionId, st.latestExecution.status] : undefined,
    inbound: st.inboundExecutions?.map((x) => x.pipelineExecutionId),
    actions: st.actionStates!.map((a) => [a.actionName, a.latestExecution?.status]),
  }));
}

const S3_AND_ECR_STAGES: StageDeclaration[] = [
  {
    name: 'Source',
    actions: [
      {
        name: 'Bundle',
        actionTypeId: { category: 'Source', owner: 'AWS', provider: 'S3', version: '1' },
        configuration: { S3Bucket: 'acme-artifacts', S3ObjectKey: 'orders.zip', AllowOverrideForS3ObjectKey: 'true' },
        outputArtifacts: [{ name: 'BundleArtifact' }],
      },
      {
        name: 'Image',
        actionTypeId: { category: 'Source', owner: 'AWS', provider: 'ECR', version: '1' },
        configuration: { RepositoryName: 'orders', ImageTag: 'latest' },
        outputArtifacts: [{ name: 'ImageArtifact' }],
      },
      {
        name: 'Legacy',
        actionTypeId: { category: 'Source', owner: 'AWS', provider: 'S3', version: '1' },
        configuration: { S3Bucket: 'acme-artifacts', S3ObjectKey: 'legacy.zip' },
        outputArtifacts: [{ name: 'LegacyArtifact' }],
      },
    ],
  },
  {
    name: 'Deploy',
    actions: [
      {
        name: 'Deploy',
        actionTypeId: { category: 'Build', owner: 'AWS', provider: 'CodeBuild', version: '1' },
        configuration: { ProjectName: 'deploy' },
        inputArtifacts: [{ name: 'BundleArtifact' }],
      },
    ],
  },
];

const test = suite('codepipeline stand-in');

test.before.each(async () => {
  await restart();
});

test.after.each(async () => {
  ctx.cp.destroy();
  await ctx.standin.close();
});

test('ListPipelines: sorted summaries of V2 pipelines, maxResults and nextToken', async () => {
  const created = new Date('2026-03-01T10:00:00.000Z');
  for (const name of ['orders', 'billing', 'audit'])
    ctx.standin.seedPipeline({ name, created, executionMode: name === 'orders' ? 'QUEUED' : undefined });
  ctx.standin.seedPipeline({ name: 'legacy', pipelineType: 'V1', version: 7 });

  const first = await ctx.cp.send(new ListPipelinesCommand({ maxResults: 3 }));
  assert.equal(
    first.pipelines!.map((p) => p.name),
    ['audit', 'billing', 'legacy'],
  );
  assert.equal(first.pipelines![0], {
    name: 'audit',
    version: 1,
    pipelineType: 'V2',
    executionMode: 'SUPERSEDED',
    created,
    updated: created,
  });
  assert.equal([first.pipelines![2]!.pipelineType, first.pipelines![2]!.version], ['V1', 7]);
  const second = await ctx.cp.send(new ListPipelinesCommand({ maxResults: 3, nextToken: first.nextToken }));
  assert.equal(
    second.pipelines!.map((p) => [p.name, p.executionMode]),
    [['orders', 'QUEUED']],
  );
  assert.is(second.nextToken, undefined);

  await expectError(
    ctx.cp.send(new ListPipelinesCommand({ nextToken: 'not-a-token' })),
    InvalidNextTokenException,
    'The next token was specified in an invalid format. Make sure that the next token you provide is the token returned by a previous call.',
  );
  await expectError(
    ctx.cp.send(new ListPipelinesCommand({ maxResults: 1001 })),
    ValidationException,
    "1 validation error detected: Value '1001' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 1000",
  );
});

test('GetPipeline: the V2 declaration with a connection source, a CodeBuild build and triggers; metadata', async () => {
  ctx.standin.seedPipeline({ name: 'orders', variables: [{ name: 'DEPLOY_ENV', defaultValue: 'staging' }] });
  const { pipeline, metadata } = await ctx.cp.send(new GetPipelineCommand({ name: 'orders' }));
  assert.is(pipeline!.name, 'orders');
  assert.is(pipeline!.pipelineType, 'V2');
  assert.is(pipeline!.version, 1);
  assert.is(pipeline!.executionMode, 'SUPERSEDED');
  assert.is(
    pipeline!.roleArn,
    'arn:aws:iam::123456789012:role/service-role/AWSCodePipelineServiceRole-eu-west-1-orders',
  );
  assert.equal(pipeline!.artifactStore, { type: 'S3', location: 'codepipeline-eu-west-1-123456789012' });
  const [source, build] = pipeline!.stages!;
  assert.is(source!.name, 'Source');
  assert.equal(source!.actions![0]!.actionTypeId, {
    category: 'Source',
    owner: 'AWS',
    provider: 'CodeStarSourceConnection',
    version: '1',
  });
  assert.is(source!.actions![0]!.configuration!.FullRepositoryId, 'acme/orders');
  assert.is(source!.actions![0]!.configuration!.BranchName, 'main');
  assert.match(
    source!.actions![0]!.configuration!.ConnectionArn!,
    /^arn:aws:codeconnections:eu-west-1:123456789012:connection\//,
  );
  assert.equal(source!.actions![0]!.outputArtifacts, [{ name: 'SourceArtifact' }]);
  assert.is(build!.name, 'Build');
  assert.equal(build!.actions![0]!.actionTypeId, {
    category: 'Build',
    owner: 'AWS',
    provider: 'CodeBuild',
    version: '1',
  });
  assert.equal(build!.actions![0]!.configuration, { ProjectName: 'orders' });
  assert.equal(build!.actions![0]!.inputArtifacts, [{ name: 'SourceArtifact' }]);
  assert.equal(pipeline!.triggers, [
    {
      providerType: 'CodeStarSourceConnection',
      gitConfiguration: { sourceActionName: 'Source', push: [{ branches: { includes: ['main'] } }] },
    },
  ]);
  assert.equal(pipeline!.variables, [{ name: 'DEPLOY_ENV', defaultValue: 'staging' }]);
  assert.is(metadata!.pipelineArn, 'arn:aws:codepipeline:eu-west-1:123456789012:orders');
  assert.ok(metadata!.created instanceof Date);

  const sameVersion = await ctx.cp.send(new GetPipelineCommand({ name: 'orders', version: 1 }));
  assert.is(sameVersion.pipeline!.version, 1);
  await expectError(
    ctx.cp.send(new GetPipelineCommand({ name: 'orders', version: 2 })),
    PipelineNotFoundException,
    "Account '123456789012' does not have a pipeline with name 'orders'",
  );
  await expectError(
    ctx.cp.send(new GetPipelineCommand({ name: 'billing' })),
    PipelineNotFoundException,
    "Account '123456789012' does not have a pipeline with name 'billing'",
  );
  await expectError(
    ctx.cp.send(new GetPipelineCommand({ name: 'bad name' })),
    ValidationException,
    "1 validation error detected: Value 'bad name' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: [A-Za-z0-9.@\\-_]+",
  );
});

test('ListPipelineExecutions: newest first with revisions, trigger and mode; pages; succeededInStage; 12 months of history', async () => {
  const day = (d: number) => new Date(Date.UTC(2026, 0, d));
  await restart({ clock: () => day(20).getTime() });
  ctx.standin.seedPipeline({ name: 'orders' });
  const ancient = ctx.standin.seedExecution('orders', {
    status: 'Succeeded',
    startTime: new Date(Date.UTC(2024, 11, 1)),
  });
  const ok = ctx.standin.seedExecution('orders', {
    status: 'Succeeded',
    startTime: day(1),
    lastUpdateTime: day(2),
    sourceRevisions: [{ actionName: 'Source', revisionId: SHA_A, revisionSummary: 'fix: totals' }],
    trigger: { triggerType: 'WebhookV2', triggerDetail: 'arn:aws:codeconnections:eu-west-1:123456789012:connection/x' },
  });
  const failed = ctx.standin.seedExecution('orders', {
    status: 'Failed',
    stage: 'Build',
    startTime: day(3),
    statusSummary: 'Build failed',
  });
  const sourceFailed = ctx.standin.seedExecution('orders', { status: 'Failed', stage: 'Source', startTime: day(4) });
  const running = ctx.standin.seedExecution('orders', { status: 'InProgress', stage: 'Build', startTime: day(5) });

  const all = await ctx.cp.send(new ListPipelineExecutionsCommand({ pipelineName: 'orders' }));
  const summaries = all.pipelineExecutionSummaries!;
  assert.equal(
    summaries.map((s) => [s.pipelineExecutionId, s.status]),
    [
      [running, 'InProgress'],
      [sourceFailed, 'Failed'],
      [failed, 'Failed'],
      [ok, 'Succeeded'],
    ],
  );
  assert.ok(!summaries.some((s) => s.pipelineExecutionId === ancient), 'older than 12 months is gone from the history');
  const okSummary = summaries[3]!;
  assert.equal(okSummary.startTime, day(1));
  assert.equal(okSummary.lastUpdateTime, day(2));
  assert.equal(okSummary.sourceRevisions, [
    { actionName: 'Source', revisionId: SHA_A, revisionSummary: 'fix: totals' },
  ]);
  assert.equal(okSummary.trigger, {
    triggerType: 'WebhookV2',
    triggerDetail: 'arn:aws:codeconnections:eu-west-1:123456789012:connection/x',
  });
  assert.is(okSummary.executionMode, 'SUPERSEDED');
  assert.is(summaries[2]!.statusSummary, 'Build failed');

  const ids: string[] = [];
  for await (const p of paginateListPipelineExecutions({ client: ctx.cp, pageSize: 3 }, { pipelineName: 'orders' })) {
    assert.ok(p.pipelineExecutionSummaries!.length <= 3);
    ids.push(...p.pipelineExecutionSummaries!.map((s) => s.pipelineExecutionId!));
  }
  assert.equal(ids, [running, sourceFailed, failed, ok]);

  const builtOk = await ctx.cp.send(
    new ListPipelineExecutionsCommand({
      pipelineName: 'orders',
      filter: { succeededInStage: { stageName: 'Source' } },
    }),
  );
  assert.equal(
    builtOk.pipelineExecutionSummaries!.map((s) => s.pipelineExecutionId),
    [running, failed, ok],
  );

  await expectError(
    ctx.cp.send(new ListPipelineExecutionsCommand({ pipelineName: 'billing' })),
    PipelineNotFoundException,
    /does not have a pipeline with name 'billing'/,
  );
  await expectError(
    ctx.cp.send(new ListPipelineExecutionsCommand({ pipelineName: 'orders', maxResults: 101 })),
    ValidationException,
    "1 validation error detected: Value '101' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 100",
  );
});

test('every documented status is stored and reported as it is', async () => {
  ctx.standin.seedPipeline({ name: 'orders', executionMode: 'PARALLEL' });
  const statuses: ExecutionStatus[] = [
    'Cancelled',
    'InProgress',
    'Stopped',
    'Stopping',
    'Succeeded',
    'Superseded',
    'Failed',
  ];
  const base = Date.now() - 60_000;
  const ids = statuses.map((status, i) =>
    ctx.standin.seedExecution('orders', { status, startTime: new Date(base + i * 1000) }),
  );
  const listed = await ctx.cp.send(new ListPipelineExecutionsCommand({ pipelineName: 'orders' }));
  assert.equal(
    listed.pipelineExecutionSummaries!.map((s) => s.status),
    [...statuses].reverse(),
  );
  for (const [i, id] of ids.entries()) {
    const { pipelineExecution } = await ctx.cp.send(
      new GetPipelineExecutionCommand({ pipelineName: 'orders', pipelineExecutionId: id }),
    );
    assert.is(pipelineExecution!.status, statuses[i]);
  }
});

test('StartPipelineExecution: a new InProgress execution of the current source revision, triggered by StartPipelineExecution', async () => {
  ctx.standin.seedPipeline({
    name: 'orders',
    sourceHeads: { Source: SHA_A },
    variables: [{ name: 'DEPLOY_ENV', defaultValue: 'staging' }],
  });
  const t0 = Date.now();
  const id = await start('orders');
  assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  const { pipelineExecution: e } = await ctx.cp.send(
    new GetPipelineExecutionCommand({ pipelineName: 'orders', pipelineExecutionId: id }),
  );
  assert.is(e!.status, 'InProgress');
  assert.is(e!.pipelineName, 'orders');
  assert.is(e!.pipelineVersion, 1);
  assert.equal(e!.trigger, { triggerType: 'StartPipelineExecution', triggerDetail: CALLER });
  assert.equal(e!.variables, [{ name: 'DEPLOY_ENV', resolvedValue: 'staging' }]);
  assert.is(e!.executionMode, 'SUPERSEDED');
  assert.is(e!.artifactRevisions!.length, 1);
  assert.is(e!.artifactRevisions![0]!.name, 'SourceArtifact');
  assert.is(e!.artifactRevisions![0]!.revisionId, SHA_A);
  assert.match(e!.artifactRevisions![0]!.revisionUrl!, /FullRepositoryId=acme%2Forders&Commit=a{40}$/);

  const [summary] = (await ctx.cp.send(new ListPipelineExecutionsCommand({ pipelineName: 'orders' })))
    .pipelineExecutionSummaries!;
  assert.is(summary!.pipelineExecutionId, id);
  assert.is(summary!.sourceRevisions![0]!.revisionId, SHA_A);
  assert.ok(summary!.startTime!.getTime() >= t0 - 1 && summary!.startTime!.getTime() <= Date.now() + 1);

  assert.equal(await state('orders'), [
    { stage: 'Source', latest: [id, 'InProgress'], inbound: undefined, actions: [['Source', 'InProgress']] },
    { stage: 'Build', latest: undefined, inbound: undefined, actions: [['Build', undefined]] },
  ]);

  ctx.standin.setSourceHead('orders', 'Source', SHA_B);
  const next = await start('orders');
  assert.equal(
    ctx.standin.executions('orders').map((x) => [x.pipelineExecutionId, x.sourceRevisions[0]!.revisionId]),
    [
      [next, SHA_B],
      [id, SHA_A],
    ],
  );
  await expectError(
    start('billing'),
    PipelineNotFoundException,
    "Account '123456789012' does not have a pipeline with name 'billing'",
  );
});

test('StartPipelineExecution is idempotent per clientRequestToken', async () => {
  ctx.standin.seedPipeline({ name: 'orders', executionMode: 'PARALLEL' });
  const first = await start('orders', { clientRequestToken: 'deploy-42' });
  const again = await start('orders', { clientRequestToken: 'deploy-42' });
  assert.is(again, first);
  assert.is(ctx.standin.executions('orders').length, 1);
  assert.is(ctx.standin.executions('orders')[0]!.clientRequestToken, 'deploy-42');
  const other = await start('orders', { clientRequestToken: 'deploy-43' });
  assert.is.not(other, first);
  const untokened = [await start('orders'), await start('orders')];
  assert.is.not(untokened[0], untokened[1]);
  assert.is(ctx.standin.executions('orders').length, 4);
  await expectError(
    start('orders', { clientRequestToken: 'no spaces' }),
    ValidationException,
    "1 validation error detected: Value 'no spaces' at 'clientRequestToken' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-zA-Z0-9-]+$",
  );
});

test('StartPipelineExecution sourceRevisions override commits, image digests and S3 objects as each source allows', async () => {
  ctx.standin.seedPipeline({ name: 'orders', sourceHeads: { Source: SHA_A } });
  const pinned = await start('orders', {
    sourceRevisions: [{ actionName: 'Source', revisionType: 'COMMIT_ID', revisionValue: SHA_B }],
  });
  const run = ctx.standin.executions('orders')[0]!;
  assert.is(run.pipelineExecutionId, pinned);
  assert.equal(
    run.sourceRevisions.map((r) => [r.actionName, r.revisionId]),
    [['Source', SHA_B]],
  );
  assert.equal(run.sourceOverrides, [{ actionName: 'Source', revisionType: 'COMMIT_ID', revisionValue: SHA_B }]);

  await expectError(
    start('orders', { sourceRevisions: [{ actionName: 'Build', revisionType: 'COMMIT_ID', revisionValue: SHA_B }] }),
    ValidationException,
    "Action 'Build' is not a source action of pipeline 'orders'.",
  );
  await expectError(
    start('orders', {
      sourceRevisions: [{ actionName: 'Source', revisionType: 'IMAGE_DIGEST', revisionValue: 'sha256:1' }],
    }),
    ValidationException,
    "Revision type IMAGE_DIGEST is not supported for source action 'Source' (provider CodeStarSourceConnection).",
  );
  await expectError(
    start('orders', {
      sourceRevisions: [
        { actionName: 'Source', revisionType: 'COMMIT_ID', revisionValue: SHA_A },
        { actionName: 'Source', revisionType: 'COMMIT_ID', revisionValue: SHA_B },
      ],
    }),
    ValidationException,
    "More than one COMMIT_ID override for source action 'Source'.",
  );
  await expectError(
    start('orders', {
      sourceRevisions: [{ actionName: 'Source', revisionType: 'BRANCH' as 'COMMIT_ID', revisionValue: 'main' }],
    }),
    ValidationException,
    "1 validation error detected: Value 'BRANCH' at 'sourceRevisions.1.member.revisionType' failed to satisfy constraint: Member must satisfy enum value set: [COMMIT_ID, IMAGE_DIGEST, S3_OBJECT_VERSION_ID, S3_OBJECT_KEY]",
  );

  ctx.standin.seedPipeline({
    name: 'bundles',
    stages: S3_AND_ECR_STAGES,
    sourceHeads: { Bundle: 'v-head', Image: 'sha256:head', Legacy: 'v-legacy' },
  });
  const s3 = await start('bundles', {
    sourceRevisions: [
      { actionName: 'Bundle', revisionType: 'S3_OBJECT_KEY', revisionValue: 'orders-2.zip' },
      { actionName: 'Bundle', revisionType: 'S3_OBJECT_VERSION_ID', revisionValue: 'v-2' },
      { actionName: 'Image', revisionType: 'IMAGE_DIGEST', revisionValue: 'sha256:abc' },
    ],
  });
  const { pipelineExecution } = await ctx.cp.send(
    new GetPipelineExecutionCommand({ pipelineName: 'bundles', pipelineExecutionId: s3 }),
  );
  assert.equal(
    pipelineExecution!.artifactRevisions!.map((a) => [a.name, a.revisionId]),
    [
      ['BundleArtifact', 'v-2'],
      ['ImageArtifact', 'sha256:abc'],
      ['LegacyArtifact', 'v-legacy'],
    ],
  );
  await expectError(
    start('bundles', {
      sourceRevisions: [{ actionName: 'Legacy', revisionType: 'S3_OBJECT_KEY', revisionValue: 'other.zip' }],
    }),
    ValidationException,
    "Source action 'Legacy' must set AllowOverrideForS3ObjectKey to true to override S3_OBJECT_KEY.",
  );
  await expectError(
    start('bundles', { sourceRevisions: [{ actionName: 'Image', revisionType: 'COMMIT_ID', revisionValue: SHA_A }] }),
    ValidationException,
    "Revision type COMMIT_ID is not supported for source action 'Image' (provider ECR).",
  );
  assert.is(ctx.standin.executions('bundles').length, 1, 'rejected starts leave no execution');
});

test('StartPipelineExecution variables override declared defaults; undeclared or empty ones are rejected', async () => {
  ctx.standin.seedPipeline({
    name: 'orders',
    variables: [
      { name: 'DEPLOY_ENV', defaultValue: 'staging' },
      { name: 'FUNCTIONS', defaultValue: 'all' },
      { name: 'TICKET' },
    ],
  });
  const id = await start('orders', {
    variables: [
      { name: 'DEPLOY_ENV', value: 'production' },
      { name: 'TICKET', value: 'OPS-7' },
    ],
  });
  const { pipelineExecution } = await ctx.cp.send(
    new GetPipelineExecutionCommand({ pipelineName: 'orders', pipelineExecutionId: id }),
  );
  assert.equal(pipelineExecution!.variables, [
    { name: 'DEPLOY_ENV', resolvedValue: 'production' },
    { name: 'FUNCTIONS', resolvedValue: 'all' },
    { name: 'TICKET', resolvedValue: 'OPS-7' },
  ]);
  await expectError(
    start('orders', { variables: [{ name: 'REGION', value: 'x' }] }),
    ValidationException,
    "Variable 'REGION' is not declared in pipeline 'orders'.",
  );
  await expectError(
    start('orders', { variables: [{ name: 'DEPLOY_ENV', value: '' }] }),
    ValidationException,
    "1 validation error detected: Value '' at 'variables.1.member.value' failed to satisfy constraint: Member must have length greater than or equal to 1",
  );
});

test('QUEUED mode: a start while one runs waits at the first stage and enters when the running one ends', async () => {
  ctx.standin.seedPipeline({ name: 'orders', executionMode: 'QUEUED' });
  const first = await start('orders');
  const second = await start('orders');
  const third = await start('orders');
  const listed = await ctx.cp.send(new ListPipelineExecutionsCommand({ pipelineName: 'orders' }));
  assert.equal(
    listed.pipelineExecutionSummaries!.map((s) => [s.pipelineExecutionId, s.status, s.executionMode]),
    [
      [third, 'InProgress', 'QUEUED'],
      [second, 'InProgress', 'QUEUED'],
      [first, 'InProgress', 'QUEUED'],
    ],
  );
  assert.equal((await state('orders'))[0], {
    stage: 'Source',
    latest: [first, 'InProgress'],
    inbound: [second, third],
    actions: [['Source', 'InProgress']],
  });

  ctx.standin.setExecutionStatus('orders', first, 'InProgress', { stage: 'Build' });
  assert.equal(
    (await state('orders')).map((s) => [s.stage, s.latest, s.inbound]),
    [
      ['Source', [first, 'Succeeded'], [second, third]],
      ['Build', [first, 'InProgress'], undefined],
    ],
  );
  ctx.standin.setExecutionStatus('orders', first, 'Succeeded');
  assert.equal(
    (await state('orders')).map((s) => [s.stage, s.latest, s.inbound]),
    [
      ['Source', [second, 'InProgress'], [third]],
      ['Build', [first, 'Succeeded'], undefined],
    ],
  );
  assert.equal(
    ctx.standin.executions('orders').map((e) => [e.pipelineExecutionId, e.queued]),
    [
      [third, true],
      [second, false],
      [first, false],
    ],
  );
});

test('GetPipelineState: stage and action states of the latest execution in each stage', async () => {
  ctx.standin.seedPipeline({ name: 'orders', version: 3, sourceHeads: { Source: SHA_A } });
  const old = ctx.standin.seedExecution('orders', { status: 'Succeeded', startTime: new Date(Date.now() - 3_600_000) });
  const failed = ctx.standin.seedExecution('orders', {
    status: 'Failed',
    stage: 'Build',
    startTime: new Date(Date.now() - 60_000),
  });
  const s = await ctx.cp.send(new GetPipelineStateCommand({ name: 'orders' }));
  assert.is(s.pipelineName, 'orders');
  assert.is(s.pipelineVersion, 3);
  assert.ok(s.created instanceof Date && s.updated instanceof Date);
  const [source, build] = s.stageStates!;
  assert.equal(source!.latestExecution, { pipelineExecutionId: failed, status: 'Succeeded', type: 'STANDARD' });
  assert.is(source!.inboundTransitionState, undefined);
  assert.is(source!.actionStates![0]!.currentRevision!.revisionId, SHA_A);
  assert.is(source!.actionStates![0]!.latestExecution!.status, 'Succeeded');
  assert.equal(build!.latestExecution, { pipelineExecutionId: failed, status: 'Failed', type: 'STANDARD' });
  assert.equal(build!.inboundTransitionState, { enabled: true });
  const buildAction = build!.actionStates![0]!;
  assert.is(buildAction.actionName, 'Build');
  assert.is(buildAction.latestExecution!.status, 'Failed');
  assert.match(buildAction.latestExecution!.externalExecutionId!, /^orders:[0-9a-f-]{36}$/);
  assert.ok(buildAction.latestExecution!.lastStatusChange instanceof Date);
  assert.ok(!JSON.stringify(s).includes(old), 'an older execution is not the latest of any stage');

  await expectError(
    ctx.cp.send(new GetPipelineStateCommand({ name: 'billing' })),
    PipelineNotFoundException,
    /does not have a pipeline with name 'billing'/,
  );
});

test('StopPipelineExecution: Stopping with the reason, duplicate stops, abandon after stop, nothing to stop once ended', async () => {
  ctx.standin.seedPipeline({ name: 'orders' });
  const id = await start('orders');
  const stopped = await stop('orders', id, { reason: 'bad commit' });
  assert.is(stopped.pipelineExecutionId, id);
  let summary = (await ctx.cp.send(new ListPipelineExecutionsCommand({ pipelineName: 'orders' })))
    .pipelineExecutionSummaries![0]!;
  assert.is(summary.status, 'Stopping');
  assert.equal(summary.stopTrigger, { reason: 'bad commit' });

  await expectError(stop('orders', id), DuplicatedStopRequestException, `Execution '${id}' is already being stopped.`);
  await stop('orders', id, { abandon: true });
  await expectError(
    stop('orders', id, { abandon: true }),
    DuplicatedStopRequestException,
    `Execution '${id}' is already being stopped by abandoning its actions.`,
  );

  ctx.standin.setExecutionStatus('orders', id, 'Stopped');
  summary = (await ctx.cp.send(new ListPipelineExecutionsCommand({ pipelineName: 'orders' })))
    .pipelineExecutionSummaries![0]!;
  assert.is(summary.status, 'Stopped');
  assert.equal((await state('orders'))[0]!.actions, [['Source', 'Abandoned']]);
  await expectError(
    stop('orders', id),
    PipelineExecutionNotStoppableException,
    `Execution '${id}' of pipeline 'orders' is Stopped and can no longer be stopped.`,
  );

  const done = ctx.standin.seedExecution('orders', { status: 'Succeeded' });
  await expectError(
    stop('orders', done),
    PipelineExecutionNotStoppableException,
    /is Succeeded and can no longer be stopped/,
  );
  const unknown = '00000000-0000-4000-8000-000000000000';
  await expectError(
    stop('orders', unknown),
    PipelineExecutionNotFoundException,
    `Pipeline execution with ID '${unknown}' does not exist for pipeline 'orders'.`,
  );
  await expectError(
    ctx.cp.send(new GetPipelineExecutionCommand({ pipelineName: 'orders', pipelineExecutionId: unknown })),
    PipelineExecutionNotFoundException,
    `Pipeline execution with ID '${unknown}' does not exist for pipeline 'orders'.`,
  );
  await expectError(
    stop('orders', 'not-an-id'),
    ValidationException,
    "1 validation error detected: Value 'not-an-id' at 'pipelineExecutionId' failed to satisfy constraint: Member must satisfy regular expression pattern: [0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
  );
  await expectError(stop('billing', id), PipelineNotFoundException, /does not have a pipeline with name 'billing'/);
});

test('a stop-and-wait that ends Stopped leaves the running action Succeeded; a queued execution stops at once', async () => {
  ctx.standin.seedPipeline({ name: 'orders', executionMode: 'QUEUED' });
  const running = await start('orders');
  const waiting = await start('orders');
  await stop('orders', waiting);
  assert.equal(
    ctx.standin.executions('orders').map((e) => [e.pipelineExecutionId, e.status]),
    [
      [waiting, 'Stopped'],
      [running, 'InProgress'],
    ],
  );
  await stop('orders', running);
  ctx.standin.setExecutionStatus('orders', running, 'Stopped');
  assert.equal((await state('orders'))[0], {
    stage: 'Source',
    latest: [running, 'Stopped'],
    inbound: undefined,
    actions: [['Source', 'Succeeded']],
  });
});

test('ConflictException (HTTP 409) when the pipeline is busy, for the next requests only', async () => {
  ctx.standin.seedPipeline({ name: 'orders', executionMode: 'PARALLEL' });
  ctx.standin.conflictNext('StartPipelineExecution', 2);
  const busy =
    'Your request cannot be handled because the pipeline is busy handling ongoing activities. Try again later.';
  await expectError(start('orders'), ConflictException, busy, 409);
  await expectError(start('orders'), ConflictException, busy, 409);
  const id = await start('orders');
  ctx.standin.conflictNext('StopPipelineExecution');
  await expectError(stop('orders', id), ConflictException, busy, 409);
  await stop('orders', id);
  assert.equal(
    ctx.standin.log.map((e) => [e.operation, e.status, e.error]),
    [
      ['StartPipelineExecution', 409, 'ConflictException'],
      ['StartPipelineExecution', 409, 'ConflictException'],
      ['StartPipelineExecution', 200, undefined],
      ['StopPipelineExecution', 409, 'ConflictException'],
      ['StopPipelineExecution', 200, undefined],
    ],
  );
});

test.run();
