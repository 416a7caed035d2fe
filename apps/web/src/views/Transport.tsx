/** Play/pause, step, jump, speed, position, and for live: catch up and dropped events. */
import {
  catchUp,
  EVENTS_PER_SECOND_AT_1X,
  MAX_SPEED,
  MIN_SPEED,
  seek,
  setPlaying,
  setSpeed,
  step,
  useStore,
} from '../store/store';
import { fmtNs } from '../theme';

/** Slider position (0..1000) <-> speed on a log scale from 0.1x to 100x. */
const toSlider = (s: number) => (Math.log(s / MIN_SPEED) / Math.log(MAX_SPEED / MIN_SPEED)) * 1000;
const fromSlider = (v: number) => MIN_SPEED * (MAX_SPEED / MIN_SPEED) ** (v / 1000);

export function Transport() {
  const playing = useStore((s) => s.playing);
  const following = useStore((s) => s.following);
  const speed = useStore((s) => s.speed);
  const position = useStore((s) => s.position);
  const total = useStore((s) => s.total);
  const kind = useStore((s) => s.sourceKind);
  const dropped = useStore((s) => s.status.dropped ?? 0);
  const t = useStore((s) => s.model.t);
  const streaming = kind !== 'replay';
  return (
    <div className="transport" data-testid="transport">
      <button
        type="button"
        data-testid="step-start"
        title="To the start (Home)"
        onClick={() => step(-Number.MAX_SAFE_INTEGER)}
      >
        |◀
      </button>
      <button
        type="button"
        data-testid="step-back-100"
        title="Back 100 events (shift+←)"
        onClick={() => step(-100)}
      >
        «
      </button>
      <button type="button" data-testid="step-back" title="Back one event (←)" onClick={() => step(-1)}>
        ‹
      </button>
      <button
        type="button"
        className={playing ? 'on' : ''}
        data-testid="play-pause"
        data-playing={playing}
        title="Play / pause (space)"
        onClick={() => setPlaying(!playing)}
        style={{ minWidth: 64 }}
      >
        {playing ? '❚❚ pause' : '▶ play'}
      </button>
      <button type="button" data-testid="step-forward" title="Forward one event (→)" onClick={() => step(1)}>
        ›
      </button>
      <button
        type="button"
        data-testid="step-forward-100"
        title="Forward 100 events (shift+→)"
        onClick={() => step(100)}
      >
        »
      </button>
      <button
        type="button"
        data-testid="step-end"
        title="To the end (End)"
        onClick={() => seek(Number.MAX_SAFE_INTEGER)}
      >
        ▶|
      </button>
      <label className="field" title={`1x = ${EVENTS_PER_SECOND_AT_1X} events per second`}>
        speed
        <input
          type="range"
          min={0}
          max={1000}
          data-testid="speed"
          value={toSlider(speed)}
          onChange={(e) => setSpeed(Number(fromSlider(Number(e.target.value)).toPrecision(2)))}
        />
        <span className="mono" style={{ width: 44 }} data-testid="speed-value">
          {speed < 1 ? speed.toFixed(1) : Math.round(speed)}x
        </span>
      </label>
      <span className="pos" data-testid="position">
        event {position.toLocaleString()} / {total.toLocaleString()} · t={fmtNs(t)}
      </span>
      {streaming && (
        <button
          type="button"
          className={following ? 'on' : ''}
          data-testid="catch-up"
          disabled={following}
          onClick={catchUp}
          title="Follow the newest events"
        >
          {following ? 'following' : 'catch up'}
        </button>
      )}
      {kind === 'live' && dropped > 0 && (
        <span className="mono" style={{ color: 'var(--eagain)' }} data-testid="dropped">
          {dropped.toLocaleString()} dropped by the server (the recording has them all)
        </span>
      )}
    </div>
  );
}
