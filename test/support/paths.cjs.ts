import { resolve } from 'node:path';

// Jest runs CommonJS, where src/paths.ts's import.meta cannot be parsed; this twin answers the same.
export const PROJECT_ROOT = resolve(__dirname, '..', '..');
