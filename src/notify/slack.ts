import type { FunctionDeployResult } from '../release/result.js';

export interface SlackOutcome {
  sent: boolean;
  /** Why nothing was sent, or why sending failed; never contains the URL. */
  detail: string;
}

/** Posts the deploy summary to a Slack incoming webhook. Never throws: a notification cannot fail a deploy. */
export async function notifySlack(
  webhookEnv: string,
  env: NodeJS.ProcessEnv,
  summary: { env: string; sourceVersion: string; results: FunctionDeployResult[] },
): Promise<SlackOutcome> {
  const url = env[webhookEnv];
  if (!url) return { sent: false, detail: `${webhookEnv} is not set` };
  const failed = summary.results.filter((r) => r.status === 'FAILED');
  const published = summary.results.filter((r) => r.status === 'PUBLISHED');
  const head =
    failed.length > 0
      ? `:x: lci deploy to ${summary.env} failed for ${failed.length} function(s)`
      : `:white_check_mark: lci deployed ${summary.sourceVersion.slice(0, 12)} to ${summary.env}`;
  const lines = summary.results.map((r) => {
    if (r.status === 'FAILED') return `• ${r.awsName}: FAILED: ${r.error ?? ''}`.slice(0, 500);
    if (r.status === 'PUBLISHED')
      return `• ${r.awsName}: version ${r.version}${r.previousVersion ? ` (was ${r.previousVersion})` : ''}`;
    return `• ${r.awsName}: ${r.status.toLowerCase()}`;
  });
  const text = [
    head,
    `${published.length} published, ${summary.results.length - published.length - failed.length} unchanged, ${failed.length} failed`,
    ...lines,
  ].join('\n');
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text }),
      signal: AbortSignal.timeout(10_000),
    });
    return res.ok ? { sent: true, detail: 'sent' } : { sent: false, detail: `Slack answered HTTP ${res.status}` };
  } catch (e) {
    return { sent: false, detail: `could not reach Slack (${(e as Error).name})` };
  }
}
