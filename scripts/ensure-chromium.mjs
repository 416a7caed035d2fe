#!/usr/bin/env node
// The browser tests drive Debian's Chromium (a browser download is not possible here):
// install it through apt when it is missing.
import { execSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const CHROMIUM = process.env.LOOPSCOPE_CHROMIUM ?? '/usr/bin/chromium';
if (existsSync(CHROMIUM)) {
  console.log(`chromium: ${CHROMIUM}`);
  process.exit(0);
}
if (process.getuid?.() !== 0) {
  console.error(`chromium: ${CHROMIUM} is missing; install it with: sudo apt-get install -y chromium`);
  process.exit(1);
}
console.log("chromium: installing Debian's chromium with apt-get ...");
execSync('apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null', {
  stdio: 'inherit',
  shell: '/bin/bash',
});
if (!existsSync(CHROMIUM)) {
  console.error(`chromium: apt-get finished but ${CHROMIUM} is still missing`);
  process.exit(1);
}
console.log(`chromium: ${CHROMIUM}`);
