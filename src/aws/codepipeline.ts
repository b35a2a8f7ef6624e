import type { CodePipelineClient, PipelineExecutionSummary } from '@aws-sdk/client-codepipeline';
import { PipelineError } from '../errors.js';
import { codePipelineSdk } from './sdk.js';

/**
 * CodePipeline reads and the one write lci makes (lci pipelines), with errors in words. The SDK
 * module is imported lazily, as the client is (src/aws/clients.ts).
 */

export interface ExecutionInfo {
  id: string;
  /** CodePipeline's status: InProgress, Succeeded, Failed, Stopped, Stopping, Superseded, Cancelled. */
  status: string;
  /** The source action's revision (a commit id), if CodePipeline reported one. */
  revision: string | null;
  /** StartPipelineExecution, Webhook, CloudWatchEvent, CreatePipeline, ... */
  trigger: string | null;
  startTime: Date | null;
}

export interface PipelineHistory {
  exists: boolean;
  latest: ExecutionInfo | null;
  /** The newest execution that succeeded, within the pages read. */
  lastSucceeded: ExecutionInfo | null;
}

const PAGE = 25;
const MAX_PAGES = 4; // 100 executions: beyond that, a pipeline has not succeeded for a long while

/** The pipeline's latest execution and its last successful one; exists=false when there is no such pipeline. */
export async function pipelineHistory(client: CodePipelineClient, name: string): Promise<PipelineHistory> {
  const { ListPipelineExecutionsCommand } = codePipelineSdk();
  let latest: ExecutionInfo | null = null;
  let nextToken: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    let out: { pipelineExecutionSummaries?: PipelineExecutionSummary[]; nextToken?: string };
    try {
      out = await client.send(new ListPipelineExecutionsCommand({ pipelineName: name, maxResults: PAGE, nextToken }));
    } catch (e) {
      if ((e as Error).name === 'PipelineNotFoundException')
        return { exists: false, latest: null, lastSucceeded: null };
      throw new PipelineError(`ListPipelineExecutions ${name}: ${(e as Error).message}`);
    }
    const executions = (out.pipelineExecutionSummaries ?? []).map(info);
    latest ??= executions[0] ?? null;
    const succeeded = executions.find((x) => x.status === 'Succeeded');
    if (succeeded) return { exists: true, latest, lastSucceeded: succeeded };
    if (!out.nextToken) break;
    nextToken = out.nextToken;
  }
  return { exists: true, latest, lastSucceeded: null };
}

/** StartPipelineExecution with the source action pinned to a commit (source revision override). */
export async function startAtCommit(
  client: CodePipelineClient,
  name: string,
  sourceAction: string,
  commit: string,
): Promise<string> {
  const { StartPipelineExecutionCommand } = codePipelineSdk();
  try {
    const out = await client.send(
      new StartPipelineExecutionCommand({
        name,
        sourceRevisions: [{ actionName: sourceAction, revisionType: 'COMMIT_ID', revisionValue: commit }],
      }),
    );
    return out.pipelineExecutionId!;
  } catch (e) {
    const err = e as Error;
    if (err.name === 'PipelineNotFoundException')
      throw new PipelineError(`pipeline ${name} does not exist: apply the Terraform lci generate wrote`);
    if (err.name === 'ConflictException') throw new PipelineError(`pipeline ${name} is busy: ${err.message}`);
    throw new PipelineError(`StartPipelineExecution ${name}: ${err.message}`);
  }
}

function info(s: PipelineExecutionSummary): ExecutionInfo {
  return {
    id: s.pipelineExecutionId ?? '',
    status: s.status ?? 'Unknown',
    revision: s.sourceRevisions?.[0]?.revisionId ?? null,
    trigger: s.trigger?.triggerType ?? null,
    startTime: s.startTime ?? null,
  };
}

/** The execution's page in the CodePipeline console. */
export function executionUrl(region: string, pipeline: string, executionId: string): string {
  return `https://${region}.console.aws.amazon.com/codesuite/codepipeline/pipelines/${encodeURIComponent(pipeline)}/executions/${executionId}/timeline?region=${region}`;
}
