import { resolve } from 'node:path';

/** The project's root folder (where package.json, templates/ and the migrations are), in src/ or dist/. */
export const PROJECT_ROOT = resolve(import.meta.dirname, '..');
