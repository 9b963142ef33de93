import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';

/**
 * Child processes a test file started (the built service, a worker, a CLI run, a proxy), stopped after
 * the file whatever happened in it. A case that failed before its own kill, a hook that threw, a child
 * that hung past a case's timeout: each left a process running, and with it the pipes to its output, so
 * Jest never exited ("did not exit one second after the test run", then a hang until CI killed it).
 * test/support/timeout.ts stops what is left after every e2e and medium file.
 */
const running = new Set<ChildProcess>();

/** `spawn`, tracked: whatever is still running at the end of the file is stopped. */
export function spawnTracked(
  command: string,
  args: readonly string[],
  options: SpawnOptions = {},
): ChildProcess {
  const child = spawn(command, args, options);
  running.add(child);
  child.once('exit', () => running.delete(child));
  // A child that could not start ('error', no 'exit'): nothing to stop.
  child.once('error', () => running.delete(child));
  return child;
}

const exited = (child: ChildProcess) => child.exitCode !== null || child.signalCode !== null;

/**
 * Stops `child` and resolves once it has exited: `signal` first (SIGTERM lets the service drain), then
 * SIGKILL after `graceMs` if it is still there, so that a stop never waits on a child that hangs.
 */
export async function stopChild(
  child: ChildProcess,
  signal: NodeJS.Signals = 'SIGTERM',
  graceMs = 10_000,
): Promise<void> {
  if (exited(child) || child.pid === undefined) return;
  const gone = new Promise<void>((done) => child.once('exit', () => done()));
  child.kill(signal);
  if (signal === 'SIGKILL') return gone;
  const timer = setTimeout(() => {
    if (!exited(child)) child.kill('SIGKILL');
  }, graceMs);
  try {
    await gone;
  } finally {
    clearTimeout(timer);
  }
}

/** Kills every tracked child still running (SIGKILL: the file is over) and waits for each to exit. */
export async function stopAllChildren(): Promise<void> {
  await Promise.all([...running].map((child) => stopChild(child, 'SIGKILL')));
}
