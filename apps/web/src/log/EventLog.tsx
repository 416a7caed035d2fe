/** The event log: filterable and virtualized (only visible rows exist), for millions of events. */
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { summary } from '../explain/explain';
import { seek, useStore } from '../store/store';
import { eventColor } from '../theme';
import { FilteredIndex, filterKey, GROUPS, type LogFilter, matcher } from './filter';

const ROW_H = 20;
const OVERSCAN = 8;
/** Browsers cap element heights near 33.5M px: rows beyond that are reached by scaling. */
const MAX_SCROLL_PX = 15_000_000;
/** Auto-scroll at most this often while following or playing fast. */
const AUTOSCROLL_MS = 250;
/**
 * Events a render filters at most: a burst (a long recording arriving at once) is indexed over
 * the next frames instead of in one long frame.
 */
const SCAN_BUDGET = 250_000;

export function EventLog() {
  const buffer = useStore((s) => s.buffer);
  const total = useStore((s) => s.total);
  const position = useStore((s) => s.position);
  const loops = useStore((s) => s.model.loops.length);
  const [filter, setFilter] = useState<LogFilter>({ group: 'all', loop: '', fd: '' });
  const [, setScrolled] = useState(0);
  // The scroller's height, and the height the rows are rendered for: while the rows fly by, a
  // shrinking log (the explanation below it grew) keeps its rows until the next republishing
  // rather than render again at once; a growing one renders the rows it now shows.
  const height = useRef(300);
  const [rowsH, setRowsH] = useState(300);
  const scroller = useRef<HTMLDivElement>(null);
  const key = filterKey(filter);
  const index = useMemo(() => new FilteredIndex(key, matcher(filter)), [key, buffer]);
  index.update(buffer, Math.min(total, index.scanned + SCAN_BUDGET));
  // Behind the trace: render again at the next frame with the next part indexed.
  const [, setScanned] = useState(0);
  const behind = index.scanned < total;
  useEffect(() => {
    if (!behind) return;
    const id = requestAnimationFrame(() => setScanned(index.scanned));
    return () => cancelAnimationFrame(id);
  });
  const rows = index.length;
  const fullH = rows * ROW_H;
  const scale = fullH > MAX_SCROLL_PX ? fullH / MAX_SCROLL_PX : 1;
  const current = index.rowAtOrBefore(position - 1);

  const fast = useRef(false);
  useEffect(() => {
    const el = scroller.current;
    if (!el) return;
    const ro = new ResizeObserver(() => {
      height.current = el.clientHeight;
      setRowsH((h) => (fast.current && height.current < h ? h : height.current));
    });
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  // Keep the current event in view as the cursor moves. `shown` is where the list is scrolled:
  // moved here when the log follows the cursor, so that this render already has the rows of the
  // new position, and written to the scroller before the paint (the list is never blank).
  // Reading the DOM instead would force a layout.
  const shown = useRef(0);
  const written = useRef(0);
  const lastScroll = useRef(Number.NEGATIVE_INFINITY);
  const following = useStore((s) => s.following || (s.playing && s.speed >= 10));
  fast.current = following;
  const viewH = height.current;
  let top = shown.current;
  if (current >= 0) {
    const rowTop = (current * ROW_H) / scale;
    const now = performance.now();
    // Also when the log is resized (the explanation below it grew): the row must stay in view.
    // Setting scrollTop forces a layout of the page: while the rows fly by, 4 times a second.
    const away = rowTop < top || rowTop + ROW_H > top + viewH;
    if (away && (!following || now - lastScroll.current >= AUTOSCROLL_MS)) {
      lastScroll.current = now;
      top = Math.max(0, rowTop - viewH / 2);
    }
  }
  shown.current = top;
  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el || written.current === shown.current) return;
    el.scrollTop = shown.current;
    written.current = shown.current;
  });

  const scrollTop = top;
  const first = Math.max(0, Math.floor((scrollTop * scale) / ROW_H) - OVERSCAN);
  const last = Math.min(rows, Math.ceil((scrollTop * scale + Math.max(viewH, rowsH)) / ROW_H) + OVERSCAN);
  const items = [];
  for (let r = first; r < last; r++) {
    const i = index.at(r);
    const ev = buffer.event(i);
    const y = scrollTop + (r * ROW_H - scrollTop * scale);
    items.push(
      <div
        // Keyed by slot, not by row: scrolling updates these nodes instead of creating new ones.
        key={r % 128}
        className={`row${r === current ? ' sel' : ''}${i >= position ? ' future' : ''}`}
        style={{ top: y }}
        data-testid="event-row"
        data-seq={ev.seq}
        data-kind={ev.kind}
        onClick={() => {
          useStore.setState({ playing: false, following: false });
          seek(i + 1);
        }}
      >
        <span className="seq">{ev.seq}</span>
        <span className="lp">{ev.loop < 0 ? '·' : `L${ev.loop}`}</span>
        <span className="kind" style={{ color: eventColor(ev) }}>
          {ev.kind}
        </span>
        <span className="txt">{summary(ev)}</span>
      </div>,
    );
  }

  return (
    <div className="log">
      <div className="filter">
        <select
          data-testid="log-filter-group"
          value={filter.group}
          onChange={(e) => setFilter({ ...filter, group: e.target.value })}
        >
          {GROUPS.map((g) => (
            <option key={g.id} value={g.id}>
              {g.label}
            </option>
          ))}
        </select>
        <select
          data-testid="log-filter-loop"
          value={filter.loop}
          onChange={(e) => setFilter({ ...filter, loop: e.target.value })}
        >
          <option value="">all loops</option>
          {Array.from({ length: loops }, (_, i) => (
            <option key={i} value={String(i)}>
              loop {i}
            </option>
          ))}
          <option value="-1">clients</option>
        </select>
        <input
          type="text"
          placeholder="fd"
          data-testid="log-filter-fd"
          style={{ width: 50, flex: 'none' }}
          value={filter.fd}
          onChange={(e) => setFilter({ ...filter, fd: e.target.value.replace(/[^0-9]/g, '') })}
        />
        <span className="dim mono" data-testid="log-count" style={{ fontSize: 11 }}>
          {rows.toLocaleString()}
        </span>
      </div>
      <div
        className="scroller"
        ref={scroller}
        data-testid="event-log"
        onScroll={(e) => {
          const t = e.currentTarget.scrollTop;
          shown.current = t;
          written.current = t;
          setScrolled(t);
        }}
      >
        <div style={{ height: fullH / scale, position: 'relative' }}>{items}</div>
      </div>
    </div>
  );
}
