/**
 * The stage in words, for screen readers and tests: an off-screen section that lists what the
 * canvas shows (mode, EAGAIN spin, bytes lost, the latest accept race, listeners, loops with
 * their connections, clients), with the `data-testid`s of each item. Nodes are kept and only
 * their changed text and attributes are written, so that a reader's place in the list survives
 * an update; the owner calls `update` at a bounded rate.
 */
import type { ListenerState } from '../model/types';
import { maskShort } from '../theme';
import {
  clientSentence,
  clientsTitle,
  connSentence,
  laneSentence,
  listenerSentence,
  raceText,
  raceWords,
  topItems,
} from './labels';
import type { LaneData, StageData } from './stage-data';

function setAttr(el: Element, name: string, value: string): void {
  if (el.getAttribute(name) !== value) el.setAttribute(name, value);
}

function setText(el: Element, s: string): void {
  if (el.textContent !== s) el.textContent = s;
}

function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  return e;
}

const keyed = new WeakMap<Element, Map<string, HTMLElement>>();

/** Makes `parent`'s children one element per item, in order, reusing the element of each key. */
function syncList<T>(
  parent: HTMLElement,
  items: readonly T[],
  key: (t: T) => string,
  make: () => HTMLElement,
  fill: (e: HTMLElement, t: T) => void,
): void {
  const old = keyed.get(parent) ?? new Map<string, HTMLElement>();
  const next = new Map<string, HTMLElement>();
  let at: ChildNode | null = parent.firstChild;
  for (const it of items) {
    const k = key(it);
    const e = old.get(k) ?? make();
    next.set(k, e);
    fill(e, it);
    if (e !== at) parent.insertBefore(e, at);
    else at = at.nextSibling;
  }
  while (at) {
    const n: ChildNode | null = at.nextSibling;
    at.remove();
    at = n;
  }
  keyed.set(parent, next);
}

/** The description's nodes inside `root`: a summary line, then lists of listeners, loops, clients. */
export class StageDescription {
  private readonly summary: HTMLElement[];
  private readonly race: HTMLElement;
  private readonly listeners = el('ul', { 'aria-label': 'listeners' });
  private readonly loops = el('ul', { 'aria-label': 'loops' });
  private readonly clientsHead = el('p');
  private readonly clients = el('ul', { 'aria-label': 'clients' });

  constructor(root: HTMLElement) {
    const p = el('p');
    this.summary = ['stage-mode', 'eagain-spin', 'bytes-lost'].map((id) => {
      const s = el('span', { 'data-testid': id });
      p.append(s, '. ');
      return s;
    });
    this.race = el('span', { 'data-testid': 'accept-race' });
    p.append(this.race);
    root.replaceChildren(p, this.listeners, this.loops, this.clientsHead, this.clients);
  }

  /** Rewrites what changed; `pulses` counts the wake pulses drawn per loop. */
  update(d: StageData, pulses: readonly number[]): void {
    const items = topItems(d);
    for (let i = 0; i < items.length; i++) setText(this.summary[i]!, `${items[i]!.k} ${items[i]!.v}`);
    setText(this.race, raceText(d));
    syncList(
      this.listeners,
      d.listeners,
      (l) => String(l.fd),
      () => el('li', { 'data-testid': 'listener' }),
      (e, l: ListenerState) => {
        setAttr(e, 'data-loops', l.loops.join(','));
        setText(e, listenerSentence(l));
      },
    );
    syncList(
      this.loops,
      d.lanes,
      (l) => String(l.loop.index),
      () => {
        const li = el('li', { 'data-testid': 'loop-lane' });
        li.append(el('span'), el('span', { 'data-testid': 'accept-race-entry' }), el('ul'));
        return li;
      },
      (e, lane) => this.fillLane(e, lane, pulses[lane.loop.index] ?? 0),
    );
    setText(
      this.clientsHead,
      d.clients.length ? `${d.clients.length} client${d.clients.length === 1 ? '' : 's'}:` : clientsTitle(d),
    );
    syncList(
      this.clients,
      d.clients,
      (c) => String(c.id),
      () => el('li', { 'data-testid': 'client' }),
      (e, c) => {
        setAttr(e, 'data-mismatches', String(c.mismatches));
        setText(e, clientSentence(c));
      },
    );
  }

  private fillLane(e: HTMLElement, lane: LaneData, pulses: number): void {
    const l = lane.loop;
    setAttr(e, 'data-loop', String(l.index));
    setAttr(e, 'data-state', l.state);
    setAttr(e, 'data-pulses', String(pulses));
    const [head, race, conns] = [e.children[0]!, e.children[1]!, e.children[2] as HTMLElement];
    setText(head, laneSentence(lane));
    setAttr(race, 'data-outcome', lane.race?.outcome ?? '');
    setText(race, raceWords(lane));
    syncList(
      conns,
      lane.conns,
      (c) => `${c.fd}:${c.gen}`,
      () => el('li', { 'data-testid': 'conn-node' }),
      (n, c) => {
        setAttr(n, 'data-fd', String(c.fd));
        setAttr(n, 'data-mask', maskShort(c.mask));
        setAttr(n, 'data-phase', c.phase);
        setText(n, connSentence(c, lane.fromLog));
      },
    );
  }

  /** A one-line summary for the canvas's accessible name. */
  label(d: StageData): string {
    const conns = d.lanes.reduce((a, l) => a + l.conns.length + l.hidden, 0);
    return d.lanes.length === 0
      ? 'The event loops: nothing to show yet'
      : `The event loops: ${d.lanes.length} loop${d.lanes.length === 1 ? '' : 's'}, ${d.listeners.length} listener${
          d.listeners.length === 1 ? '' : 's'
        }, ${conns} connection${conns === 1 ? '' : 's'}, ${d.clients.length} client${
          d.clients.length === 1 ? '' : 's'
        } (listed in the stage description)`;
  }
}
