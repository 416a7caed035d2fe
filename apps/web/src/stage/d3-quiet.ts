/**
 * Makes d3's `attr` and `text` skip writes that change nothing. The stage is redrawn every
 * frame from plain values; an unchanged attribute written again still invalidates style and
 * layout in the browser, and that (not the drawing code) dominated each frame.
 */
import * as d3 from 'd3';

type Value = string | number | boolean | null | undefined;
type ValueFn = (this: Element, d: unknown, i: number, nodes: Element[]) => Value;

const proto = d3.selection.prototype as unknown as {
  attr(this: d3.Selection<Element, unknown, null, undefined>, name: string, value?: Value | ValueFn): unknown;
  text(this: d3.Selection<Element, unknown, null, undefined>, value?: Value | ValueFn): unknown;
  __quiet?: boolean;
};

if (!proto.__quiet) {
  proto.__quiet = true;
  const attr = proto.attr;
  const text = proto.text;
  proto.attr = function (...args: [string, (Value | ValueFn)?]) {
    const [name, value] = args;
    if (args.length < 2 || name.includes(':')) return attr.apply(this, args);
    return this.each(function (this: Element, d: unknown, i: number, nodes: ArrayLike<Element>) {
      const v = typeof value === 'function' ? value.call(this, d, i, Array.from(nodes)) : value;
      if (v === null || v === undefined) {
        if (this.hasAttribute(name)) this.removeAttribute(name);
      } else {
        const s = String(v);
        if (this.getAttribute(name) !== s) this.setAttribute(name, s);
      }
    });
  };
  proto.text = function (...args: [(Value | ValueFn)?]) {
    const [value] = args;
    if (args.length < 1) return text.apply(this, args);
    return this.each(function (this: Element, d: unknown, i: number, nodes: ArrayLike<Element>) {
      const v = typeof value === 'function' ? value.call(this, d, i, Array.from(nodes)) : value;
      const s = v === null || v === undefined ? '' : String(v);
      if (this.textContent !== s) this.textContent = s;
    });
  };
}
