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
