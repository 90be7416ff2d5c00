// The browser suites need Debian's Chromium (never a browser a tool downloads itself).
// On a fresh Debian machine, as root, install it once so `npm test` is one command.
import { execSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export default function setup(): void {
  if (existsSync('/usr/bin/chromium')) return;
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!root || !existsSync('/usr/bin/apt-get')) {
    throw new Error('The browser tests need /usr/bin/chromium: run `apt-get install -y chromium` (Debian) first.');
  }
  console.log('Installing Debian chromium for the browser tests…');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execSync('apt-get update -qq && apt-get install -y -qq chromium', { stdio: 'inherit', env });
}
