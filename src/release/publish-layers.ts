import type { LambdaClient } from '@aws-sdk/client-lambda';
import type { CodeStorage } from '../config/types.js';
import {
  deleteLayerVersion,
  explain,
  publishLayer,
  s3Code,
  s3Url,
  type LayerState,
  type Timing,
} from '../aws/lambda.js';
import { layerDescription } from '../aws/version-record.js';
import { DeployError, PlanStaleError } from '../errors.js';
import type { Artifact, FunctionPlan, SharedLayerPlan } from './plan.js';
import { findTrustedLayerVersion } from './layer-record.js';

export type SharedLayerStatus = 'INTACT' | 'PUBLISHED' | 'PLANNED' | 'FAILED';

/** What a run did with one shared layer. */
export interface SharedLayerResult {
  name: string;
  awsName: string;
  key: string | null;
  status: SharedLayerStatus;
  version: number | null;
  /** The functions of the run that attach it. */
  functions: string[];
  s3: string[];
  calls: string[];
  error?: string;
}

interface PublishRequest {
  layerName: string;
  key: string;
  artifact: Artifact;
  runtimes: string[];
  architectures: string[];
  /** A function of the plan: Lambda answers "update in progress" for it while it changes. */
  functionName: string;
}

/**
 * Publishes the layers of a plan, each content key at most once per run, and leaves one version
 * per key whatever else runs at the same time: after publishing it looks for the oldest version
 * with the key; when another shard, pipeline or laptop published first, that one is used and ours
 * deleted (unused: no function was given it). A shared layer another run already published is
 * found, not published again.
 */
export class LayerPublisher {
  private readonly running = new Map<string, Promise<LayerState>>();
  readonly results = new Map<string, SharedLayerResult>();

  constructor(
    private readonly lambda: LambdaClient,
    private readonly ctx: {
      bucket: string;
      sourceVersion: string;
      timing: Timing;
      saved: boolean;
      /** How Lambda keeps the layer versions it publishes (the environment's codeStorage). */
      codeStorage: CodeStorage;
      report: (layer: string, message: string) => void;
    },
  ) {}

  /** The exact version of a shared layer of the plan, published once per run when the plan says so. */
  shared(l: SharedLayerPlan, functionName: string): Promise<LayerState> {
    return this.once(`shared ${l.name}`, async () => {
      const result = this.result(l);
      try {
        if (l.action === 'INTACT') {
          result.version = l.version!.version;
          return { arn: l.version!.arn, version: l.version!.version, description: '' };
        }
        // Another shard of this release (or the layers step before them) may have published it.
        const found = await findTrustedLayerVersion(this.lambda, l.awsName, l.key);
        if (found) {
          result.version = found.version;
          return found;
        }
        const published = await this.publish(
          {
            layerName: l.awsName,
            key: l.key,
            artifact: l.artifact!,
            runtimes: l.runtimes,
            architectures: l.architectures,
            functionName,
          },
          (m) => this.ctx.report(l.name, m),
        );
        result.status = 'PUBLISHED';
        result.version = published.version;
        result.calls = [`PublishLayerVersion ${l.awsName}`];
        return published;
      } catch (e) {
        result.status = 'FAILED';
        result.error = (e as Error)?.message ?? String(e);
        if (e instanceof PlanStaleError) throw e;
        throw new DeployError(`shared layer ${l.name}: ${result.error}`);
      }
    });
  }

  /** The function's own dependency layer, published once per name and key per run. */
  own(plan: FunctionPlan): Promise<LayerState> {
    const d = plan.deps;
    return this.once(`own ${d.layerName} ${d.key}`, () =>
      this.publish(
        {
          layerName: d.layerName,
          key: d.key!,
          artifact: d.artifact!,
          runtimes: [d.runtime],
          architectures: [d.architecture],
          functionName: plan.awsName,
        },
        () => {},
      ),
    );
  }

  private once(id: string, run: () => Promise<LayerState>): Promise<LayerState> {
    let p = this.running.get(id);
    if (!p) {
      p = run();
      this.running.set(id, p);
    }
    return p;
  }

  private async publish(p: PublishRequest, report: (m: string) => void): Promise<LayerState> {
    report(`publishing ${p.layerName}`);
    const published = await publishLayer(
      this.lambda,
      p.functionName,
      {
        layerName: p.layerName,
        code: s3Code(this.ctx.bucket, p.artifact, this.ctx.codeStorage),
        description: layerDescription(p.key, this.ctx.sourceVersion, p.artifact.codeSha256),
        runtimes: p.runtimes,
        architectures: p.architectures,
      },
      this.ctx.timing,
    ).catch((e: unknown) => {
      throw explain(e, `publishing layer ${p.layerName}`);
    });
    if (published.codeSha256 !== p.artifact.codeSha256) {
      await deleteLayerVersion(this.lambda, p.layerName, published.version).catch(() => {});
      const message = `the layer zip ${s3Url(this.ctx.bucket, p.artifact)} has CodeSha256 ${published.codeSha256}, not ${p.artifact.codeSha256} as planned (the version published from it was deleted)`;
      throw this.ctx.saved ? new PlanStaleError(`${message}: plan again`) : new DeployError(`${message}; re-run`);
    }
    const canonical = await findTrustedLayerVersion(this.lambda, p.layerName, p.key);
    if (canonical && canonical.version !== published.version) {
      report(`${p.layerName} version ${canonical.version} has the same key: using it, deleting ${published.version}`);
      await deleteLayerVersion(this.lambda, p.layerName, published.version).catch(() => {});
      return canonical;
    }
    return published;
  }

  private result(l: SharedLayerPlan): SharedLayerResult {
    let r = this.results.get(l.name);
    if (!r) {
      r = {
        name: l.name,
        awsName: l.awsName,
        key: l.key,
        status: 'INTACT',
        version: null,
        functions: l.functions,
        s3: [],
        calls: [],
      };
      this.results.set(l.name, r);
    }
    return r;
  }
}
