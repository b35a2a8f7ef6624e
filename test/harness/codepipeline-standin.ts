import { createHash, randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type {
  ActionDeclaration,
  ExecutionTrigger,
  PipelineTriggerDeclaration,
  PipelineVariableDeclaration,
  SourceRevision,
  StageDeclaration,
} from '@aws-sdk/client-codepipeline';
import {
  AwsJsonError,
  createJsonServer,
  decodeToken,
  encodeToken,
  Validator,
  type JsonInput,
  type JsonRequestLogEntry,
} from './aws-json.js';
import { closeServer, listenLocal } from './http-server.js';

/**
 * An offline stand-in for AWS CodePipeline, for tests. It speaks AWS JSON 1.1 (X-Amz-Target:
 * CodePipeline_20150709.<Operation>) to the unmodified @aws-sdk/client-codepipeline and follows the
 * API reference: pipelines (V2 declarations with a CodeStarSourceConnection source and a CodeBuild
 * build by default), their state, executions with the documented statuses, execution modes,
 * StartPipelineExecution with idempotency tokens, variables and source revision overrides, and
 * StopPipelineExecution's stop/abandon rules.
 *
 * Executions do not run by themselves: the test moves them with setExecutionStatus(), and
 * GetPipelineState derives the stage and action states from where each execution is.
 */

export type ExecutionStatus =
  | 'Cancelled'
  | 'InProgress'
  | 'Stopped'
  | 'Stopping'
  | 'Succeeded'
  | 'Superseded'
  | 'Failed';
export type ExecutionMode = 'SUPERSEDED' | 'QUEUED' | 'PARALLEL';

export interface SeedPipeline {
  name: string;
  /** Default: Source (CodeStarSourceConnection, GitHub acme/<name>, branch main) then Build (CodeBuild project <name>). */
  stages?: StageDeclaration[];
  executionMode?: ExecutionMode;
  pipelineType?: 'V1' | 'V2';
  roleArn?: string;
  variables?: PipelineVariableDeclaration[];
  /** Default for V2: a push trigger on branch main of the first source action. */
  triggers?: PipelineTriggerDeclaration[];
  version?: number;
  created?: Date;
  updated?: Date;
  /** The revision each source action would fetch now (commit, image digest, S3 version), by action name. */
  sourceHeads?: Record<string, string>;
}

export interface SeedExecution {
  status: ExecutionStatus;
  sourceRevisions?: SourceRevision[];
  /** Default: StartPipelineExecution by the stand-in's caller. */
  trigger?: ExecutionTrigger;
  startTime?: Date;
  lastUpdateTime?: Date;
  /** The stage the execution is in or ended in. Default: the last stage when Succeeded, else the first. */
  stage?: string;
  statusSummary?: string;
  variables?: { name: string; resolvedValue: string }[];
}

export interface ExecutionState {
  pipelineExecutionId: string;
  status: ExecutionStatus;
  /** Waiting to enter the first stage (QUEUED mode). */
  queued: boolean;
  /** The stage it is in or ended in; undefined when it never entered one. */
  stage?: string;
  startTime: Date;
  lastUpdateTime: Date;
  sourceRevisions: SourceRevision[];
  sourceOverrides: { actionName: string; revisionType: string; revisionValue: string }[];
  trigger: ExecutionTrigger;
  variables: { name: string; resolvedValue: string }[];
  clientRequestToken?: string;
  stopTrigger?: { reason?: string };
  statusSummary?: string;
}

export interface CodePipelineStandinOptions {
  region?: string;
  accountId?: string;
  /** The identity StartPipelineExecution records as triggerDetail. */
  callerArn?: string;
  clock?: () => number;
}

const PIPELINE_NAME = { min: 1, max: 100, pattern: /^[A-Za-z0-9.@\-_]+$/, patternText: '[A-Za-z0-9.@\\-_]+' };
const CLIENT_TOKEN = { min: 1, max: 128, pattern: /^[a-zA-Z0-9-]+$/, patternText: '^[a-zA-Z0-9-]+$' };
const EXECUTION_ID = {
  pattern: /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
  patternText: '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}',
};
const ACTION_NAME = { min: 1, max: 100, pattern: /^[A-Za-z0-9.@\-_]+$/, patternText: '[A-Za-z0-9.@\\-_]+' };
const VARIABLE_NAME = { min: 1, max: 128, pattern: /^[A-Za-z0-9@\-_]+$/, patternText: '[A-Za-z0-9@\\-_]+' };
const REVISION_TYPES = ['COMMIT_ID', 'IMAGE_DIGEST', 'S3_OBJECT_VERSION_ID', 'S3_OBJECT_KEY'] as const;
/**
 * The revision types each source provider takes ("Start a pipeline with a source revision override",
 * CodePipeline user guide). S3_OBJECT_KEY also needs AllowOverrideForS3ObjectKey=true on the action.
 */
const REVISION_TYPES_BY_PROVIDER: Record<string, readonly string[]> = {
  CodeCommit: ['COMMIT_ID'],
  CodeStarSourceConnection: ['COMMIT_ID'],
  GitHub: ['COMMIT_ID'],
  ECR: ['IMAGE_DIGEST'],
  S3: ['S3_OBJECT_VERSION_ID', 'S3_OBJECT_KEY'],
};
/** "Pipeline history is limited to the most recent 12 months" (ListPipelineExecutions.maxResults). */
const HISTORY_MS = 365 * 24 * 3600_000;

const validation = (message: string) => new AwsJsonError('ValidationException', message);
const check = new Validator(validation);

interface Pipeline {
  name: string;
  roleArn: string;
  stages: StageDeclaration[];
  executionMode: ExecutionMode;
  pipelineType: 'V1' | 'V2';
  variables?: PipelineVariableDeclaration[];
  triggers?: PipelineTriggerDeclaration[];
  version: number;
  created: number;
  updated: number;
  sourceHeads: Record<string, string>;
  executions: Execution[];
  tokens: Map<string, string>;
}

interface Execution {
  id: string;
  seq: number;
  status: ExecutionStatus;
  queued: boolean;
  /** The stage it is in or ended in; -1 before it enters the first one. */
  stageIndex: number;
  startTime: number;
  lastUpdateTime: number;
  sourceRevisions: SourceRevision[];
  sourceOverrides: { actionName: string; revisionType: string; revisionValue: string }[];
  trigger: ExecutionTrigger;
  variables: { name: string; resolvedValue: string }[];
  pipelineVersion: number;
  executionMode: ExecutionMode;
  clientRequestToken?: string;
  stopMode?: 'stop' | 'abandon';
  stopTrigger?: { reason?: string };
  statusSummary?: string;
}

const ACTIVE: readonly ExecutionStatus[] = ['InProgress', 'Stopping'];
const seconds = (ms: number) => ms / 1000;

export class CodePipelineStandin {
  endpoint = '';
  readonly log: JsonRequestLogEntry[] = [];
  private readonly pipelines = new Map<string, Pipeline>();
  private readonly conflicts = new Map<string, number>();
  private readonly region: string;
  private readonly accountId: string;
  private readonly callerArn: string;
  private readonly clock: () => number;
  private readonly server: Server;
  private seq = 0;

  private constructor(opts: CodePipelineStandinOptions) {
    this.region = opts.region ?? 'eu-west-1';
    this.accountId = opts.accountId ?? '123456789012';
    this.callerArn = opts.callerArn ?? `arn:aws:sts::${this.accountId}:assumed-role/lci-ci/lci`;
    this.clock = opts.clock ?? Date.now;
    this.server = createJsonServer({
      target: 'CodePipeline_20150709',
      contentType: 'application/x-amz-json-1.1',
      log: this.log,
      handle: (operation, input) => this.dispatch(operation, input),
    });
  }

  static async start(opts: CodePipelineStandinOptions = {}): Promise<CodePipelineStandin> {
    const standin = new CodePipelineStandin(opts);
    standin.endpoint = await listenLocal(standin.server);
    return standin;
  }

  async close(): Promise<void> {
    await closeServer(this.server);
  }

  // --- test controls

  clearLog(): void {
    this.log.length = 0;
  }

  seedPipeline(seed: SeedPipeline): void {
    const now = this.clock();
    const pipelineType = seed.pipelineType ?? 'V2';
    const stages = structuredClone(seed.stages ?? this.defaultStages(seed.name));
    const sourceHeads: Record<string, string> = {};
    for (const action of sourceActions(stages)) {
      sourceHeads[action.name!] =
        seed.sourceHeads?.[action.name!] ?? fakeRevision(action, `${seed.name}/${action.name}`);
    }
    const firstSource = sourceActions(stages)[0];
    const defaultTriggers: PipelineTriggerDeclaration[] | undefined =
      pipelineType === 'V2' && firstSource?.actionTypeId?.provider === 'CodeStarSourceConnection'
        ? [
            {
              providerType: 'CodeStarSourceConnection',
              gitConfiguration: { sourceActionName: firstSource.name, push: [{ branches: { includes: ['main'] } }] },
            },
          ]
        : undefined;
    this.pipelines.set(seed.name, {
      name: seed.name,
      roleArn:
        seed.roleArn ??
        `arn:aws:iam::${this.accountId}:role/service-role/AWSCodePipelineServiceRole-${this.region}-${seed.name}`,
      stages,
      executionMode: seed.executionMode ?? 'SUPERSEDED',
      pipelineType,
      variables: seed.variables,
      triggers: seed.triggers ?? defaultTriggers,
      version: seed.version ?? 1,
      created: seed.created?.getTime() ?? now,
      updated: seed.updated?.getTime() ?? seed.created?.getTime() ?? now,
      sourceHeads,
      executions: [],
      tokens: new Map(),
    });
  }

  /** What a source action would fetch from now on (a new commit pushed, an image pushed). */
  setSourceHead(pipelineName: string, actionName: string, revision: string): void {
    this.mustPipeline(pipelineName).sourceHeads[actionName] = revision;
  }

  /** Adds an execution as it is, whatever the execution mode; returns its id. */
  seedExecution(pipelineName: string, seed: SeedExecution): string {
    const p = this.mustPipeline(pipelineName);
    const startTime = seed.startTime?.getTime() ?? this.clock();
    const stageIndex =
      seed.stage !== undefined ? this.stageIndex(p, seed.stage) : seed.status === 'Succeeded' ? p.stages.length - 1 : 0;
    const execution: Execution = {
      id: randomUUID(),
      seq: ++this.seq,
      status: seed.status,
      queued: false,
      stageIndex,
      startTime,
      lastUpdateTime: seed.lastUpdateTime?.getTime() ?? startTime,
      sourceRevisions: seed.sourceRevisions ?? this.currentRevisions(p, []),
      sourceOverrides: [],
      trigger: seed.trigger ?? { triggerType: 'StartPipelineExecution', triggerDetail: this.callerArn },
      variables: seed.variables ?? this.resolveVariables(p, []),
      pipelineVersion: p.version,
      executionMode: p.executionMode,
      statusSummary: seed.statusSummary,
    };
    p.executions.push(execution);
    return execution.id;
  }

  /**
   * Moves an execution: Succeeded puts it at the last stage; `stage` puts it elsewhere. When an
   * execution of a QUEUED pipeline ends, the next queued one enters the first stage.
   */
  setExecutionStatus(
    pipelineName: string,
    executionId: string,
    status: ExecutionStatus,
    opts: { stage?: string; statusSummary?: string } = {},
  ): void {
    const p = this.mustPipeline(pipelineName);
    const e = p.executions.find((x) => x.id === executionId);
    if (!e) throw new Error(`no execution ${executionId} in ${pipelineName}`);
    e.status = status;
    e.lastUpdateTime = this.clock();
    if (opts.statusSummary !== undefined) e.statusSummary = opts.statusSummary;
    if (opts.stage !== undefined) e.stageIndex = this.stageIndex(p, opts.stage);
    else if (status === 'Succeeded') e.stageIndex = p.stages.length - 1;
    if (status !== 'InProgress') e.queued = false;
    this.dequeue(p);
  }

  /** The pipeline's executions, newest first. */
  executions(pipelineName: string): ExecutionState[] {
    const p = this.mustPipeline(pipelineName);
    return this.newestFirst(p).map((e) => ({
      pipelineExecutionId: e.id,
      status: e.status,
      queued: e.queued,
      stage: p.stages[e.stageIndex]?.name,
      startTime: new Date(e.startTime),
      lastUpdateTime: new Date(e.lastUpdateTime),
      sourceRevisions: structuredClone(e.sourceRevisions),
      sourceOverrides: structuredClone(e.sourceOverrides),
      trigger: { ...e.trigger },
      variables: structuredClone(e.variables),
      clientRequestToken: e.clientRequestToken,
      stopTrigger: e.stopTrigger,
      statusSummary: e.statusSummary,
    }));
  }

  /** The next `times` requests of the operation answer ConflictException ("the pipeline is busy"). */
  conflictNext(operation: 'StartPipelineExecution' | 'StopPipelineExecution', times = 1): void {
    this.conflicts.set(operation, times);
  }

  // --- HTTP

  private dispatch(operation: string, input: JsonInput): unknown {
    const conflicts = this.conflicts.get(operation) ?? 0;
    if (conflicts > 0) {
      this.conflicts.set(operation, conflicts - 1);
      // The model's text for ConflictException, which is HTTP 409 (httpError trait in the SDK schema).
      throw new AwsJsonError(
        'ConflictException',
        'Your request cannot be handled because the pipeline is busy handling ongoing activities. Try again later.',
        409,
      );
    }
    switch (operation) {
      case 'ListPipelines':
        return this.listPipelines(input);
      case 'GetPipeline':
        return this.getPipeline(input);
      case 'GetPipelineState':
        return this.getPipelineState(input);
      case 'ListPipelineExecutions':
        return this.listPipelineExecutions(input);
      case 'GetPipelineExecution':
        return this.getPipelineExecution(input);
      case 'StartPipelineExecution':
        return this.startPipelineExecution(input);
      case 'StopPipelineExecution':
        return this.stopPipelineExecution(input);
      default:
        throw new AwsJsonError('UnknownOperationException', `The stand-in does not implement ${operation}`);
    }
  }

  // --- operations

  private listPipelines(input: JsonInput): unknown {
    check.integer(input.maxResults, 'maxResults', 1, 1000);
    const all = [...this.pipelines.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const { items, nextToken } = page(all, input.nextToken, (input.maxResults as number | undefined) ?? 100);
    return {
      pipelines: items.map((p) => ({
        name: p.name,
        version: p.version,
        pipelineType: p.pipelineType,
        executionMode: p.executionMode,
        created: seconds(p.created),
        updated: seconds(p.updated),
      })),
      ...(nextToken ? { nextToken } : {}),
    };
  }

  private getPipeline(input: JsonInput): unknown {
    check.required(input.name, 'name');
    check.string(input.name, 'name', PIPELINE_NAME);
    check.integer(input.version, 'version', 1, Number.MAX_SAFE_INTEGER);
    const p = this.pipeline(input.name as string);
    // Only the current declaration is kept. For versions it no longer has, AWS answers
    // PipelineNotFoundException rather than the modeled PipelineVersionNotFoundException
    // (aws/aws-sdk#558, acknowledged by the service team); the stand-in does the same for any other version.
    if (input.version !== undefined && input.version !== p.version) throw this.notFound(p.name);
    return {
      pipeline: {
        name: p.name,
        roleArn: p.roleArn,
        artifactStore: { type: 'S3', location: `codepipeline-${this.region}-${this.accountId}` },
        stages: structuredClone(p.stages),
        version: p.version,
        executionMode: p.executionMode,
        pipelineType: p.pipelineType,
        ...(p.variables ? { variables: structuredClone(p.variables) } : {}),
        ...(p.triggers ? { triggers: structuredClone(p.triggers) } : {}),
      },
      metadata: { pipelineArn: this.pipelineArn(p.name), created: seconds(p.created), updated: seconds(p.updated) },
    };
  }

  private getPipelineState(input: JsonInput): unknown {
    check.required(input.name, 'name');
    check.string(input.name, 'name', PIPELINE_NAME);
    const p = this.pipeline(input.name as string);
    const started = this.newestFirst(p).filter((e) => !e.queued);
    const waiting = p.executions.filter((e) => e.queued);
    return {
      pipelineName: p.name,
      pipelineVersion: p.version,
      stageStates: p.stages.map((stage, i) => {
        const latest = started.find((e) => e.stageIndex >= i);
        const inbound = i === 0 ? waiting.map((e) => ({ pipelineExecutionId: e.id, status: 'InProgress' })) : [];
        return {
          stageName: stage.name,
          ...(inbound.length > 0 ? { inboundExecution: inbound[0], inboundExecutions: inbound } : {}),
          ...(i > 0 ? { inboundTransitionState: { enabled: true } } : {}),
          actionStates: (stage.actions ?? []).map((action) =>
            this.actionState(p, action, latest, latest && stageStatus(latest, i)),
          ),
          ...(latest
            ? { latestExecution: { pipelineExecutionId: latest.id, status: stageStatus(latest, i), type: 'STANDARD' } }
            : {}),
        };
      }),
      created: seconds(p.created),
      updated: seconds(p.updated),
    };
  }

  private listPipelineExecutions(input: JsonInput): unknown {
    check.required(input.pipelineName, 'pipelineName');
    check.string(input.pipelineName, 'pipelineName', PIPELINE_NAME);
    check.integer(input.maxResults, 'maxResults', 1, 100);
    const p = this.pipeline(input.pipelineName as string);
    const succeededIn = (input.filter as { succeededInStage?: { stageName?: string } } | undefined)?.succeededInStage
      ?.stageName;
    const stage = succeededIn === undefined ? -1 : p.stages.findIndex((s) => s.name === succeededIn);
    const since = this.clock() - HISTORY_MS;
    const executions = this.newestFirst(p).filter(
      (e) =>
        e.startTime >= since &&
        (succeededIn === undefined || (stage >= 0 && !e.queued && stageStatus(e, stage) === 'Succeeded')),
    );
    const { items, nextToken } = page(executions, input.nextToken, (input.maxResults as number | undefined) ?? 100);
    return { pipelineExecutionSummaries: items.map((e) => this.summary(e)), ...(nextToken ? { nextToken } : {}) };
  }

  private getPipelineExecution(input: JsonInput): unknown {
    check.required(input.pipelineName, 'pipelineName');
    check.required(input.pipelineExecutionId, 'pipelineExecutionId');
    check.string(input.pipelineName, 'pipelineName', PIPELINE_NAME);
    check.string(input.pipelineExecutionId, 'pipelineExecutionId', EXECUTION_ID);
    const p = this.pipeline(input.pipelineName as string);
    const e = this.execution(p, input.pipelineExecutionId as string);
    return {
      pipelineExecution: {
        pipelineName: p.name,
        pipelineVersion: e.pipelineVersion,
        pipelineExecutionId: e.id,
        status: e.status,
        ...(e.statusSummary !== undefined ? { statusSummary: e.statusSummary } : {}),
        artifactRevisions: this.artifactRevisions(p, e),
        variables: structuredClone(e.variables),
        trigger: e.trigger,
        executionMode: e.executionMode,
        executionType: 'STANDARD',
      },
    };
  }

  private startPipelineExecution(input: JsonInput): unknown {
    check.required(input.name, 'name');
    check.string(input.name, 'name', PIPELINE_NAME);
    check.string(input.clientRequestToken, 'clientRequestToken', CLIENT_TOKEN);
    check.list(input.variables, 'variables', 1, 50);
    check.list(input.sourceRevisions, 'sourceRevisions', 0, 50);
    const variables = (input.variables as { name?: string; value?: string }[] | undefined) ?? [];
    variables.forEach((v, i) => {
      check.required(v.name, `variables.${i + 1}.member.name`);
      check.required(v.value, `variables.${i + 1}.member.value`);
      check.string(v.name, `variables.${i + 1}.member.name`, VARIABLE_NAME);
      // "the values can be anything except an empty string" (StartPipelineExecution.variables)
      check.string(v.value, `variables.${i + 1}.member.value`, { min: 1, max: 1000 });
    });
    const overrides =
      (input.sourceRevisions as { actionName?: string; revisionType?: string; revisionValue?: string }[] | undefined) ??
      [];
    overrides.forEach((o, i) => {
      const at = `sourceRevisions.${i + 1}.member`;
      check.required(o.actionName, `${at}.actionName`);
      check.required(o.revisionType, `${at}.revisionType`);
      check.required(o.revisionValue, `${at}.revisionValue`);
      check.string(o.actionName, `${at}.actionName`, ACTION_NAME);
      check.oneOf(o.revisionType, `${at}.revisionType`, REVISION_TYPES);
      check.string(o.revisionValue, `${at}.revisionValue`, { min: 1, max: 1500 });
    });
    const p = this.pipeline(input.name as string);
    const token = input.clientRequestToken as string | undefined;
    const earlier = token === undefined ? undefined : p.tokens.get(token);
    if (earlier) return { pipelineExecutionId: earlier };

    const checkedOverrides = this.checkOverrides(
      p,
      overrides as { actionName: string; revisionType: string; revisionValue: string }[],
    );
    const resolved = this.resolveVariables(p, variables as { name: string; value: string }[]);
    const now = this.clock();
    // QUEUED: "Executions are processed one by one in the order that they are queued."
    const queued = p.executionMode === 'QUEUED' && p.executions.some((e) => ACTIVE.includes(e.status));
    const execution: Execution = {
      id: randomUUID(),
      seq: ++this.seq,
      status: 'InProgress',
      queued,
      stageIndex: queued ? -1 : 0,
      startTime: now,
      lastUpdateTime: now,
      sourceRevisions: this.currentRevisions(p, checkedOverrides),
      sourceOverrides: checkedOverrides,
      trigger: { triggerType: 'StartPipelineExecution', triggerDetail: this.callerArn },
      variables: resolved,
      pipelineVersion: p.version,
      executionMode: p.executionMode,
      clientRequestToken: token,
    };
    p.executions.push(execution);
    if (token !== undefined) p.tokens.set(token, execution.id);
    return { pipelineExecutionId: execution.id };
  }

  private stopPipelineExecution(input: JsonInput): unknown {
    check.required(input.pipelineName, 'pipelineName');
    check.required(input.pipelineExecutionId, 'pipelineExecutionId');
    check.string(input.pipelineName, 'pipelineName', PIPELINE_NAME);
    check.string(input.pipelineExecutionId, 'pipelineExecutionId', EXECUTION_ID);
    check.string(input.reason, 'reason', { max: 200 });
    const p = this.pipeline(input.pipelineName as string);
    const e = this.execution(p, input.pipelineExecutionId as string);
    const abandon = input.abandon === true;
    const reason = input.reason as string | undefined;
    if (e.status === 'Stopping') {
      // DuplicatedStopRequestException: stopping again the same way, or anything after abandon; a
      // stop-and-wait can still be turned into an abandon (API reference, DuplicatedStopRequestException).
      if (e.stopMode === 'abandon' || !abandon) {
        throw new AwsJsonError(
          'DuplicatedStopRequestException',
          `Execution '${e.id}' is already being stopped${e.stopMode === 'abandon' ? ' by abandoning its actions' : ''}.`,
        );
      }
    } else if (e.status !== 'InProgress') {
      throw new AwsJsonError(
        'PipelineExecutionNotStoppableException',
        `Execution '${e.id}' of pipeline '${p.name}' is ${e.status} and can no longer be stopped.`,
      );
    }
    e.stopMode = abandon ? 'abandon' : 'stop';
    e.stopTrigger = reason !== undefined ? { reason } : {};
    e.lastUpdateTime = this.clock();
    // A queued execution has nothing in progress to finish or abandon.
    e.status = e.queued ? 'Stopped' : 'Stopping';
    e.queued = false;
    return { pipelineExecutionId: e.id };
  }

  // --- model

  private pipeline(name: string): Pipeline {
    const p = this.pipelines.get(name);
    if (!p) throw this.notFound(name);
    return p;
  }

  private mustPipeline(name: string): Pipeline {
    const p = this.pipelines.get(name);
    if (!p) throw new Error(`no pipeline ${name}`);
    return p;
  }

  private notFound(name: string): AwsJsonError {
    return new AwsJsonError(
      'PipelineNotFoundException',
      `Account '${this.accountId}' does not have a pipeline with name '${name}'`,
    );
  }

  private execution(p: Pipeline, id: string): Execution {
    const e = p.executions.find((x) => x.id === id);
    if (!e)
      throw new AwsJsonError(
        'PipelineExecutionNotFoundException',
        `Pipeline execution with ID '${id}' does not exist for pipeline '${p.name}'.`,
      );
    return e;
  }

  private stageIndex(p: Pipeline, stage: string): number {
    const i = p.stages.findIndex((s) => s.name === stage);
    if (i < 0) throw new Error(`no stage ${stage} in ${p.name}`);
    return i;
  }

  private newestFirst(p: Pipeline): Execution[] {
    return [...p.executions].sort((a, b) => b.startTime - a.startTime || b.seq - a.seq);
  }

  /** QUEUED mode: when nothing is active any more, the oldest queued execution enters the first stage. */
  private dequeue(p: Pipeline): void {
    if (p.executionMode !== 'QUEUED') return;
    if (p.executions.some((e) => !e.queued && ACTIVE.includes(e.status))) return;
    const next = p.executions.filter((e) => e.queued).sort((a, b) => a.seq - b.seq)[0];
    if (!next) return;
    next.queued = false;
    next.stageIndex = 0;
    next.lastUpdateTime = this.clock();
  }

  /** The overrides, checked against the pipeline's source actions as the user guide describes them. */
  private checkOverrides(
    p: Pipeline,
    overrides: { actionName: string; revisionType: string; revisionValue: string }[],
  ) {
    const seen = new Set<string>();
    for (const o of overrides) {
      const action = sourceActions(p.stages).find((a) => a.name === o.actionName);
      if (!action) throw validation(`Action '${o.actionName}' is not a source action of pipeline '${p.name}'.`);
      const provider = action.actionTypeId?.provider ?? '';
      const allowed = REVISION_TYPES_BY_PROVIDER[provider] ?? [];
      if (!allowed.includes(o.revisionType)) {
        throw validation(
          `Revision type ${o.revisionType} is not supported for source action '${o.actionName}' (provider ${provider}).`,
        );
      }
      if (o.revisionType === 'S3_OBJECT_KEY' && action.configuration?.AllowOverrideForS3ObjectKey !== 'true') {
        throw validation(
          `Source action '${o.actionName}' must set AllowOverrideForS3ObjectKey to true to override S3_OBJECT_KEY.`,
        );
      }
      const key = `${o.actionName}/${o.revisionType}`;
      if (seen.has(key))
        throw validation(`More than one ${o.revisionType} override for source action '${o.actionName}'.`);
      seen.add(key);
    }
    return overrides.map((o) => ({ ...o }));
  }

  private resolveVariables(
    p: Pipeline,
    given: { name: string; value: string }[],
  ): { name: string; resolvedValue: string }[] {
    const declared = p.variables ?? [];
    for (const v of given) {
      if (!declared.some((d) => d.name === v.name))
        throw validation(`Variable '${v.name}' is not declared in pipeline '${p.name}'.`);
    }
    return declared.flatMap((d) => {
      const value = given.find((v) => v.name === d.name)?.value ?? d.defaultValue;
      return value === undefined ? [] : [{ name: d.name!, resolvedValue: value }];
    });
  }

  /** One SourceRevision per source action: the override when given, else what the source holds now. */
  private currentRevisions(
    p: Pipeline,
    overrides: { actionName: string; revisionType: string; revisionValue: string }[],
  ): SourceRevision[] {
    return sourceActions(p.stages).map((action) => {
      const name = action.name!;
      const mine = overrides.filter((o) => o.actionName === name);
      const pinned = mine.find((o) => o.revisionType !== 'S3_OBJECT_KEY') ?? mine[0];
      const revisionId = pinned?.revisionValue ?? p.sourceHeads[name]!;
      const url = this.revisionUrl(action, revisionId);
      return { actionName: name, revisionId, ...(url ? { revisionUrl: url } : {}) };
    });
  }

  private revisionUrl(action: ActionDeclaration, revision: string): string | undefined {
    const c = action.configuration ?? {};
    if (action.actionTypeId?.provider !== 'CodeStarSourceConnection' || !c.ConnectionArn) return undefined;
    const q = new URLSearchParams({
      connectionArn: c.ConnectionArn,
      referenceType: 'COMMIT',
      FullRepositoryId: c.FullRepositoryId ?? '',
      Commit: revision,
    });
    return `https://${this.region}.console.aws.amazon.com/codesuite/settings/connections/redirect?${q}`;
  }

  private artifactRevisions(p: Pipeline, e: Execution) {
    return sourceActions(p.stages).flatMap((action) => {
      const revision = e.sourceRevisions.find((r) => r.actionName === action.name);
      if (!revision) return [];
      return (action.outputArtifacts ?? []).map((artifact) => ({
        name: artifact.name,
        revisionId: revision.revisionId,
        ...(revision.revisionSummary ? { revisionSummary: revision.revisionSummary } : {}),
        ...(revision.revisionUrl ? { revisionUrl: revision.revisionUrl } : {}),
        created: seconds(e.startTime),
      }));
    });
  }

  private actionState(p: Pipeline, action: ActionDeclaration, e: Execution | undefined, stage: string | undefined) {
    const out: Record<string, unknown> = { actionName: action.name };
    if (!e || !stage) return out;
    // Stop and wait lets running actions finish; abandon and a cancelled run leave them Abandoned.
    const finishedByStop = stage === 'Stopped' && e.stopMode !== 'abandon';
    const status =
      stage === 'Succeeded' || finishedByStop
        ? 'Succeeded'
        : stage === 'Failed'
          ? 'Failed'
          : stage === 'InProgress' || stage === 'Stopping'
            ? 'InProgress'
            : 'Abandoned';
    const actionExecutionId = uuidFrom(`${e.id}/${action.name}`);
    const provider = action.actionTypeId?.provider;
    out.latestExecution = {
      actionExecutionId,
      status,
      lastStatusChange: seconds(e.lastUpdateTime),
      ...(provider === 'CodeBuild'
        ? { externalExecutionId: `${action.configuration?.ProjectName ?? p.name}:${actionExecutionId}` }
        : {}),
    };
    const revision = e.sourceRevisions.find((r) => r.actionName === action.name);
    if (action.actionTypeId?.category === 'Source' && revision) {
      out.currentRevision = {
        revisionId: revision.revisionId,
        revisionChangeId: revision.revisionId,
        created: seconds(e.startTime),
      };
      if (revision.revisionUrl) out.revisionUrl = revision.revisionUrl;
    }
    return out;
  }

  private summary(e: Execution) {
    return {
      pipelineExecutionId: e.id,
      status: e.status,
      ...(e.statusSummary !== undefined ? { statusSummary: e.statusSummary } : {}),
      startTime: seconds(e.startTime),
      lastUpdateTime: seconds(e.lastUpdateTime),
      sourceRevisions: structuredClone(e.sourceRevisions),
      trigger: e.trigger,
      ...(e.stopTrigger ? { stopTrigger: e.stopTrigger } : {}),
      executionMode: e.executionMode,
      executionType: 'STANDARD',
    };
  }

  private pipelineArn(name: string): string {
    return `arn:aws:codepipeline:${this.region}:${this.accountId}:${name}`;
  }

  private defaultStages(name: string): StageDeclaration[] {
    return [
      {
        name: 'Source',
        actions: [
          {
            name: 'Source',
            actionTypeId: { category: 'Source', owner: 'AWS', provider: 'CodeStarSourceConnection', version: '1' },
            runOrder: 1,
            configuration: {
              ConnectionArn: `arn:aws:codeconnections:${this.region}:${this.accountId}:connection/3b8c3a9e-8d35-4f0e-9d43-6b1f3c6d2a10`,
              FullRepositoryId: `acme/${name}`,
              BranchName: 'main',
              OutputArtifactFormat: 'CODE_ZIP',
            },
            outputArtifacts: [{ name: 'SourceArtifact' }],
            inputArtifacts: [],
            region: this.region,
            namespace: 'SourceVariables',
          },
        ],
      },
      {
        name: 'Build',
        actions: [
          {
            name: 'Build',
            actionTypeId: { category: 'Build', owner: 'AWS', provider: 'CodeBuild', version: '1' },
            runOrder: 1,
            configuration: { ProjectName: name },
            outputArtifacts: [{ name: 'BuildArtifact' }],
            inputArtifacts: [{ name: 'SourceArtifact' }],
            region: this.region,
            namespace: 'BuildVariables',
          },
        ],
      },
    ];
  }
}

// ---------------------------------------------------------------------------------------------

function sourceActions(stages: StageDeclaration[]): ActionDeclaration[] {
  return stages.flatMap((s) => s.actions ?? []).filter((a) => a.actionTypeId?.category === 'Source');
}

/** A stage's status for an execution that reached it: the stages it has left are Succeeded. */
function stageStatus(e: Execution, stage: number): string {
  if (e.stageIndex > stage) return 'Succeeded';
  // A superseded execution was waiting after finishing its stage when a newer one overtook it.
  if (e.status === 'Superseded') return 'Succeeded';
  return e.status;
}

function fakeRevision(action: ActionDeclaration, seed: string): string {
  const hash = createHash('sha256').update(seed).digest('hex');
  switch (action.actionTypeId?.provider) {
    case 'ECR':
      return `sha256:${hash}`;
    case 'S3':
      return hash.slice(0, 32);
    default:
      return hash.slice(0, 40);
  }
}

function uuidFrom(seed: string): string {
  const h = createHash('sha256').update(seed).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

function page<T>(all: T[], token: unknown, max: number): { items: T[]; nextToken?: string } {
  let offset = 0;
  if (token !== undefined) {
    const decoded =
      typeof token === 'string'
        ? decodeToken(token, (v): v is { offset: number } => typeof (v as { offset?: unknown })?.offset === 'number')
        : undefined;
    if (!decoded) {
      // The model's text for InvalidNextTokenException.
      throw new AwsJsonError(
        'InvalidNextTokenException',
        'The next token was specified in an invalid format. Make sure that the next token you provide is the token returned by a previous call.',
      );
    }
    offset = decoded.offset;
  }
  const items = all.slice(offset, offset + max);
  return { items, ...(offset + max < all.length ? { nextToken: encodeToken({ offset: offset + max }) } : {}) };
}
