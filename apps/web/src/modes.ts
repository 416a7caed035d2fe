/**
 * The engine's mode names (the contract in packages/engine/src/core/modes.ts). The descriptions
 * come from the engine's `MODES` once the simulator is loaded.
 */
import { useEffect, useState } from 'react';
import { loadSimEngine, type ModeDescription } from './sources/sim-engine';

export const MODE_NAMES = [
  'evio',
  'read-first',
  'fixed-wake',
  'direct-write',
  'reuseport',
  'exclusive',
  'edge',
] as const;

/** The mode descriptions, or null while (or if) the simulator is not loaded. */
export function useModeInfo(): Readonly<Record<string, ModeDescription>> | null {
  const [modes, setModes] = useState<Readonly<Record<string, ModeDescription>> | null>(null);
  useEffect(() => {
    loadSimEngine().then(
      (e) => setModes(e.MODES),
      () => setModes(null),
    );
  }, []);
  return modes;
}
