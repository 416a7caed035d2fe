/**
 * The engine the server's tests drive: always the real one (`@loopscope/engine/linux`), on real
 * loopback sockets. If it cannot load here, the tests fail with the loader's message.
 */
import type { EngineLoader } from '../../src/engine/engine-types';
import { loadLinuxEngine } from '../../src/engine/load-engine';

/** The real engine. `real` stays for callers that report which engine ran. */
export async function engineForTests(): Promise<{ loadEngine: EngineLoader; real: boolean }> {
  await loadLinuxEngine();
  return { loadEngine: loadLinuxEngine, real: true };
}
