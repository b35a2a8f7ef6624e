import { join } from 'node:path';
import Docker from 'dockerode';
import { LABEL } from '../../src/builder/docker.js';

/** The local build image .ci/docker.sh makes (no registry is reachable here). */
export const TEST_IMAGE = process.env.LCI_TEST_IMAGE ?? 'lci-build:bookworm';

export const docker = new Docker();

/** Fails (never skips) when the engine or the image is missing: these tests need a real Docker. */
export async function requireDocker(): Promise<void> {
  try {
    await docker.ping();
  } catch (e) {
    throw new Error(`no Docker engine (${(e as Error).message}); start one with .ci/docker.sh`);
  }
  try {
    await docker.getImage(TEST_IMAGE).inspect();
  } catch {
    throw new Error(`image ${TEST_IMAGE} is missing; make it with .ci/docker.sh`);
  }
}

/**
 * The label lci puts on the build containers of the project whose config sits in `projectDir`:
 * tests count only their own project's containers, so test runs sharing an engine never see
 * each other's.
 */
export function projectLabel(projectDir: string): string {
  return `${LABEL}.project=${join(projectDir, '.lci')}`;
}

/** Containers lci created for one project between two instants, counted by the engine (its event log), not by lci. */
export async function containersCreated(projectDir: string, sinceMs: number, untilMs: number): Promise<number> {
  const stream = (await docker.getEvents({
    since: Math.floor(sinceMs / 1000),
    until: Math.ceil(untilMs / 1000) + 1,
    filters: JSON.stringify({ type: ['container'], event: ['create'], label: [projectLabel(projectDir)] }),
  })) as NodeJS.ReadableStream;
  let text = '';
  for await (const chunk of stream) text += chunk.toString();
  return text.split('\n').filter((l) => l.trim() !== '').length;
}

/** A project's build containers that still exist, running or not. */
export async function leftoverContainers(projectDir: string): Promise<number> {
  return (await docker.listContainers({ all: true, filters: { label: [projectLabel(projectDir)] } })).length;
}
