/**
 * `chaos completion bash|zsh|fish`: a completion script built from the program's own commands and
 * options (so it never goes stale), which asks `chaos __names` for scenario, suite and
 * environment names at completion time (the current folder's, then the shipped ones).
 */
import { Argument, type Command } from 'commander';
import path from 'node:path';
import type { CliIo } from '../../system/io.js';
import { listYamlFiles, searchDirs } from '../../input/files.js';
import { schemaKinds } from './schema.js';

const shells = ['bash', 'zsh', 'fish'] as const;
type Shell = (typeof shells)[number];

/** Commands whose argument is a scenario or suite. */
const targetCommands = ['run', 'plan', 'validate', 'gameday'];

function names(folder: string, cwd: string): string[] {
  return listYamlFiles(searchDirs(folder, cwd)).map((file) => path.basename(file).replace(/\.ya?ml$/, ''));
}

interface Spec {
  commands: string[];
  options: Map<string, string[]>;
  words: Map<string, string[]>;
}

function specOf(program: Command): Spec {
  const visible = program.commands.filter((command) => !command.name().startsWith('__'));
  const options = new Map<string, string[]>();
  const words = new Map<string, string[]>();
  for (const command of visible) {
    const subcommands = command.commands.map((sub) => sub.name());
    const flags = [...command.options, ...command.commands.flatMap((sub) => sub.options)]
      .map((option) => option.long)
      .filter((flag): flag is string => flag !== undefined);
    options.set(command.name(), [...new Set([...flags, '--help'])]);
    if (subcommands.length > 0) words.set(command.name(), subcommands);
  }
  words.set('schema', schemaKinds);
  words.set('completion', [...shells]);
  return { commands: visible.map((command) => command.name()), options, words };
}

const valueOptions = { env: '--env', output: '--output', dirs: ['--reports', '--kubeconfig'] };

function bash(spec: Spec): string {
  const optionCases = [...spec.options].map(([name, flags]) => `      ${name}) opts="${flags.join(' ')}" ;;`);
  const wordCases = [...spec.words].map(([name, list]) => `    ${name}) words="${list.join(' ')}" ;;`);
  return `# chaos completion for bash: eval "$(chaos completion bash)" (e.g. in ~/.bashrc)
_chaos() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="\${COMP_WORDS[COMP_CWORD-1]}" cmd="\${COMP_WORDS[1]}" opts="" words=""
  if [[ $COMP_CWORD -eq 1 ]]; then
    COMPREPLY=($(compgen -W "${spec.commands.join(' ')} --help --version" -- "$cur"))
    return
  fi
  case "$prev" in
    ${valueOptions.env}) COMPREPLY=($(compgen -W "$(chaos __names environments 2>/dev/null)" -- "$cur")); return ;;
    ${valueOptions.output}) COMPREPLY=($(compgen -W "text json" -- "$cur")); return ;;
    ${valueOptions.dirs.join('|')}) COMPREPLY=($(compgen -f -- "$cur")); return ;;
  esac
  if [[ "$cur" == -* ]]; then
    case "$cmd" in
${optionCases.join('\n')}
    esac
    COMPREPLY=($(compgen -W "$opts" -- "$cur"))
    return
  fi
  case "$cmd" in
    ${targetCommands.join('|')}) words="$(chaos __names targets 2>/dev/null)" ;;
${wordCases.join('\n')}
    report) COMPREPLY=($(compgen -d -- "$cur")); return ;;
  esac
  COMPREPLY=($(compgen -W "$words" -- "$cur"))
}
complete -F _chaos chaos
`;
}

function zsh(spec: Spec): string {
  const optionCases = [...spec.options].map(([name, flags]) => `      ${name}) compadd -- ${flags.join(' ')} ;;`);
  const wordCases = [...spec.words].map(([name, list]) => `    ${name}) compadd -- ${list.join(' ')} ;;`);
  return `#compdef chaos
# chaos completion for zsh: chaos completion zsh > "\${fpath[1]}/_chaos" (or eval "$(chaos completion zsh)")
_chaos() {
  if (( CURRENT == 2 )); then
    compadd -- ${spec.commands.join(' ')} --help --version
    return
  fi
  local cmd=\${words[2]} prev=\${words[CURRENT-1]}
  case $prev in
    ${valueOptions.env}) compadd -- \${(f)"$(chaos __names environments 2>/dev/null)"}; return ;;
    ${valueOptions.output}) compadd -- text json; return ;;
    ${valueOptions.dirs.join('|')}) _files; return ;;
  esac
  if [[ \${words[CURRENT]} == -* ]]; then
    case $cmd in
${optionCases.join('\n')}
    esac
    return
  fi
  case $cmd in
    ${targetCommands.join('|')}) compadd -- \${(f)"$(chaos __names targets 2>/dev/null)"} ;;
${wordCases.join('\n')}
    report) _files -/ ;;
  esac
}
if [[ $zsh_eval_context[-1] == loadautoload ]]; then _chaos "$@"; else compdef _chaos chaos; fi
`;
}

function fish(spec: Spec): string {
  const lines = [
    '# chaos completion for fish: chaos completion fish > ~/.config/fish/completions/chaos.fish',
    'complete -c chaos -f',
    `complete -c chaos -n __fish_use_subcommand -a "${spec.commands.join(' ')}"`,
    `complete -c chaos -n "__fish_seen_subcommand_from ${targetCommands.join(' ')}" -a "(chaos __names targets 2>/dev/null)"`,
  ];
  for (const [name, list] of spec.words)
    lines.push(`complete -c chaos -n "__fish_seen_subcommand_from ${name}" -a "${list.join(' ')}"`);
  for (const [name, flags] of spec.options) {
    for (const flag of flags) {
      const long = flag.replace(/^--/, '');
      const value =
        flag === valueOptions.env
          ? ' -x -a "(chaos __names environments 2>/dev/null)"'
          : flag === valueOptions.output
            ? ' -x -a "text json"'
            : valueOptions.dirs.includes(flag)
              ? ' -r -F'
              : '';
      lines.push(`complete -c chaos -n "__fish_seen_subcommand_from ${name}" -l ${long}${value}`);
    }
  }
  lines.push(`complete -c chaos -n "__fish_seen_subcommand_from report" -a "(__fish_complete_directories)"`);
  return `${lines.join('\n')}\n`;
}

function completionScript(program: Command, shell: Shell): string {
  const spec = specOf(program);
  return shell === 'bash' ? bash(spec) : shell === 'zsh' ? zsh(spec) : fish(spec);
}

export function registerCompletion(program: Command, io: CliIo): void {
  program
    .command('completion')
    .description('print a shell completion script (scenario, suite and environment names completed)')
    .addArgument(new Argument('<shell>', 'bash, zsh or fish').choices(shells))
    .action((shell: Shell) => {
      io.out(completionScript(program, shell).trimEnd());
    });
  program
    .command('__names', { hidden: true })
    .description('names for shell completion: targets (scenarios and suites) or environments')
    .argument('<kind>')
    .action((kind: string) => {
      const found =
        kind === 'environments'
          ? ['lab', ...names('environments', io.cwd)]
          : kind === 'targets'
            ? [...new Set([...names('scenarios', io.cwd), ...names('suites', io.cwd)])]
            : [];
      if (found.length > 0) io.out(found.join('\n'));
    });
}
