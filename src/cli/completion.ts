import { UsageError } from '../errors.js';
import { GLOBAL_OPTIONS } from './args.js';
import type { Command, Options } from './command.js';

export const SHELLS = ['bash', 'zsh', 'fish'] as const;
type Shell = (typeof SHELLS)[number];

export interface CommandSpec {
  name: string;
  summary: string;
  options: Options;
  positionalHint?: Command<unknown>['positionalHint'];
}

/** Every flag of a command, long and short, global ones included. */
function flags(options: Options): string[] {
  return Object.entries({ ...GLOBAL_OPTIONS, ...options } as Options).flatMap(([name, o]) => [
    `--${name}`,
    ...(o.short ? [`-${o.short}`] : []),
  ]);
}

/**
 * Shell completion scripts, generated from the command table so they never drift from it.
 * Function names complete from `lci completion functions` (the functions of the config found
 * from the current directory).
 */
export function completionScript(shell: string, commands: CommandSpec[]): string {
  if (!(SHELLS as readonly string[]).includes(shell))
    throw new UsageError(`completion: '${shell}' is not supported; use one of ${SHELLS.join(', ')}`);
  const names = commands.map((c) => c.name);
  const fnList = 'lci completion functions 2>/dev/null';
  switch (shell as Shell) {
    case 'bash':
      return [
        '# lci completion for bash: eval "$(lci completion bash)" in ~/.bashrc',
        '_lci() {',
        '  local cur="${COMP_WORDS[COMP_CWORD]}" cmd="" w',
        '  for w in "${COMP_WORDS[@]:1:COMP_CWORD-1}"; do case "$w" in -*) ;; *) cmd="$w"; break ;; esac; done',
        '  case "$cmd" in',
        `    "") COMPREPLY=($(compgen -W "${names.join(' ')} ${flags({}).join(' ')}" -- "$cur")) ;;`,
        ...commands.map((c) => {
          const words = [
            ...flags(c.options),
            ...(c.positionalHint === 'shells' ? SHELLS : c.positionalHint === 'commands' ? names : []),
          ].join(' ');
          const fns = c.positionalHint === 'functions' ? ` $(${fnList})` : '';
          return `    ${c.name}) COMPREPLY=($(compgen -W "${words}${fns}" -- "$cur")) ;;`;
        }),
        '  esac',
        '}',
        'complete -o default -F _lci lci',
        '',
      ].join('\n');
    case 'zsh':
      return [
        '#compdef lci',
        '# lci completion for zsh: lci completion zsh > "${fpath[1]}/_lci"',
        '_lci() {',
        '  local -a cmds',
        `  cmds=(${commands.map((c) => `'${c.name}:${c.summary.split('. ')[0]!.replace(/'/g, "'\\''").replace(/:/g, '\\:')}'`).join(' ')})`,
        '  if (( CURRENT == 2 )); then _describe command cmds; return; fi',
        '  case "${words[2]}" in',
        ...commands.map((c) => {
          const extra =
            c.positionalHint === 'shells'
              ? SHELLS.join(' ')
              : c.positionalHint === 'commands'
                ? names.join(' ')
                : c.positionalHint === 'functions'
                  ? `$(${fnList})`
                  : '';
          return `    ${c.name}) compadd -- ${flags(c.options).join(' ')}${extra ? ` ${extra}` : ''} ;;`;
        }),
        '  esac',
        '}',
        'compdef _lci lci',
        '',
      ].join('\n');
    case 'fish':
      return [
        '# lci completion for fish: lci completion fish > ~/.config/fish/completions/lci.fish',
        'complete -c lci -f',
        ...commands.map(
          (c) =>
            `complete -c lci -n '__fish_use_subcommand' -a ${c.name} -d '${c.summary.split('. ')[0]!.replace(/'/g, "\\'")}'`,
        ),
        ...commands.flatMap((c) => [
          ...Object.entries({ ...GLOBAL_OPTIONS, ...c.options } as Options).map(
            ([name, o]) =>
              `complete -c lci -n '__fish_seen_subcommand_from ${c.name}' -l ${name}${o.short ? ` -s ${o.short}` : ''}${o.type === 'string' ? ' -r' : ''}`,
          ),
          ...(c.positionalHint === 'functions'
            ? [`complete -c lci -n '__fish_seen_subcommand_from ${c.name}' -a '(${fnList})'`]
            : []),
          ...(c.positionalHint === 'shells'
            ? [`complete -c lci -n '__fish_seen_subcommand_from ${c.name}' -a '${SHELLS.join(' ')}'`]
            : []),
          ...(c.positionalHint === 'commands'
            ? [`complete -c lci -n '__fish_seen_subcommand_from ${c.name}' -a '${names.join(' ')}'`]
            : []),
        ]),
        '',
      ].join('\n');
  }
}
