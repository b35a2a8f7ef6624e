import type { BuildNetwork } from '../config/types.js';

/**
 * A package index the build container cannot reach, told from what pip and npm print, so a build
 * that fails for it says so in one line with the fix instead of ending in a log tail (or, with
 * their own retry settings, at build.timeout). Pure but for the line buffer.
 */

export type IndexTool = 'pip' | 'npm';

export interface Unreachable {
  tool: IndexTool;
  /** The tool's own words: what it asked for and why it failed. */
  what: string;
}

/** Errors that mean no connection was made (name resolution, routing, refusal, a connect timeout), as Python and Node word them. */
const PIP_REASON =
  /(Temporary failure in name resolution|Name or service not known|No address associated with hostname|Network is unreachable|No route to host|Connection refused|Connection to \S+ timed out\.?(?: \(connect timeout=[\d.]+\))?|Cannot connect to proxy)/;
const NODE_REASON = /\b(EAI_AGAIN|ENOTFOUND|ECONNREFUSED|ETIMEDOUT|ENETUNREACH|EHOSTUNREACH|ECONNRESET)\b/;

/**
 * What a line of a build log says about an index the build could not reach, or null. pip (with
 * at least one retry) logs `WARNING: Retrying (…) after connection broken by 'NewConnectionError(…:
 * [Errno -3] Temporary failure in name resolution')': /simple/requests/`; npm (6 to 10) logs
 * `npm ERR! request to https://registry.npmjs.org/x failed, reason: getaddrinfo EAI_AGAIN …` or
 * `npm error network request to … failed, reason: connect ETIMEDOUT …`, and `network timeout at: URL`.
 */
export function unreachableIndex(line: string): Unreachable | null {
  const retried = /after connection broken by '(.*)': (\S+)\s*$/.exec(line);
  if (retried) {
    const reason = PIP_REASON.exec(retried[1]!);
    return reason ? { tool: 'pip', what: `${retried[2]}: ${reason[1]}` } : null;
  }
  const pool = /HTTPS?ConnectionPool\(host='([^']+)'.*Max retries exceeded with url: (\S+)/.exec(line);
  if (pool) {
    const reason = PIP_REASON.exec(line);
    return reason ? { tool: 'pip', what: `${pool[1]}${pool[2]}: ${reason[1]}` } : null;
  }
  const npm = /^npm (?:ERR!|error) (?:network )?(.*)$/.exec(line.trim());
  if (npm) {
    const text = npm[1]!;
    const request = /^request to (\S+) failed, reason: (.+)$/.exec(text);
    if (request && NODE_REASON.test(request[2]!)) return { tool: 'npm', what: `${request[1]}: ${request[2]}` };
    const timeout = /(?:network timeout at:|Response timeout while trying to fetch) (\S+)/.exec(line);
    if (timeout) return { tool: 'npm', what: `${timeout[1]}: timed out` };
  }
  return null;
}

/** The longest line looked at: index errors are short; a longer line is dropped, not buffered without end. */
const MAX_LINE = 64 * 1024;

/** Watches a build's output as it streams and keeps the first line that says an index was not reached. */
export class IndexReach {
  private partial = '';
  private first: Unreachable | null = null;

  push(chunk: Buffer): void {
    if (this.first) return;
    const lines = (this.partial + chunk.toString('utf8')).split(/\r?\n/);
    this.partial = lines.pop() ?? '';
    if (this.partial.length > MAX_LINE) this.partial = '';
    for (const line of lines) {
      if (line.length > MAX_LINE) continue;
      this.first = unreachableIndex(line);
      if (this.first) return;
    }
  }

  found(): Unreachable | null {
    return this.first ?? (this.partial ? unreachableIndex(this.partial) : null);
  }
}

/** The one line a build that could not reach its index fails with: why, and how to build without it. */
export function unreachableMessage(what: string, u: Unreachable, network: BuildNetwork, logPath: string): string {
  const why =
    network === 'none'
      ? 'build.network is none, so the build container has no network at all'
      : "the build container has no route to it (the Docker engine's network, DNS or a proxy)";
  const fix =
    u.tool === 'pip'
      ? `${network === 'none' ? 'set build.network: default, ' : ''}set PIP_INDEX_URL in build.env to an index the build can reach, or install without one: commit the wheels and name them in the requirements file (a path line, or -f DIR with --no-index)`
      : `${network === 'none' ? 'set build.network: default, ' : ''}set npm_config_registry in build.env to a registry the build can reach, or install without one: file: dependencies or committed npm pack tarballs`;
  return `${what} could not reach the package index (${u.tool}: ${u.what}): ${why}; ${fix} (full log: ${logPath})`;
}
