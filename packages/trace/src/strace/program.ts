/**
 * The traced program's name from the log's header comments: `# cmd: strace ... PROGRAM args`
 * (or `# command:`), with `\` continuation lines.
 */

/** strace options that take a value as the next word. */
const WITH_VALUE = new Set([
  '-e',
  '-o',
  '-p',
  '-s',
  '-u',
  '-E',
  '-a',
  '-X',
  '-P',
  '-I',
  '-b',
  '-S',
  '-O',
  '-U',
]);

/** The basename of the program a `strace` command line runs, or null. */
export function programFromCommand(cmd: string): string | null {
  const words = cmd.split(/\s+/).filter((w) => w !== '' && w !== '\\');
  const at = words.findIndex((w) => w === 'strace' || w.endsWith('/strace'));
  if (at < 0) return null;
  for (let i = at + 1; i < words.length; i++) {
    const w = words[i]!;
    if (WITH_VALUE.has(w)) i++;
    else if (!w.startsWith('-')) return w.split('/').pop() || null;
  }
  return null;
}

/** Looks for a `cmd:` / `command:` comment (comment text without its `#`). */
export function programFromComments(comments: readonly string[]): string | null {
  for (let i = 0; i < comments.length; i++) {
    const m = /^(?:cmd|command):\s*(.*)$/.exec(comments[i]!);
    if (m === null) continue;
    let cmd = m[1]!;
    for (let j = i + 1; cmd.trimEnd().endsWith('\\') && j < comments.length; j++)
      cmd = `${cmd.trimEnd().slice(0, -1)} ${comments[j]}`;
    const name = programFromCommand(cmd);
    if (name !== null) return name;
  }
  return null;
}
