/**
 * Deterministic payloads shared by the scenario handlers and the scenario clients (simulated and
 * real), so that a client can verify every byte it receives.
 */

/** `len` deterministic bytes: different `salt`s give different streams, so a swap shows up. */
export function pattern(len: number, salt: number): Uint8Array {
  const out = new Uint8Array(len);
  for (let i = 0; i < len; i++) out[i] = (i * 131 + salt * 17 + (i >>> 8) * 7 + 1) & 0xff;
  return out;
}

/** Concatenates byte arrays. */
export function join(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

/** The ASCII text of `bytes` (the scenarios' line protocols). */
export function text(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return s;
}

/** A positive integer parameter of a handler, or a clear error. */
export function intParam(params: unknown, name: string, fallback: number, max: number): number {
  const v = (params as Record<string, unknown> | null | undefined)?.[name];
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > max) {
    throw new Error(
      `handler parameter ${name} must be an integer from 0 to ${max}, got ${JSON.stringify(v)}`,
    );
  }
  return v;
}
