import type { Command } from 'commander';
import { registerEcho } from './echo';
import { registerExport } from './export';
import { registerImportStrace } from './import-strace';
import { registerRecord } from './record';
import { registerReplay } from './replay';
import { registerServe } from './serve';
import { registerStats } from './stats';
import { registerValidate } from './validate';

/** Every subcommand, in the order `--help` lists them. */
export function registerCommands(program: Command): void {
  registerServe(program);
  registerReplay(program);
  program.action(() => {
    program.help();
  });
  registerEcho(program);
  registerValidate(program);
  registerStats(program);
  registerExport(program);
  registerImportStrace(program);
  registerRecord(program);
}
