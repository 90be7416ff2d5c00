// Typed tracking plan (README "Typed tracking plan"): the fixtures in ./fixture use the
// package the way a user does (`import … from 'tutti'`, resolved through package.json
// "exports" to the shipped dist/types), with plain lines that must compile and
// `@ts-expect-error` lines that must not. tsc fails on either kind of mistake: a wrong line
// is an error, and an `@ts-expect-error` with nothing to expect is one too.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));

describe('typed tracking plan (shipped .d.ts)', () => {
  it('accepts the plan\'s events, refuses misuse, and leaves untyped instances as they were', () => {
    expect(existsSync(root + 'dist/types/adapters/web/index.d.ts'), 'run `npm run build` first').toBe(true);
    const r = spawnSync(process.execPath, [root + 'node_modules/typescript/bin/tsc', '--noEmit', '-p', root + 'test/types/fixture/tsconfig.json'], {
      cwd: root,
      encoding: 'utf8',
    });
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});
