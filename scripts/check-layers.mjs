#!/usr/bin/env node
// Enforces the direction of dependencies (see docs/architecture.md):
//   trace <- engine (core, sim, handlers: browser-safe; linux: Node only) <- server; web <- trace + engine's browser entry.
// Exits non-zero and names every offending import.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const packages = ['packages/trace', 'packages/engine', 'apps/server', 'apps/web', 'e2e'];
const importRe =
  /(?:import|export)\s[^'"`;]*?from\s*['"]([^'"]+)['"]|import\s*\(\s*['"]([^'"]+)['"]\s*\)|import\s+['"]([^'"]+)['"]|require\(\s*['"]([^'"]+)['"]\s*\)/g;

function* files(dir) {
  let entries;
  try {
    entries = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of entries) {
    if (name === 'node_modules' || name === 'dist') continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) yield* files(p);
    else if (/\.(ts|tsx|mts|js|mjs)$/.test(name)) yield p;
  }
}

const isNode = (s) =>
  s.startsWith('node:') ||
  ['fs', 'path', 'os', 'worker_threads', 'net', 'http', 'crypto', 'stream', 'url', 'child_process'].includes(
    s,
  );

/** Rules: [file predicate, import predicate, message]. */
const rules = [
  [
    (f) => f.startsWith('packages/trace/src/'),
    (s) => !s.startsWith('.'),
    'packages/trace imports nothing but its own files',
  ],
  [
    (f) => /^packages\/engine\/src\/(core|sim|handlers)\//.test(f) || f === 'packages/engine/src/index.ts',
    (s) => isNode(s) || s === 'koffi' || s.includes('/linux'),
    'the engine core, simulator and handlers are browser-safe: no Node, no koffi, no linux backend',
  ],
  [
    (f) => !f.startsWith('packages/engine/src/linux/'),
    (s) => s === 'koffi' || s.startsWith('koffi/'),
    'only packages/engine/src/linux/ may import koffi',
  ],
  [
    (f) => f.startsWith('apps/web/src/'),
    (s) =>
      s === 'koffi' || s.startsWith('@loopscope/engine/linux') || s.includes('engine/src/linux') || isNode(s),
    "apps/web never imports koffi, Node modules or the engine's Linux backend",
  ],
];

const problems = [];
let checked = 0;
for (const pkg of packages) {
  for (const file of files(join(root, pkg))) {
    const rel = relative(root, file).split(sep).join('/');
    // Comments (doc examples) are not imports.
    const text = readFileSync(file, 'utf8')
      .replace(/\/\*[\s\S]*?\*\//g, '')
      .replace(/^\s*\/\/.*$/gm, '');
    checked++;
    for (const m of text.matchAll(importRe)) {
      const spec = m[1] ?? m[2] ?? m[3] ?? m[4];
      if (!spec) continue;
      for (const [applies, bad, msg] of rules) {
        if (applies(rel) && bad(spec)) problems.push(`${rel}: imports '${spec}': ${msg}`);
      }
      if (spec.startsWith('.')) {
        const target = relative(root, resolve(dirname(file), spec))
          .split(sep)
          .join('/');
        if (!target.startsWith(`${pkg}/`) && target !== pkg) {
          problems.push(
            `${rel}: imports '${spec}': no relative imports across packages (use the package name)`,
          );
        }
      }
    }
  }
}
if (problems.length > 0) {
  console.error(`layering: ${problems.length} problem(s)\n${problems.map((p) => `  ${p}`).join('\n')}`);
  process.exit(1);
}
console.log(`layering: ${checked} files checked, dependencies point one way`);
