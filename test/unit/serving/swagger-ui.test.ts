// The bundled Swagger UI loads in headless Chromium, lists the scoring operation, and "Try it out" scores with the key.
import { mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { chromium, type Browser } from 'playwright-core';
import { startScoringServer, type ScoringServer } from '../../../src/serving';
import { PRIMARY, toyModel } from './toy-model';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
];

describe('Swagger UI page', () => {
  let server: ScoringServer;
  let browser: Browser;
  const requests: string[] = [];

  beforeAll(async () => {
    server = await startScoringServer({
      model: toyModel(),
      keys: { primaryKey: PRIMARY },
      logDestination: new Writable({ write: (_c, _e, d) => d() }),
    });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('lists the operations, loads nothing from outside, and scores through "Try it out"', async () => {
    const page = await browser.newPage();
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(`${server.url}/swagger/`);
    await page.locator('.opblock-summary-path', { hasText: '/score' }).first().waitFor({ timeout: 15_000 });
    const paths = await page.locator('.opblock-summary-path').allInnerTexts();
    expect(paths.map((p) => p.trim())).toEqual(expect.arrayContaining(['/', '/score']));

    const dir = join(__dirname, '..', '..', '..', 'test-output');
    mkdirSync(dir, { recursive: true });
    const shot = join(dir, 'swagger-ui.png');
    await page.screenshot({ path: shot, fullPage: true });
    expect(statSync(shot).size).toBeGreaterThan(10_000);

    // Authorize with the key as Azure's Swagger asks: "Bearer <key>".
    await page.locator('button.authorize').first().click();
    await page.locator('.modal-ux input[type=text]').first().fill(`Bearer ${PRIMARY}`);
    await page.locator('.modal-ux button[type=submit]').first().click();
    await page.locator('.modal-ux button.btn-done').first().click();

    const op = page.locator('.opblock-post').first();
    await op.locator('.opblock-summary').click();
    await op.locator('button.try-out__btn').click();
    await op.locator('button.execute').click();
    const status = op.locator('.live-responses-table tbody .response-col_status').first();
    await status.waitFor({ timeout: 10_000 });
    await page.screenshot({ path: join(dir, 'swagger-ui-try-it-out.png'), fullPage: true });
    expect((await status.innerText()).trim()).toBe('200');
    expect(await op.locator('.live-responses-table tbody .microlight').first().innerText()).toContain('Results');

    const outside = requests.filter((u) => !u.startsWith(server.url) && !u.startsWith('data:'));
    expect(outside).toEqual([]);
  });
});
