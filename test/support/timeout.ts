import { stopAllChildren } from './processes.js';

// The medium and e2e tiers start services, databases and Redis servers: Jest's 5 s default (a unit
// test's) fails their hooks on a loaded 2-core machine. `testTimeout` in a project's config is not read
// (Jest takes it from the global config only), so each of those files is given 60 s here; a case that
// needs more says so itself.
jest.setTimeout(60_000);

// Every e2e and medium file: child processes it started and did not stop (a case failed before its own
// kill, a hook threw) are killed, so that Jest can exit (test/support/processes.ts).
afterAll(() => stopAllChildren());
