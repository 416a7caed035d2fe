/** Facts about this machine, written into every recording header. */
import os from 'node:os';
import type { HostInfo } from '@loopscope/trace';

/** The host facts of the running process. */
export function hostInfo(): HostInfo {
  return {
    platform: os.platform(),
    arch: os.arch(),
    kernel: os.release(),
    cpus: os.cpus().length,
    runtime: `node ${process.version}`,
  };
}
