/**
 * The stage: loops, listeners, connections and clients, drawn on a canvas from the current model
 * once per animation frame (outside React), with an off-screen description of the same things
 * for screen readers. Hovering a loop, a connection, a listener or a client names it.
 */
import { useEffect, useRef } from 'react';
import { onFrame, useStore } from '../store/store';
import { StagePainter } from './stage-painter';

export function Stage() {
  const box = useRef<HTMLDivElement>(null);
  const canvas = useRef<HTMLCanvasElement>(null);
  const description = useRef<HTMLDivElement>(null);
  const painter = useRef<StagePainter | null>(null);
  const empty = useStore((s) => s.model.loops.length === 0);
  // Read only while the stage is empty: the stage does not render again as events arrive.
  const total = useStore((s) => (s.model.loops.length === 0 ? s.total : 0));
  const message = useStore((s) => s.status.message);

  useEffect(() => {
    if (!canvas.current || !description.current || !box.current) return;
    const p = new StagePainter(canvas.current, description.current, box.current);
    painter.current = p;
    const off = onFrame((view, now) => p.frame(view, now));
    return () => {
      off();
      p.dispose();
      painter.current = null;
    };
  }, []);

  const hover = (e: React.MouseEvent<HTMLCanvasElement>) => {
    const title = painter.current?.describeAt(e.nativeEvent.offsetX, e.nativeEvent.offsetY) ?? '';
    if (e.currentTarget.title !== title) e.currentTarget.title = title;
  };

  return (
    <div className="stage" ref={box} data-testid="stage">
      <canvas ref={canvas} role="img" aria-label="The event loops" onMouseMove={hover} />
      <section
        className="sr-only"
        ref={description}
        aria-label="Stage description"
        data-testid="stage-description"
      />
      {empty && (
        <div className="empty">
          <div>
            <h2>{total > 0 ? 'Press play or step forward' : 'Nothing to show yet'}</h2>
            <div>
              {total > 0
                ? `${total.toLocaleString()} events loaded. Space plays, → steps one event.`
                : (message ??
                  'Start a simulation, connect to a live server, or drop a recording (.ndjson) or an strace -f -tt log anywhere on the page.')}
            </div>
          </div>
        </div>
      )}
    </div>
  );
}
