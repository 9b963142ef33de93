// The medium and e2e tiers start services, databases and Redis servers: Jest's 5 s default (a unit
// test's) fails their hooks on a loaded 2-core machine. `testTimeout` in a project's config is not read
// (Jest takes it from the global config only), so each of those files is given 60 s here; a case that
// needs more says so itself.
jest.setTimeout(60_000);
