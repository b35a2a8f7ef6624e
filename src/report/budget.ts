import type { BudgetReport } from '../aws/request-budget.js';
import { plural } from './table.js';

const rate = (n: number) => `${Math.round(n * 100) / 100}/s`;

/**
 * What a run spent of Lambda's request quotas, in one line:
 * `Lambda requests: 100 GetFunction (at 100/s), 4 others (at 15/s); 0 throttles; 0.2 s waiting for the budget`
 */
export function budgetLine(b: BudgetReport): string {
  const others = b.requests.controlPlane + b.requests.getPolicy;
  return `Lambda requests: ${b.requests.getFunction} GetFunction (at ${rate(b.rates.getFunction)}), ${others} other${others === 1 ? '' : 's'} (at ${rate(b.rates.controlPlane)}); ${plural(b.throttles, 'throttle')}; ${b.waitedSeconds.toFixed(1)} s waiting for the budget`;
}
