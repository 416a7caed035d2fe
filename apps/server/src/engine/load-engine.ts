/** Loads the real engine on first use, so that serving the web app never needs koffi. */
import type { EngineLoader, EngineServe } from './engine-types';

/** Imports `@loopscope/engine/linux` and returns its `serve`, or fails with a clear message. */
export const loadLinuxEngine: EngineLoader = async () => {
  try {
    // Imported on the first run only: it loads koffi and native code.
    const { serve } = await import('@loopscope/engine/linux');
    // The engine's serve must fit what the server needs (checked by the compiler here).
    const typed: EngineServe = serve;
    return typed;
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new Error(`the real engine (@loopscope/engine/linux) could not be loaded: ${why}`);
  }
};
