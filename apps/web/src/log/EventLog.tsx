/** The event log: filterable and virtualized (only visible rows exist), for millions of events. */
import { useEffect, useMemo, useRef, useState } from 'react';
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

export function EventLog() {
  const buffer = useStore((s) => s.buffer);
  const total = useStore((s) => s.total);
  const position = useStore((s) => s.position);
  const loops = useStore((s) => s.model.loops.length);
  const [filter, setFilter] = useState<LogFilter>({ group: 'all', loop: '', fd: '' });
  const [scrollTop, setScrollTop] = useState(0);
  const [height, setHeight] = useState(300);
  const scroller = useRef<HTMLDivElement>(null);
  const key = filterKey(filter);
  const index = useMemo(() => new FilteredIndex(key, matcher(filter)), [key, buffer]);
  index.update(buffer.events, total);
  const rows = index.length;
  const fullH = rows * ROW_H;
  const scale = fullH > MAX_SCROLL_PX ? fullH / MAX_SCROLL_PX : 1;
  const current = index.rowAtOrBefore(position - 1);

  useEffect(() => {
    const el = scroller.current;
    if (!el) return;
    const ro = new ResizeObserver(() => setHeight(el.clientHeight));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  // Keep the current event in view as the cursor moves (from state: reading the DOM forces a layout).
  const view = useRef({ scrollTop, height });
  view.current = { scrollTop, height };
  const following = useStore((s) => s.following || (s.playing && s.speed >= 10));
  const lastScroll = useRef(0);
  useEffect(() => {
    const el = scroller.current;
    if (!el || current < 0) return;
    // Setting scrollTop forces a layout of the page: while the rows fly by, 4 times a second.
    const now = performance.now();
    if (following && now - lastScroll.current < AUTOSCROLL_MS) return;
    lastScroll.current = now;
    const v = view.current;
    const top = (current * ROW_H) / scale;
    // Also when the log is resized (the explanation below it grew): the row must stay in view.
    if (top < v.scrollTop || top + ROW_H > v.scrollTop + height) {
      const next = Math.max(0, top - height / 2);
      el.scrollTop = next;
      setScrollTop(next);
    }
  }, [current, scale, height, following]);

  const first = Math.max(0, Math.floor((scrollTop * scale) / ROW_H) - OVERSCAN);
  const last = Math.min(rows, Math.ceil((scrollTop * scale + height) / ROW_H) + OVERSCAN);
  const items = [];
  for (let r = first; r < last; r++) {
    const i = index.indices[r]!;
    const ev = buffer.events[i]!;
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
        onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)}
      >
        <div style={{ height: fullH / scale, position: 'relative' }}>{items}</div>
      </div>
    </div>
  );
}
