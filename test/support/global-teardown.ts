/** Stops the run's own Redis server (see global-setup). */
export default function globalTeardown(): void {
  const pid = Number(process.env.E2E_REDIS_PID);
  if (!pid) return;
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}
