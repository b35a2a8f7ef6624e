import type { Environment } from '../config/types.js';
import { NotConfirmedError, UsageError } from '../errors.js';
import type { Io } from './command.js';

/**
 * Before an alias of a `confirm: true` environment moves: ask, unless --yes. Without a terminal
 * to ask on (CI) --yes is required: a pipeline must say it means it. Resolves when confirmed.
 */
export async function confirmMove(io: Io, env: Environment, yes: boolean, question: string): Promise<void> {
  if (!env.confirm || yes) return;
  checkConfirmable(io, env, yes);
  const answer = (await io.ask!(`${question} [y/N] `)).trim();
  if (!/^y(es)?$/i.test(answer)) throw new NotConfirmedError(`not confirmed (answered '${answer}'): nothing was moved`);
}

/** Before any work: a `confirm: true` environment without --yes needs a terminal to ask on. */
export function checkConfirmable(io: Io, env: Environment, yes: boolean): void {
  if (env.confirm && !yes && !io.ask)
    throw new UsageError(
      `environment ${env.name} has confirm: true and there is no terminal to ask on: pass --yes to move alias ${env.alias} without a question`,
    );
}
