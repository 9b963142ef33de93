import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { PROJECT_ROOT } from '../paths.js';
import { VARIABLES } from './variables.js';

describe('README configuration table', () => {
  it('lists every variable the service reads, with its default', () => {
    const readme = readFileSync(resolve(PROJECT_ROOT, 'README.md'), 'utf8');
    for (const variable of VARIABLES) {
      const row = readme
        .split('\n')
        .find((line) => new RegExp(`^\\|\\s*\`${variable.name}\`\\s*\\|`).test(line));
      expect(row).toBeDefined();
      if (variable.default !== undefined) expect(row).toContain(`\`${variable.default}\``);
    }
  });
});

describe('README CLI commands', () => {
  it('names every command of the CLI (issue 19: --help and README list them all)', () => {
    const readme = readFileSync(resolve(PROJECT_ROOT, 'README.md'), 'utf8');
    const cli = readFileSync(resolve(PROJECT_ROOT, 'src/cli.ts'), 'utf8');
    // The keys of the CLI's COMMANDS table, read from its source (importing it would run it).
    const table = /const COMMANDS[^=]*= \{([^}]*)\}/.exec(cli)?.[1] ?? '';
    const commands = [...table.matchAll(/^\s*'?([a-z][a-z:-]*)'?:/gm)].map((m) => m[1]);
    expect(commands.length).toBeGreaterThanOrEqual(6);
    // As code, alone or with its arguments (`openapi [--check]`; `openapi.json` is not the command).
    const named = (command: string) => readme.includes(`\`${command}\``) || readme.includes(`\`${command} `);
    expect(commands.filter((command) => !named(command))).toEqual([]);
  });
});
