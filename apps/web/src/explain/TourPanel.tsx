/** The guided tour of the current scenario: one step at a time, each moving the view. */
import { useState } from 'react';
import type { TraceBuffer } from '../model/trace-buffer';
import { seek, useStore } from '../store/store';
import { TOURS, type Tour, tourFor } from './tours';

function listenerFds(buffer: TraceBuffer): Set<number> {
  const s = new Set<number>();
  const n = Math.min(buffer.length, 5000);
  for (let i = 0; i < n; i++) {
    const e = buffer.event(i);
    if (e.kind === 'listener') s.add(e.fd);
  }
  return s;
}

/** Index of the first event from `from` that the step matches, or -1. */
function findFrom(buffer: TraceBuffer, tour: Tour, step: number, from: number): number {
  const { find, search } = tour.steps[step]!;
  if (search) return search(buffer, buffer.length, from);
  const ls = listenerFds(buffer);
  for (let i = from; i < buffer.length; i++) if (find(buffer.event(i), ls)) return i;
  return -1;
}

export function TourPanel({ onCompare }: { onCompare: (mode: string) => void }) {
  const header = useStore((s) => s.header);
  const buffer = useStore((s) => s.buffer);
  const [chosen, setChosen] = useState<string | null>(null);
  const [step, setStep] = useState(-1);
  const [miss, setMiss] = useState(false);
  const tour = TOURS.find((t) => t.id === chosen) ?? tourFor(header?.scenario?.name);
  const go = (k: number) => {
    if (!tour || k < 0 || k >= tour.steps.length) return;
    const s = useStore.getState();
    const from = k > step ? s.position : 0;
    const i = findFrom(buffer, tour, k, from);
    setStep(k);
    setMiss(i < 0);
    if (i >= 0) {
      useStore.setState({ playing: false, following: false });
      seek(i + 1);
    }
  };
  const cur = tour && step >= 0 ? tour.steps[step] : null;
  return (
    <div className="tour" data-testid="tour">
      <div className="nav">
        <strong style={{ fontSize: 12 }}>Tour</strong>
        <select
          data-testid="tour-select"
          value={tour?.id ?? ''}
          onChange={(e) => {
            setChosen(e.target.value);
            setStep(-1);
          }}
        >
          {!tour && <option value="">choose a tour…</option>}
          {TOURS.map((t) => (
            <option key={t.id} value={t.id}>
              {t.title}
            </option>
          ))}
        </select>
        <button
          type="button"
          data-testid="tour-prev"
          disabled={!tour || step <= 0}
          onClick={() => go(step - 1)}
        >
          ‹
        </button>
        <button
          type="button"
          data-testid="tour-next"
          disabled={!tour || step >= tour.steps.length - 1}
          onClick={() => go(step + 1)}
        >
          {step < 0 ? 'begin' : 'next ›'}
        </button>
      </div>
      {cur && (
        <div style={{ marginTop: 6 }} data-testid="tour-step">
          <h3>
            {step + 1}/{tour!.steps.length} · {cur.title}
          </h3>
          <p>
            {miss
              ? 'This trace has no such event after this point (try another scenario or mode).'
              : cur.text}
          </p>
        </div>
      )}
      {tour?.compareMode && (
        <button
          type="button"
          style={{ marginTop: 6 }}
          data-testid="tour-compare"
          onClick={() => onCompare(tour.compareMode!)}
        >
          compare evio with {tour.compareMode}: the client’s byte verdict side by side
        </button>
      )}
    </div>
  );
}
