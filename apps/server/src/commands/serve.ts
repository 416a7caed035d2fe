/** `loopscope serve` (also what `loopscope` alone runs): the web app, the API and the engine. */
import type { Command } from 'commander';
import { prepareReplay } from './replay';
import { replayPath, runServer, type ServerFlags, withServerOptions } from './server-options';

/** Registers `serve` as the default command. */
export function registerServe(program: Command): void {
  withServerOptions(
    program
      .command('serve', { isDefault: true })
      .description('start the Loopscope server (the default command)')
      .option('--replay <file>', 'open this recording in the page'),
  ).action(async (flags: ServerFlags & { replay?: string }) => {
    const replay = flags.replay ? await prepareReplay(flags.replay, flags.data) : null;
    await runServer(flags, replay ? replayPath(replay) : '/');
  });
}
