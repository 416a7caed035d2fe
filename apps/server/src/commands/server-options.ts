/** Options shared by `serve` and `replay`, and running the server until Ctrl-C. */
import { type Command, InvalidArgumentError } from 'commander';
import { isLoopbackHost } from '../http/guard';
import { dataDir } from '../paths';
import { DEFAULT_PORT, type LoopscopeServer, startServer } from '../server';

/** The parsed shared options. */
export interface ServerFlags {
  port: number;
  host: string;
  data?: string;
}

function parsePort(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) {
    throw new InvalidArgumentError('the port must be an integer from 0 to 65535 (0 picks a free one)');
  }
  return n;
}

/** Adds --port, --host and --data to a command. */
export function withServerOptions(cmd: Command): Command {
  return cmd
    .option('-p, --port <port>', 'port to listen on (0 picks a free one)', parsePort, DEFAULT_PORT)
    .option('--host <host>', 'interface to bind; anything but loopback exposes the engine', '127.0.0.1')
    .option('--data <dir>', 'recordings folder (default $LOOPSCOPE_DATA or <repo>/data/recordings)');
}

/** Starts the server with the shared options, warns about exposure, stops cleanly on a signal. */
export async function runServer(flags: ServerFlags, path = '/'): Promise<LoopscopeServer> {
  if (!isLoopbackHost(flags.host)) {
    process.stderr.write(
      `loopscope: warning: listening on ${flags.host}, not loopback: anyone who can reach this ` +
        'address can start runs on this machine and read its recordings.\n',
    );
  }
  const server = await startServer({ port: flags.port, host: flags.host, dataDir: dataDir(flags.data) });
  process.stdout.write(`Loopscope is running at ${server.url}${path}\n`);
  process.stdout.write(`Recordings: ${server.store.dir}\nPress Ctrl-C to stop.\n`);
  let stopping = false;
  const stop = () => {
    if (stopping) process.exit(130);
    stopping = true;
    process.stdout.write('\nStopping...\n');
    server.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return server;
}

/** The page URL path that opens a recording of the data folder for replay (the web app's query). */
export function replayPath(name: string): string {
  return `/?src=replay&rec=${encodeURIComponent(`server:${name}`)}`;
}
