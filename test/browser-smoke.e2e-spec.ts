import { createServer, type Server } from 'node:http';
import { existsSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { launchBrowser, PHONE, screenshotPath } from './support/browser.js';

// The browser tests' own footing: Debian's Chromium starts headless on this machine's closed network,
// loads a page from 127.0.0.1, and a screenshot is written.
describe('headless Chromium', () => {
  let browser: Browser;
  let server: Server;
  let url: string;

  beforeAll(async () => {
    server = createServer((_req, res) => {
      res.setHeader('content-type', 'text/html; charset=utf-8');
      res.end('<!doctype html><html lang="ja"><title>t</title><h1>セキュリティに関するお知らせ</h1></html>');
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    const address = server.address();
    url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/`;
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await new Promise((done) => server.close(done));
  });

  it('renders a Japanese heading at a phone width and saves a screenshot', async () => {
    const page = await browser.newPage({ viewport: PHONE });
    await page.goto(url);
    expect(await page.locator('h1').textContent()).toBe('セキュリティに関するお知らせ');
    const file = screenshotPath('browser-smoke');
    await page.screenshot({ path: file });
    expect(existsSync(file)).toBe(true);
  });
});
