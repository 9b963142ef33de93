import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

const SCRIPT = resolve(__dirname, '../scripts/check-modules.mjs');

/** Runs the module check over a tree of files (path -> content) laid out as src/ is. */
function check(tree: Record<string, string>): { code: number | null; out: string } {
  const src = mkdtempSync(join(tmpdir(), 'modules-'));
  try {
    for (const [path, content] of Object.entries(tree)) {
      mkdirSync(dirname(join(src, path)), { recursive: true });
      writeFileSync(join(src, path), content);
    }
    const run = spawnSync(process.execPath, [SCRIPT, '--src', src], { encoding: 'utf8' });
    return { code: run.status, out: run.stdout + run.stderr };
  } finally {
    rmSync(src, { recursive: true, force: true });
  }
}

describe('scripts/check-modules.mjs (npm test runs it over src/)', () => {
  it('passes src/ as it is', () => {
    const run = spawnSync(process.execPath, [SCRIPT], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/no cycle/);
  });

  it('passes imports down the layers and sideways without a loop', () => {
    const { code } = check({
      'common/errors.ts': 'export class AppError {}\n',
      'subjects/subjects.service.ts': "import { AppError } from '../common/errors.js';\n",
      'scoping/scoping.service.ts': "import '../subjects/subjects.service.js';\n",
      'main.ts': "import './scoping/scoping.service.js';\n",
    });
    expect(code).toBe(0);
  });

  it('names a folder that imports a layer above it, with the files', () => {
    const { code, out } = check({
      'common/auth.guard.ts': "import type { ApiKeysService } from '../api-keys/api-keys.service.js';\n",
      'api-keys/api-keys.service.ts': 'export class ApiKeysService {}\n',
    });
    expect(code).toBe(1);
    expect(out).toContain('common (layer 0) imports api-keys (layer 2), a layer above it:');
    expect(out).toMatch(/common\/auth\.guard\.ts imports \S*api-keys\/api-keys\.service\.ts/);
  });

  it('names a loop within a layer, edge by edge, with the files; dynamic imports count', () => {
    const { code, out } = check({
      'scoping/scoping.service.ts': "export const x = 1;\nimport '../subjects/subjects.service.js';\n",
      'subjects/subjects.service.ts': "export const load = () => import('../scoping/scoping.service.js');\n",
    });
    expect(code).toBe(1);
    expect(out).toContain('import cycle between scoping, subjects; one loop: scoping -> subjects -> scoping');
    expect(out).toMatch(/subjects\/subjects\.service\.ts imports \S*scoping\/scoping\.service\.ts/);
  });

  it('fails on a folder in no layer', () => {
    const { code, out } = check({
      'helpers/page.ts': "import '../config/config.js';\n",
      'config/config.ts': '',
    });
    expect(code).toBe(1);
    expect(out).toContain('helpers is in no layer');
  });
});
