import { randomUUID } from 'node:crypto';
import { readdir, rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type Docker from 'dockerode';
import { LABEL } from './docker.js';

/**
 * What a run leaves when it is killed outright (SIGKILL, a lost CI machine): its build containers
 * (still running, or exited) and its scratch directories `.lci/tmp/<key>-<pid>`. Every container
 * carries the project, the host, the process id and the run id, so the next run on the same
 * host removes exactly what runs whose process is gone left behind, and nothing of a run that
 * still works in the same project.
 */

/** This process's run: a pid can come back after a reboot or in another container, a run id does not. */
export const RUN_ID = randomUUID();

export const OWNER_LABELS = {
  project: `${LABEL}.project`,
  host: `${LABEL}.host`,
  pid: `${LABEL}.pid`,
  run: `${LABEL}.run`,
} as const;

export function ownerLabels(stateDir: string): Record<string, string> {
  return {
    [LABEL]: 'true',
    [OWNER_LABELS.project]: stateDir,
    [OWNER_LABELS.host]: hostname(),
    [OWNER_LABELS.pid]: String(process.pid),
    [OWNER_LABELS.run]: RUN_ID,
  };
}

export interface Owner {
  pid: number;
  run?: string;
}

/**
 * Pure: a container or directory is left over when its run's process is gone. Its pid being this
 * process's pid means gone too, unless the run id says it is this very run (a pid is reused).
 */
export function isLeftover(owner: Owner, self: { pid: number; run: string }, alive: (pid: number) => boolean): boolean {
  if (!Number.isSafeInteger(owner.pid) || owner.pid <= 0) return false; // not lci's, or written by hand: leave it
  if (owner.pid === self.pid) return owner.run !== self.run;
  return !alive(owner.pid);
}

/** Signal 0 checks that the process exists; EPERM means it does, as another user. */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const SELF = { pid: process.pid, run: RUN_ID };

/**
 * Removes `.lci/tmp/<key>-<pid>` directories of processes that are gone. Called before this run
 * builds anything, so a directory with this process's pid is an earlier run's too (no run id in
 * the name: `run` is left unset, which never matches this run).
 */
export async function removeLeftoverDirs(stateDir: string): Promise<number> {
  const tmp = join(stateDir, 'tmp');
  const names = await readdir(tmp).catch(() => [] as string[]);
  let removed = 0;
  for (const name of names) {
    const pid = Number(/-(\d+)$/.exec(name)?.[1]);
    if (!isLeftover({ pid }, SELF, processAlive)) continue;
    await rm(join(tmp, name), { recursive: true, force: true });
    removed++;
  }
  return removed;
}

/** Removes this project's build containers on this host whose run's process is gone. */
export async function removeLeftoverContainers(docker: Docker, stateDir: string): Promise<number> {
  const containers = await docker.listContainers({
    all: true,
    filters: { label: [`${OWNER_LABELS.project}=${stateDir}`, `${OWNER_LABELS.host}=${hostname()}`] },
  });
  const leftovers = containers.filter((c) =>
    isLeftover({ pid: Number(c.Labels[OWNER_LABELS.pid]), run: c.Labels[OWNER_LABELS.run] }, SELF, processAlive),
  );
  await Promise.all(
    leftovers.map((c) =>
      docker
        .getContainer(c.Id)
        .remove({ force: true })
        .catch(() => {}),
    ),
  );
  return leftovers.length;
}
