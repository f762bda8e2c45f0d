/**
 * `certwright completion bash|zsh|fish`: a shell completion script for the commands and their
 * first argument. Like cmctl, only the standalone binary offers it (kubectl completes plugins
 * itself).
 */
import { COMPLETION_SHELLS, isKubectlPlugin, registerCommand, registeredCommands, type Io } from './commands.js';
import { EXIT_ERROR, EXIT_OK, expectPositionals, parseCommandArgs, runCommand, UsageError } from './usage.js';

export const SHELLS = COMPLETION_SHELLS;
type Shell = (typeof SHELLS)[number];

interface CompletionWords {
  commands: string[];
  /** Words offered after each command. */
  after: Record<string, readonly string[]>;
}

function bashScript({ commands, after }: CompletionWords): string {
  const cases = Object.entries(after)
    .map(([command, words]) => `    ${command}) words="${words.join(' ')}" ;;`)
    .join('\n');
  return `# certwright bash completion: source <(certwright completion bash)
_certwright() {
  local cur=\${COMP_WORDS[COMP_CWORD]} words=""
  if [ "$COMP_CWORD" -eq 1 ]; then
    words="${commands.join(' ')}"
  elif [ "$COMP_CWORD" -eq 2 ]; then
    case "\${COMP_WORDS[1]}" in
${cases}
    esac
  fi
  COMPREPLY=($(compgen -W "$words" -- "$cur"))
}
complete -F _certwright certwright
`;
}

function fishScript({ commands, after }: CompletionWords): string {
  const lines = [
    '# certwright fish completion: certwright completion fish | source',
    `complete -c certwright -f -n __fish_use_subcommand -a "${commands.join(' ')}"`,
    ...Object.entries(after).map(([command, words]) => `complete -c certwright -f -n "__fish_seen_subcommand_from ${command}" -a "${words.join(' ')}"`),
  ];
  return `${lines.join('\n')}\n`;
}

export function completionScript(shell: Shell, words: CompletionWords): string {
  if (shell === 'fish') return fishScript(words);
  const bash = bashScript(words);
  // zsh runs bash completion functions through bashcompinit.
  return shell === 'zsh' ? `# certwright zsh completion: source <(certwright completion zsh)\nautoload -U +X bashcompinit && bashcompinit\n${bash}` : bash;
}

const usage = `Usage: certwright completion ${SHELLS.join('|')}

Prints a shell completion script, e.g. \`source <(certwright completion bash)\`.
`;

async function runCompletion(args: string[], io: Io): Promise<number> {
  return runCommand(args, io, usage, async () => {
    if (isKubectlPlugin(io.argv0)) {
      io.stderr.write('completion is not available as a kubectl plugin; run certwright completion from the standalone binary\n');
      return EXIT_ERROR;
    }
    const [shell] = expectPositionals(parseCommandArgs(args, {}).positionals, ['SHELL']);
    if (!(SHELLS as readonly string[]).includes(shell!)) throw new UsageError(`unsupported shell ${JSON.stringify(shell)}; choose ${SHELLS.join(', ')}`);
    const commands = registeredCommands();
    const after = Object.fromEntries(commands.filter((c) => c.completions?.length).map((c) => [c.name, c.completions!]));
    io.stdout.write(completionScript(shell as Shell, { commands: ['help', ...commands.map((c) => c.name)], after }));
    return EXIT_OK;
  });
}

registerCommand('completion', runCompletion);
