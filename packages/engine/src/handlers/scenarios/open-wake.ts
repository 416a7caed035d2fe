/**
 * The handler of `open-wake` (spec §2.6): an `Opened` that returns nothing, so the wake-up right
 * after accept (the fd was registered IN|OUT and is writable at once) only runs Opened and MODs
 * the fd to IN. Input is echoed. Browser-safe.
 */
import type { Events } from '../../core/api';

export default function openWake(): Events {
  return {
    opened: () => ({}),
    data: (_c, input) => ({ out: input }),
  };
}
