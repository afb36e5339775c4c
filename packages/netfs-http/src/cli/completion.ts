/** A bash completion script for a commander program, written from its own command tree. */
import type { Command } from 'commander';

/** The script: completes command names, then each command's options. */
export function bashCompletion(program: Command): string {
  const name = program.name();
  const commands = program.commands.filter((c) => c.name() !== 'help');
  const cases = commands
    .map((c) => {
      const flags = [...c.options.filter((o) => !o.hidden).flatMap((o) => [o.short, o.long]), '--help']
        .filter(Boolean)
        .join(' ');
      return `    ${c.name()}) opts="${flags}" ;;`;
    })
    .join('\n');
  const fn = `_${name.replace(/\W/g, '_')}_complete`;
  return `# bash completion for ${name}: source <(${name} completion bash)
${fn}() {
  local cur=\${COMP_WORDS[COMP_CWORD]} opts
  if [ "$COMP_CWORD" -eq 1 ]; then
    COMPREPLY=($(compgen -W "${commands.map((c) => c.name()).join(' ')} help --help --version" -- "$cur"))
    return
  fi
  case \${COMP_WORDS[1]} in
${cases}
    *) opts="" ;;
  esac
  if [[ $cur == -* ]]; then COMPREPLY=($(compgen -W "$opts" -- "$cur")); else COMPREPLY=($(compgen -f -- "$cur")); fi
}
complete -o filenames -F ${fn} ${name}
`;
}
