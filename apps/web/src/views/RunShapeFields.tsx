/** The mode, loop count and balancer of a run: the same three controls in the top bar and the compare view. */
import { MODE_NAMES } from '../modes';
import type { RunParams } from '../sources/types';

const BALANCES = ['random', 'round-robin', 'least-connections'];

interface Props {
  run: Pick<RunParams, 'mode' | 'loops' | 'balance'>;
  set: (patch: Partial<RunParams>) => void;
  /** Test ids of the mode select, the loops input and the balance select. */
  ids: { mode: string; loops: string; balance: string };
}

export function RunShapeFields({ run, set, ids }: Props) {
  return (
    <>
      <select data-testid={ids.mode} value={run.mode} onChange={(e) => set({ mode: e.target.value })}>
        {MODE_NAMES.map((m) => (
          <option key={m} value={m}>
            {m}
          </option>
        ))}
      </select>
      <label className="field">
        loops
        <input
          type="number"
          min={1}
          max={16}
          data-testid={ids.loops}
          value={run.loops}
          onChange={(e) => set({ loops: Math.max(1, Math.min(16, Number(e.target.value) || 1)) })}
        />
      </label>
      <select
        data-testid={ids.balance}
        value={run.balance}
        onChange={(e) => set({ balance: e.target.value })}
      >
        {BALANCES.map((b) => (
          <option key={b} value={b}>
            {b}
          </option>
        ))}
      </select>
    </>
  );
}
