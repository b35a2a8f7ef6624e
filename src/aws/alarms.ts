import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DeployError } from '../errors.js';
import { cloudWatchSdk } from './sdk.js';

/** Names of the given CloudWatch alarms that are in ALARM. Names that do not exist are an error: a watch on nothing protects nothing. */
export async function firingAlarms(cloudwatch: CloudWatchClient, names: string[]): Promise<string[]> {
  if (names.length === 0) return [];
  const { DescribeAlarmsCommand } = cloudWatchSdk();
  const found = new Map<string, string>();
  for (let i = 0; i < names.length; i += 100) {
    const r = await cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: names.slice(i, i + 100) }));
    for (const a of r.MetricAlarms ?? []) found.set(a.AlarmName!, a.StateValue ?? 'INSUFFICIENT_DATA');
    for (const a of r.CompositeAlarms ?? []) found.set(a.AlarmName!, a.StateValue ?? 'INSUFFICIENT_DATA');
  }
  const missing = names.filter((n) => !found.has(n));
  if (missing.length > 0)
    throw new DeployError(
      `CloudWatch alarm${missing.length > 1 ? 's' : ''} ${missing.join(', ')} not found; fix alarms: in lambdas.yaml`,
    );
  return names.filter((n) => found.get(n) === 'ALARM');
}
