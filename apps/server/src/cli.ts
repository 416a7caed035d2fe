#!/usr/bin/env -S node --import tsx
/**
 * `loopscope`: the command line. With no subcommand it starts the server (`serve`).
 * Each subcommand lives in `commands/` and registers itself on the program.
 */
import { Command } from 'commander';
import { registerCommands } from './commands/index';

const program = new Command('loopscope')
  .description('See how an epoll event loop really works: a real evio loop, traced and animated.')
  .showHelpAfterError()
  .configureOutput({ outputError: (s, write) => write(s) });

registerCommands(program);

program.parseAsync(process.argv).catch((err: unknown) => {
  process.stderr.write(`loopscope: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
