import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  DescribeLogGroupsCommand,
  DescribeLogStreamsCommand,
  FilterLogEventsCommand,
  GetLogEventsCommand,
  InvalidParameterException,
  PutLogEventsCommand,
  ResourceAlreadyExistsException,
  ResourceNotFoundException,
  ThrottlingException,
  ValidationException,
  paginateDescribeLogStreams,
  paginateFilterLogEvents,
  paginateGetLogEvents,
  type FilterLogEventsCommandInput,
} from '@aws-sdk/client-cloudwatch-logs';
import { DOCUMENTED_RATES, LogsStandin, type LogsStandinOptions } from './harness/logs-standin.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const REGION = 'eu-west-1';
const GROUP = '/aws/lambda/orders';
const GROUP_ARN = 'arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/orders';
const HOUR = 3600_000;
const DAY = 24 * HOUR;

interface Context {
  standin: LogsStandin;
  logs: CloudWatchLogsClient;
}
const ctx = {} as Context;

/** maxAttempts 1: the SDK would otherwise retry throttling and 5xx answers on its own. */
function client(endpoint: string): CloudWatchLogsClient {
  return new CloudWatchLogsClient({
    endpoint,
    region: REGION,
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
    maxAttempts: 1,
  });
}

async function restart(opts: LogsStandinOptions = {}): Promise<void> {
  ctx.logs?.destroy();
  await ctx.standin?.close();
  ctx.standin = await LogsStandin.start(opts);
  ctx.logs = client(ctx.standin.endpoint);
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
): Promise<SdkError> {
  const err = await failure(promise);
  assert.ok(err instanceof type, `expected ${type.name}, got ${err.name}: ${err.message}`);
  assert.is(err.$metadata?.httpStatusCode, 400);
  if (typeof message === 'string') assert.is(err.message, message);
  else assert.match(err.message, message);
  return err;
}

async function groupWithStreams(...streams: string[]): Promise<void> {
  await ctx.logs.send(new CreateLogGroupCommand({ logGroupName: GROUP }));
  for (const s of streams) await ctx.logs.send(new CreateLogStreamCommand({ logGroupName: GROUP, logStreamName: s }));
}

async function put(stream: string, events: { timestamp: number; message: string }[]) {
  return ctx.logs.send(new PutLogEventsCommand({ logGroupName: GROUP, logStreamName: stream, logEvents: events }));
}

async function filter(input: Partial<FilterLogEventsCommandInput> = {}): Promise<string[]> {
  const out = await ctx.logs.send(new FilterLogEventsCommand({ logGroupName: GROUP, ...input }));
  return out.events!.map((e) => e.message!);
}

const test = suite('logs stand-in');

test.before.each(async () => {
  await restart();
});

test.after.each(async () => {
  ctx.logs.destroy();
  await ctx.standin.close();
});

test('CreateLogGroup and DescribeLogGroups: prefix, ASCII order, ARNs, pagination', async () => {
  const t0 = Date.now();
  for (const name of ['/aws/lambda/orders', '/aws/lambda/billing', '/aws/codebuild/orders', '/aws/lambda/Zeta']) {
    await ctx.logs.send(new CreateLogGroupCommand({ logGroupName: name }));
  }
  const lambda = await ctx.logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: '/aws/lambda/' }));
  assert.equal(
    lambda.logGroups!.map((g) => g.logGroupName),
    ['/aws/lambda/Zeta', '/aws/lambda/billing', '/aws/lambda/orders'],
  );
  const orders = lambda.logGroups![2]!;
  assert.is(orders.arn, `${GROUP_ARN}:*`);
  assert.is(orders.logGroupArn, GROUP_ARN);
  assert.is(orders.logGroupClass, 'STANDARD');
  assert.is(orders.metricFilterCount, 0);
  assert.ok(orders.creationTime! >= t0 && orders.creationTime! <= Date.now());
  assert.is(lambda.nextToken, undefined);

  const first = await ctx.logs.send(new DescribeLogGroupsCommand({ limit: 3 }));
  assert.equal(
    first.logGroups!.map((g) => g.logGroupName),
    ['/aws/codebuild/orders', '/aws/lambda/Zeta', '/aws/lambda/billing'],
  );
  assert.type(first.nextToken, 'string');
  const second = await ctx.logs.send(new DescribeLogGroupsCommand({ limit: 3, nextToken: first.nextToken }));
  assert.equal(
    second.logGroups!.map((g) => g.logGroupName),
    ['/aws/lambda/orders'],
  );
  assert.is(second.nextToken, undefined);

  const byPattern = await ctx.logs.send(new DescribeLogGroupsCommand({ logGroupNamePattern: 'orders' }));
  assert.equal(
    byPattern.logGroups!.map((g) => Object.keys(g).sort()),
    [
      ['arn', 'creationTime', 'logGroupName'],
      ['arn', 'creationTime', 'logGroupName'],
    ],
  );
});

test('creating what exists is ResourceAlreadyExistsException; a stream in a missing group is ResourceNotFoundException', async () => {
  await groupWithStreams('2026/01/01/[$LATEST]abc');
  await expectError(
    ctx.logs.send(new CreateLogGroupCommand({ logGroupName: GROUP })),
    ResourceAlreadyExistsException,
    'The specified log group already exists',
  );
  await expectError(
    ctx.logs.send(new CreateLogStreamCommand({ logGroupName: GROUP, logStreamName: '2026/01/01/[$LATEST]abc' })),
    ResourceAlreadyExistsException,
    'The specified log stream already exists',
  );
  await expectError(
    ctx.logs.send(new CreateLogStreamCommand({ logGroupName: '/aws/lambda/none', logStreamName: 's' })),
    ResourceNotFoundException,
    'The specified log group does not exist.',
  );
  await expectError(
    ctx.logs.send(new DescribeLogStreamsCommand({ logGroupName: '/aws/lambda/none' })),
    ResourceNotFoundException,
    'The specified log group does not exist.',
  );
  const err = await failure(ctx.logs.send(new CreateLogGroupCommand({ logGroupName: GROUP })));
  assert.is((err as SdkError & { name: string }).name, 'ResourceAlreadyExistsException');
  assert.equal(
    ctx.standin.log.map((e) => [e.operation, e.status, e.error]),
    [
      ['CreateLogGroup', 200, undefined],
      ['CreateLogStream', 200, undefined],
      ['CreateLogGroup', 400, 'ResourceAlreadyExistsException'],
      ['CreateLogStream', 400, 'ResourceAlreadyExistsException'],
      ['CreateLogStream', 400, 'ResourceNotFoundException'],
      ['DescribeLogStreams', 400, 'ResourceNotFoundException'],
      ['CreateLogGroup', 400, 'ResourceAlreadyExistsException'],
    ],
  );
});

test('names are validated as the model constrains them: InvalidParameterException', async () => {
  await expectError(
    ctx.logs.send(new CreateLogGroupCommand({ logGroupName: 'orders logs' })),
    InvalidParameterException,
    "1 validation error detected: Value 'orders logs' at 'logGroupName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_/#A-Za-z0-9]+",
  );
  await ctx.logs.send(new CreateLogGroupCommand({ logGroupName: GROUP }));
  await expectError(
    ctx.logs.send(new CreateLogStreamCommand({ logGroupName: GROUP, logStreamName: 'a:b' })),
    InvalidParameterException,
    "1 validation error detected: Value 'a:b' at 'logStreamName' failed to satisfy constraint: Member must satisfy regular expression pattern: [^:*]*",
  );
  await expectError(
    ctx.logs.send(new DescribeLogGroupsCommand({ limit: 51 })),
    InvalidParameterException,
    "1 validation error detected: Value '51' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 50",
  );
});

test('DescribeLogStreams: order by name or last event time, descending, prefix, limit and nextToken', async () => {
  const now = Date.now();
  await groupWithStreams('b-stream', 'a-stream', 'c-stream', 'empty');
  await put('a-stream', [{ timestamp: now - 3 * HOUR, message: 'a' }]);
  await put('b-stream', [{ timestamp: now - 1 * HOUR, message: 'b' }]);
  await put('c-stream', [
    { timestamp: now - 2 * HOUR, message: 'c1' },
    { timestamp: now - 2 * HOUR + 5, message: 'c2' },
  ]);

  const byName = await ctx.logs.send(new DescribeLogStreamsCommand({ logGroupName: GROUP }));
  assert.equal(
    byName.logStreams!.map((s) => s.logStreamName),
    ['a-stream', 'b-stream', 'c-stream', 'empty'],
  );
  const c = byName.logStreams![2]!;
  assert.is(c.firstEventTimestamp, now - 2 * HOUR);
  assert.is(c.lastEventTimestamp, now - 2 * HOUR + 5);
  assert.is(c.storedBytes, 0, 'deprecated for streams: always zero');
  assert.is(c.arn, `${GROUP_ARN}:log-stream:c-stream`);
  assert.type(c.lastIngestionTime, 'number');
  const empty = byName.logStreams![3]!;
  assert.is(empty.firstEventTimestamp, undefined);
  assert.is(empty.lastIngestionTime, undefined);

  const latestFirst = await ctx.logs.send(
    new DescribeLogStreamsCommand({ logGroupName: GROUP, orderBy: 'LastEventTime', descending: true, limit: 2 }),
  );
  assert.equal(
    latestFirst.logStreams!.map((s) => s.logStreamName),
    ['b-stream', 'c-stream'],
  );
  const rest = await ctx.logs.send(
    new DescribeLogStreamsCommand({
      logGroupName: GROUP,
      orderBy: 'LastEventTime',
      descending: true,
      limit: 2,
      nextToken: latestFirst.nextToken,
    }),
  );
  assert.equal(
    rest.logStreams!.map((s) => s.logStreamName),
    ['a-stream', 'empty'],
  );
  assert.is(rest.nextToken, undefined);

  const prefixed = await ctx.logs.send(
    new DescribeLogStreamsCommand({ logGroupIdentifier: GROUP_ARN, logStreamNamePrefix: 'b', descending: true }),
  );
  assert.equal(
    prefixed.logStreams!.map((s) => s.logStreamName),
    ['b-stream'],
  );

  const names: string[] = [];
  for await (const page of paginateDescribeLogStreams({ client: ctx.logs, pageSize: 1 }, { logGroupName: GROUP })) {
    names.push(...page.logStreams!.map((s) => s.logStreamName!));
  }
  assert.equal(names, ['a-stream', 'b-stream', 'c-stream', 'empty']);

  await expectError(
    ctx.logs.send(
      new DescribeLogStreamsCommand({ logGroupName: GROUP, orderBy: 'LastEventTime', logStreamNamePrefix: 'a' }),
    ),
    InvalidParameterException,
    'Cannot order by LastEventTime with a logStreamNamePrefix.',
  );
  await expectError(
    ctx.logs.send(new DescribeLogStreamsCommand({ logGroupName: GROUP, logGroupIdentifier: GROUP_ARN })),
    ValidationException,
    'LogGroup name and LogGroup ARN are mutually exclusive parameters.',
  );
  await expectError(
    ctx.logs.send(new DescribeLogStreamsCommand({ logGroupName: GROUP, nextToken: 'garbage' })),
    InvalidParameterException,
    'The specified nextToken is invalid.',
  );
});

test('PutLogEvents stores a batch; GetLogEvents returns it with ingestion times', async () => {
  await groupWithStreams('s');
  const now = Date.now();
  const out = await put('s', [
    { timestamp: now - 2000, message: 'START RequestId: 1' },
    { timestamp: now - 2000, message: 'same millisecond, later in the batch' },
    { timestamp: now - 1000, message: 'END RequestId: 1' },
  ]);
  assert.match(out.nextSequenceToken!, /^\d{56}$/);
  assert.is(out.rejectedLogEventsInfo, undefined);
  const got = await ctx.logs.send(
    new GetLogEventsCommand({ logGroupName: GROUP, logStreamName: 's', startFromHead: true }),
  );
  assert.equal(
    got.events!.map((e) => [e.timestamp, e.message]),
    [
      [now - 2000, 'START RequestId: 1'],
      [now - 2000, 'same millisecond, later in the batch'],
      [now - 1000, 'END RequestId: 1'],
    ],
  );
  assert.ok(got.events!.every((e) => e.ingestionTime! >= now && e.ingestionTime! <= Date.now()));
  await expectError(
    put('missing', [{ timestamp: now, message: 'x' }]),
    ResourceNotFoundException,
    'The specified log stream does not exist.',
  );
});

test('PutLogEvents rejects events too old or too new and keeps the rest, with the documented indexes', async () => {
  const now = Date.now();
  await groupWithStreams('s');
  const out = await put('s', [
    { timestamp: now - 15 * DAY, message: 'too old 1' },
    { timestamp: now - 14 * DAY - 60_000, message: 'too old 2' },
    { timestamp: now - 13 * DAY - 23 * HOUR, message: 'kept 1' },
    { timestamp: now - 13 * DAY - 22 * HOUR, message: 'kept 2' },
    { timestamp: now + 3 * HOUR, message: 'too new' },
  ]);
  assert.equal(out.rejectedLogEventsInfo, { tooOldLogEventEndIndex: 2, tooNewLogEventStartIndex: 4 });
  assert.equal(
    ctx.standin.events(GROUP).map((e) => e.message),
    ['kept 1', 'kept 2'],
  );

  const allRejected = await put('s', [{ timestamp: now + 3 * HOUR, message: 'future' }]);
  assert.equal(allRejected.rejectedLogEventsInfo, { tooNewLogEventStartIndex: 0 });
  assert.is(ctx.standin.events(GROUP).length, 2);
});

test('PutLogEvents fails whole batches that are unordered, span over 24 hours, too large or too many', async () => {
  const now = Date.now();
  await groupWithStreams('s');
  await expectError(
    put('s', [
      { timestamp: now, message: 'b' },
      { timestamp: now - 1, message: 'a' },
    ]),
    InvalidParameterException,
    'Log events in a single PutLogEvents request must be in chronological order.',
  );
  await expectError(
    put('s', [
      { timestamp: now - 25 * HOUR, message: 'a' },
      { timestamp: now, message: 'b' },
    ]),
    InvalidParameterException,
    'The batch of log events in a single PutLogEvents request cannot span more than 24 hours.',
  );
  // The span counts valid events only: a too-old event 15 days back does not stretch it.
  const spanOk = await put('s', [
    { timestamp: now - 15 * DAY, message: 'old' },
    { timestamp: now - 1000, message: 'fine' },
  ]);
  assert.equal(spanOk.rejectedLogEventsInfo, { tooOldLogEventEndIndex: 1 });

  // 1,048,576 bytes = messages in UTF-8 + 26 per event: exactly at the limit passes, one byte more fails.
  const eventsAtLimit = 4;
  const size = 1_048_576 / eventsAtLimit - 26;
  const big = (extra: number) =>
    Array.from({ length: eventsAtLimit }, (_, i) => ({
      timestamp: now + i,
      message: 'x'.repeat(size + (i === 0 ? extra : 0)),
    }));
  await put('s', big(0));
  await expectError(
    put('s', big(1)),
    InvalidParameterException,
    'Upload too large: 1048577 bytes exceeds limit of 1048576',
  );
  // Multi-byte characters count by their UTF-8 length.
  await expectError(
    put('s', [{ timestamp: now, message: 'é'.repeat(524_288) }]),
    InvalidParameterException,
    `Upload too large: ${524_288 * 2 + 26} bytes exceeds limit of 1048576`,
  );

  const many = Array.from({ length: 10_001 }, (_, i) => ({ timestamp: now, message: `m${i}` }));
  await expectError(
    put('s', many),
    InvalidParameterException,
    "1 validation error detected: Value '[10001 items]' at 'logEvents' failed to satisfy constraint: Member must have length less than or equal to 10000",
  );
  await put('s', many.slice(0, 10_000));
  await expectError(
    put('s', [{ timestamp: now, message: '' }]),
    InvalidParameterException,
    "1 validation error detected: Value '' at 'logEvents.1.member.message' failed to satisfy constraint: Member must have length greater than or equal to 1",
  );
  assert.is(ctx.standin.events(GROUP).length, 1 + eventsAtLimit + 10_000);
});

test('GetLogEvents: the last page by default, forward and backward tokens, the same token at the end', async () => {
  const t = Date.now() - HOUR;
  ctx.standin.putEvents(
    GROUP,
    's',
    Array.from({ length: 5 }, (_, i) => ({ timestamp: t + i * 1000, message: `e${i}` })),
  );
  const get = (input: {
    nextToken?: string;
    startFromHead?: boolean;
    limit?: number;
    startTime?: number;
    endTime?: number;
  }) => ctx.logs.send(new GetLogEventsCommand({ logGroupName: GROUP, logStreamName: 's', limit: 2, ...input }));
  const messages = (r: { events?: { message?: string }[] }) => r.events!.map((e) => e.message);

  const tail = await get({});
  assert.equal(messages(tail), ['e3', 'e4'], 'startFromHead defaults to false: the latest events');
  const before = await get({ nextToken: tail.nextBackwardToken });
  assert.equal(messages(before), ['e1', 'e2']);
  const first = await get({ nextToken: before.nextBackwardToken });
  assert.equal(messages(first), ['e0']);
  const beyond = await get({ nextToken: first.nextBackwardToken });
  assert.equal(messages(beyond), []);
  assert.is(beyond.nextBackwardToken, first.nextBackwardToken, 'at the start of the stream the same token comes back');
  const forwardAgain = await get({ nextToken: beyond.nextForwardToken, startFromHead: true });
  assert.equal(messages(forwardAgain), ['e0', 'e1']);

  const head = await get({ startFromHead: true });
  assert.equal(messages(head), ['e0', 'e1']);
  const end = await get({ nextToken: tail.nextForwardToken, startFromHead: true });
  assert.equal(messages(end), []);
  assert.is(end.nextForwardToken, tail.nextForwardToken, 'at the end of the stream the same token comes back');
  ctx.standin.putEvents(GROUP, 's', [{ timestamp: t + 10_000, message: 'e5' }]);
  const tailed = await get({ nextToken: end.nextForwardToken, startFromHead: true });
  assert.equal(messages(tailed), ['e5'], 'the forward token picks up events that arrive later');

  // startTime is inclusive, endTime exclusive.
  const ranged = await get({ startFromHead: true, startTime: t + 1000, endTime: t + 3000, limit: 10 });
  assert.equal(messages(ranged), ['e1', 'e2']);

  const all: string[] = [];
  for await (const page of paginateGetLogEvents(
    { client: ctx.logs, pageSize: 2, stopOnSameToken: true },
    { logGroupName: GROUP, logStreamName: 's', startFromHead: true },
  )) {
    all.push(...messages(page).map(String));
  }
  assert.equal(all, ['e0', 'e1', 'e2', 'e3', 'e4', 'e5'], 'the SDK paginator ends on the repeated forward token');

  await expectError(get({ nextToken: 'f/nonsense' }), InvalidParameterException, 'The specified nextToken is invalid.');
  await expectError(
    ctx.logs.send(new GetLogEventsCommand({ logGroupName: GROUP, logStreamName: 'nope' })),
    ResourceNotFoundException,
    'The specified log stream does not exist.',
  );
});

test('FilterLogEvents: events of all streams ordered by time, stream selection, inclusive time range, searchedLogStreams empty', async () => {
  const t = Date.now() - HOUR;
  ctx.standin.putEvents(GROUP, 'app-1', [
    { timestamp: t + 1, message: 'one' },
    { timestamp: t + 4, message: 'four' },
  ]);
  ctx.standin.putEvents(GROUP, 'app-2', [
    { timestamp: t + 2, message: 'two' },
    { timestamp: t + 3, message: 'three' },
  ]);
  ctx.standin.putEvents(GROUP, 'other', [{ timestamp: t + 5, message: 'five' }]);

  const out = await ctx.logs.send(new FilterLogEventsCommand({ logGroupName: GROUP }));
  assert.equal(
    out.events!.map((e) => [e.logStreamName, e.message]),
    [
      ['app-1', 'one'],
      ['app-2', 'two'],
      ['app-2', 'three'],
      ['app-1', 'four'],
      ['other', 'five'],
    ],
  );
  assert.equal(out.searchedLogStreams, []);
  assert.is(out.nextToken, undefined);
  assert.match(out.events![0]!.eventId!, /^\d{56}$/);
  assert.is(new Set(out.events!.map((e) => e.eventId)).size, 5);

  assert.equal(await filter({ logStreamNames: ['app-2', 'other'] }), ['two', 'three', 'five']);
  assert.equal(await filter({ logStreamNamePrefix: 'app-' }), ['one', 'two', 'three', 'four']);
  assert.equal(await filter({ startTime: t + 2, endTime: t + 4 }), ['two', 'three', 'four'], 'both ends are inclusive');
  assert.equal(await filter({ logGroupIdentifier: `${GROUP_ARN}:*`, logGroupName: undefined }), [
    'one',
    'two',
    'three',
    'four',
    'five',
  ]);

  await expectError(
    filter({ logStreamNames: ['app-1'], logStreamNamePrefix: 'app' }),
    InvalidParameterException,
    'logStreamNames and logStreamNamePrefix cannot both be specified.',
  );
  await expectError(
    ctx.logs.send(new FilterLogEventsCommand({ logGroupName: '/aws/lambda/none' })),
    ResourceNotFoundException,
    'The specified log group does not exist.',
  );
});

test('FilterLogEvents pages by limit and nextToken in either direction; the SDK paginator walks them', async () => {
  const t = Date.UTC(2026, 0, 1);
  ctx.standin.putEvents(
    GROUP,
    'a',
    [1, 3, 5].map((i) => ({ timestamp: t + i, message: `m${i}` })),
  );
  ctx.standin.putEvents(
    GROUP,
    'b',
    [2, 4].map((i) => ({ timestamp: t + i, message: `m${i}` })),
  );

  const p1 = await ctx.logs.send(new FilterLogEventsCommand({ logGroupName: GROUP, limit: 2 }));
  assert.equal(
    p1.events!.map((e) => e.message),
    ['m1', 'm2'],
  );
  const p2 = await ctx.logs.send(
    new FilterLogEventsCommand({ logGroupName: GROUP, limit: 2, nextToken: p1.nextToken }),
  );
  assert.equal(
    p2.events!.map((e) => e.message),
    ['m3', 'm4'],
  );
  const p3 = await ctx.logs.send(
    new FilterLogEventsCommand({ logGroupName: GROUP, limit: 2, nextToken: p2.nextToken }),
  );
  assert.equal(
    p3.events!.map((e) => e.message),
    ['m5'],
  );
  assert.is(p3.nextToken, undefined);

  const newest = await ctx.logs.send(
    new FilterLogEventsCommand({ logGroupName: GROUP, limit: 3, startFromHead: false, startTime: t }),
  );
  assert.equal(
    newest.events!.map((e) => e.message),
    ['m5', 'm4', 'm3'],
  );
  // The token keeps the direction of the first request, whatever startFromHead says now.
  const older = await ctx.logs.send(
    new FilterLogEventsCommand({
      logGroupName: GROUP,
      limit: 3,
      startTime: t,
      startFromHead: true,
      nextToken: newest.nextToken,
    }),
  );
  assert.equal(
    older.events!.map((e) => e.message),
    ['m2', 'm1'],
  );

  await expectError(
    ctx.logs.send(
      new FilterLogEventsCommand({ logGroupName: GROUP, startFromHead: false, startTime: Date.UTC(2023, 11, 31) }),
    ),
    InvalidParameterException,
    /startFromHead set to false is supported only when startTime is on or after Jan 1, 2024/,
  );

  const walked: string[] = [];
  for await (const page of paginateFilterLogEvents(
    { client: ctx.logs, pageSize: 2 },
    { logGroupName: GROUP, filterPattern: '?m1 ?m4 ?m5' },
  )) {
    walked.push(...page.events!.map((e) => e.message!));
  }
  assert.equal(walked, ['m1', 'm4', 'm5']);
});

test('filter patterns: all terms, quoted phrases, ? alternatives, - exclusions, case-sensitive substrings', async () => {
  const t = Date.now() - HOUR;
  const lines = [
    '[ERROR] A fatal exception has occurred',
    'Exiting with ERRORCODE: -1',
    'ERROR WARN message',
    'WARN message',
    '[INFO] Failed to process the request',
    'error in lower case',
    'Task timed out after 3.00 seconds',
  ];
  ctx.standin.putEvents(
    GROUP,
    's',
    lines.map((message, i) => ({ timestamp: t + i, message })),
  );

  assert.equal(await filter({ filterPattern: '' }), lines, 'an empty pattern matches everything');
  assert.equal(
    await filter({ filterPattern: 'ERROR' }),
    [lines[0], lines[1], lines[2]],
    'case sensitive; ERROR matches ERRORCODE',
  );
  assert.equal(await filter({ filterPattern: 'ERROR WARN' }), [lines[2]]);
  assert.equal(await filter({ filterPattern: '?ERROR ?WARN' }), [lines[0], lines[1], lines[2], lines[3]]);
  assert.equal(await filter({ filterPattern: 'ERROR -WARN' }), [lines[0], lines[1]]);
  assert.equal(
    await filter({ filterPattern: '"ERROR" - "Exiting"' }),
    [lines[0], lines[2]],
    'the older guide writes the minus apart',
  );
  assert.equal(await filter({ filterPattern: '-ERROR' }), [lines[3], lines[4], lines[5], lines[6]]);
  assert.equal(await filter({ filterPattern: '"Failed to process the request"' }), [lines[4]]);
  assert.equal(await filter({ filterPattern: '"process the Failed"' }), [], 'a phrase is matched as a whole');
  assert.equal(await filter({ filterPattern: 'Failed request' }), [lines[4]], 'terms need not be adjacent');
  assert.equal(await filter({ filterPattern: '"Task timed out"' }), [lines[6]]);
  assert.equal(await filter({ filterPattern: '"ERRORCODE: -1"' }), [lines[1]]);
  // ? starts another group of terms: (ERROR and fatal) or (WARN and -ERROR).
  assert.equal(await filter({ filterPattern: '?ERROR fatal ?WARN -ERROR' }), [lines[0], lines[3]]);

  await expectError(
    filter({ filterPattern: '{ $.level = "ERROR" }' }),
    InvalidParameterException,
    /^Invalid filter pattern: JSON filter patterns are valid/,
  );
  await expectError(
    filter({ filterPattern: '[ip, user, status_code=4*]' }),
    InvalidParameterException,
    /^Invalid filter pattern: space-delimited filter patterns/,
  );
  await expectError(
    filter({ filterPattern: '%ERR(OR)?%' }),
    InvalidParameterException,
    /^Invalid filter pattern: regular expression filter patterns/,
  );
  await expectError(
    filter({ filterPattern: 'user@example.com' }),
    InvalidParameterException,
    "Invalid filter pattern: Invalid character(s) in term 'user@example.com'",
  );
  await expectError(
    filter({ filterPattern: '""' }),
    InvalidParameterException,
    `Invalid filter pattern: Invalid character(s) in term '""'`,
  );
  await expectError(
    filter({ filterPattern: '"unterminated' }),
    InvalidParameterException,
    /^Invalid filter pattern: Unterminated/,
  );
});

test('throttling is off by default', async () => {
  await groupWithStreams('s');
  const results = await Promise.all(Array.from({ length: 20 }, () => filter()));
  assert.is(results.length, 20);
  assert.ok(ctx.standin.log.every((e) => e.status === 200));
});

test('with rates, FilterLogEvents is limited to 5 per second and answers ThrottlingException as Logs does', async () => {
  assert.is(DOCUMENTED_RATES.FilterLogEvents, 5);
  let now = Date.UTC(2026, 5, 1);
  await restart({ rates: DOCUMENTED_RATES, clock: () => now });
  await groupWithStreams('s');
  for (let i = 0; i < 5; i++) await filter();
  const err = await expectError(filter(), ThrottlingException, 'Rate exceeded');
  assert.is(err.name, 'ThrottlingException');
  // Other operations have their own buckets.
  await ctx.logs.send(new DescribeLogGroupsCommand({}));
  now += 199;
  await expectError(filter(), ThrottlingException, 'Rate exceeded');
  now += 1;
  await filter();
  await expectError(filter(), ThrottlingException, 'Rate exceeded');
  now += 1000;
  for (let i = 0; i < 5; i++) await filter();
  await expectError(filter(), ThrottlingException, 'Rate exceeded');
  assert.equal(
    ctx.standin.log.filter((e) => e.operation === 'FilterLogEvents').map((e) => e.status),
    [200, 200, 200, 200, 200, 400, 400, 200, 400, 200, 200, 200, 200, 200, 400],
  );
});

test('putEvents seeds events of any age and order; events() lists a group as FilterLogEvents orders it', async () => {
  const ancient = Date.UTC(2020, 0, 1);
  ctx.standin.putEvents(GROUP, 'b', [{ timestamp: ancient + 2, message: 'second', ingestionTime: ancient + 10 }]);
  ctx.standin.putEvents(GROUP, 'a', [
    { timestamp: ancient + 3, message: 'third' },
    { timestamp: ancient + 1, message: 'first' },
  ]);
  assert.equal(
    ctx.standin.events(GROUP).map((e) => [e.logStreamName, e.timestamp, e.message]),
    [
      ['a', ancient + 1, 'first'],
      ['b', ancient + 2, 'second'],
      ['a', ancient + 3, 'third'],
    ],
  );
  assert.is(ctx.standin.events(GROUP)[1]!.ingestionTime, ancient + 10);
  assert.equal(ctx.standin.events('/aws/lambda/none'), []);
  const groups = await ctx.logs.send(new DescribeLogGroupsCommand({}));
  assert.equal(
    groups.logGroups!.map((g) => [g.logGroupName, g.storedBytes]),
    [[GROUP, 'second'.length + 'third'.length + 'first'.length]],
  );
  assert.equal(
    ctx.standin.log.map((e) => e.operation),
    ['DescribeLogGroups'],
    'the controls make no requests',
  );
});

test.run();
