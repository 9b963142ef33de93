import { mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import { join, resolve } from 'node:path';
import { chromium, type Browser } from 'playwright-core';

/** Debian's chromium (`.ci/run` installs it); CHROMIUM_PATH overrides. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Screenshots land here (git-ignored): test-output/screenshots/<name>.png. */
export const SCREENSHOTS = resolve(__dirname, '..', '..', 'test-output', 'screenshots');

/** A phone's viewport (an iPhone 12/13/14's CSS pixels). */
export const PHONE = { width: 390, height: 844 } as const;

/**
 * Headless Chromium with the flags this machine needs: the network is closed, so background networking,
 * component updates and sync are off (else it tries Google's hosts at every start); Playwright gives each
 * launch a fresh temporary profile. Root has no sandbox.
 */
export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** Where a screenshot of this name goes (the folder is created). */
export function screenshotPath(name: string): string {
  mkdirSync(SCREENSHOTS, { recursive: true });
  return join(SCREENSHOTS, `${name}.png`);
}

/** Opens `server` on a free port of 127.0.0.1 for a browser to reach; its base URL (no trailing slash). */
export async function listenLocally(server: Server): Promise<string> {
  if (!server.listening) await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const address = server.address();
  return `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
}
