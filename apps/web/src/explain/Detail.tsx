/** The current event explained in plain words, and the loop code that produced it. */
import { useLayoutEffect, useRef } from 'react';
import { useStore } from '../store/store';
import { eventColor } from '../theme';
import { type CodeSpan, codeFor, haveSource, sourceLines } from './code-lines';
import { explain, summary } from './explain';

/** Lines of context shown around hot lines in long functions. */
const CONTEXT = 3;

function Span({ span }: { span: CodeSpan }) {
  const lines = sourceLines(span.file);
  const long = span.to - span.from > 28 && span.hot.length > 0;
  const show: number[] = [];
  for (let i = span.from; i <= span.to; i++) {
    if (!long || i === span.from || span.hot.some((h) => Math.abs(h - i) <= CONTEXT)) show.push(i);
  }
  const out = [];
  let prev = span.from - 1;
  for (const i of show) {
    if (i > prev + 1) {
      out.push(
        <div className="ln" key={`gap${i}`}>
          <span className="no">⋮</span>
        </div>,
      );
    }
    out.push(
      <div
        className={`ln${span.hot.includes(i) ? ' hot' : ''}`}
        key={i}
        data-testid={span.hot.includes(i) ? 'code-hot' : undefined}
      >
        <span className="no">{i + 1}</span>
        {lines[i]}
      </div>,
    );
    prev = i;
  }
  return (
    <div className="code" data-testid="code-pane" data-fn={span.name}>
      <div className="fn">
        {span.file} · {span.name}()
      </div>
      {out}
    </div>
  );
}

export function Detail() {
  const position = useStore((s) => s.position);
  const buffer = useStore((s) => s.buffer);
  const model = useStore((s) => s.model);
  const header = useStore((s) => s.header);
  const box = useRef<HTMLDivElement>(null);
  // The hot line of a long function can sit below the fold of this pane: scroll just enough to
  // show it under the explanation, which stays at the top of the pane (sticky).
  useLayoutEffect(() => {
    const el = box.current;
    const hot = el?.querySelector<HTMLElement>('.ln.hot');
    if (!el || !hot || position === 0) return;
    const pane = el.getBoundingClientRect();
    const words = el.querySelector<HTMLElement>('.explain')?.getBoundingClientRect().height ?? 0;
    const line = hot.getBoundingClientRect();
    if (line.bottom > pane.bottom) el.scrollTop += line.bottom - pane.bottom + 8;
    else if (line.top < pane.top + words) el.scrollTop -= pane.top + words - line.top + 8;
  }, [position]);
  const ev = position > 0 && position <= buffer.length ? buffer.event(position - 1) : undefined;
  if (!ev) {
    return (
      <div className="detail">
        <div className="explain dim">
          Step through the trace (→) or click an event: its meaning appears here with the lines of the loop
          code that produced it.
        </div>
      </div>
    );
  }
  const branch = ev.loop >= 0 ? (model.loops[ev.loop]?.branch ?? null) : null;
  // An imported log comes from another program: Loopscope's loop code did not produce it.
  const fromLog = header?.source.type === 'strace';
  const spans = ev.loop >= 0 && haveSource() && !fromLog ? codeFor(ev, branch) : [];
  return (
    <div className="detail" data-testid="detail" ref={box}>
      <div className="explain" data-testid="explanation">
        <div className="head" style={{ color: eventColor(ev) }}>
          #{ev.seq} {ev.loop >= 0 ? `loop ${ev.loop}` : 'client'} · {summary(ev)}
        </div>
        {explain(ev)}
      </div>
      {spans.map((s) => (
        <Span key={`${s.file}:${s.from}`} span={s} />
      ))}
      {fromLog && ev.loop >= 0 && (
        <div className="explain dim" data-testid="from-log-note">
          From an strace log{header?.source.program ? ` of ${header.source.program}` : ''}: the words above
          describe evio's loop, which this syscall was mapped to; the program's own code is not in the log.
        </div>
      )}
      {ev.loop >= 0 && !haveSource() && !fromLog && (
        <div className="explain dim">The loop source was not bundled into this build.</div>
      )}
    </div>
  );
}
