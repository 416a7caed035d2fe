import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const SIM = join(import.meta.dirname, '../../src/sim');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return sources(p);
    return p.endsWith('.ts') ? [p] : [];
  });
}

describe('the simulator is browser-safe', () => {
  it('imports only relative modules and @loopscope/trace', () => {
    const files = sources(SIM);
    expect(files.length).toBeGreaterThan(10);
    for (const f of files) {
      const specs = [...readFileSync(f, 'utf8').matchAll(/from '([^']+)'/g)].map((m) => m[1]!);
      for (const s of specs) {
        const ok =
          s.startsWith('./') || (s.startsWith('../') && !s.includes('linux')) || s === '@loopscope/trace';
        expect(ok, `${f} imports ${s}`).toBe(true);
      }
    }
  });
});
