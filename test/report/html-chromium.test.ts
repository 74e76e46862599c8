/**
 * report.html and index.html, as the writer writes them (uPlot inlined), open in headless
 * Chromium (Debian's package, driven by playwright-core; never a downloaded browser) with the
 * network cut off: no request leaves the file, the console has no error, and every chart drew
 * (canvases with lines and the shaded fault phase). A screenshot goes to a temp folder.
 * Fails, never skips, without /usr/bin/chromium (scripts/test-prerequisites.sh installs it).
 */
import { expect } from 'chai';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { writeIndex, writeRunReports } from '../../src/report/write-reports.js';
import { fixtureReports, fixtureRuns } from './report-fixtures.js';

const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const chromiumArgs = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

interface CanvasInk {
  width: number;
  height: number;
  inked: number;
  colours: number;
  shaded: number;
}

describe('report.html in headless Chromium, offline', function () {
  this.timeout(120_000);
  let work: string;
  let context: BrowserContext;
  const requests: string[] = [];

  before(async () => {
    if (!existsSync(executablePath))
      throw new Error(
        `${executablePath} is missing: run bash scripts/test-prerequisites.sh (apt-get install chromium); this test must not be skipped`,
      );
    work = mkdtempSync(path.join(tmpdir(), 'chaos-html-'));
    cpSync(fixtureReports, path.join(work, 'reports'), { recursive: true });
    for (const folder of Object.values(fixtureRuns)) await writeRunReports(path.join(work, 'reports', folder));
    await writeIndex(path.join(work, 'reports'));
    context = await chromium.launchPersistentContext(path.join(work, 'profile'), {
      executablePath,
      headless: true,
      args: chromiumArgs,
      offline: true,
      viewport: { width: 1200, height: 900 },
    });
    context.on('request', (request) => requests.push(request.url()));
    await context.route('**/*', (route) =>
      route.request().url().startsWith('file://') ? route.continue() : route.abort(),
    );
  });
  after(async () => {
    await context?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  async function open(file: string) {
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warning')
        problems.push(`${message.type()}: ${message.text()}`);
    });
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    const started = performance.now();
    await page.goto(`file://${file}`);
    await page.waitForSelector('html[data-charts="drawn"]', { timeout: 30_000 });
    const renderMs = performance.now() - started;
    // How much of each canvas is drawn on, in how many colours, and how much is the fault shading.
    const canvases = await page.$$eval('.uplot canvas', (elements) =>
      elements.map((element) => {
        const canvas = element as HTMLCanvasElement;
        const pixels = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
        let inked = 0;
        let shaded = 0;
        const colours = new Set<number>();
        for (let i = 0; i < pixels.length; i += 4) {
          const [r, g, b, a] = [pixels[i]!, pixels[i + 1]!, pixels[i + 2]!, pixels[i + 3]!];
          if (a === 0) continue;
          inked += 1;
          if (colours.size < 64) colours.add((r << 16) | (g << 8) | b);
          if (r > 150 && g < 90 && b < 90 && a > 15 && a < 60) shaded += 1;
        }
        return { width: canvas.width, height: canvas.height, inked, colours: colours.size, shaded };
      }),
    );
    return { page, problems, renderMs, canvases: canvases as CanvasInk[] };
  }

  it('a failed run: charts drawn per ingress with the fault phase shaded, no console error, no request, a screenshot', async () => {
    const file = path.join(work, 'reports', fixtureRuns.failed, 'report.html');
    const { page, problems, renderMs, canvases } = await open(file);
    expect(problems).to.deep.equal([]);
    expect(canvases).to.have.length(6, 'three charts for each of the two ingresses');
    for (const canvas of canvases) {
      expect(canvas.inked, JSON.stringify(canvas)).to.be.greaterThan(canvas.width * canvas.height * 0.05);
      expect(canvas.colours, JSON.stringify(canvas)).to.be.greaterThan(3);
      expect(canvas.shaded, `fault phase shading: ${JSON.stringify(canvas)}`).to.be.greaterThan(1000);
    }
    // One failing row per failing verdict of the run the page renders.
    const failing = (
      JSON.parse(readFileSync(path.join(fixtureReports, fixtureRuns.failed, 'result.json'), 'utf8')) as {
        verdicts: Array<{ pass: boolean }>;
      }
    ).verdicts.filter((v) => !v.pass).length;
    expect(failing).to.be.greaterThan(0);
    expect(await page.locator('tr.fail').count()).to.equal(failing);
    expect(await page.locator('ol.events li').count()).to.equal(2);
    const shot = path.join(tmpdir(), `chaos-report-${process.pid}.png`);
    await page.screenshot({ path: shot, fullPage: true });
    expect(statSync(shot).size).to.be.greaterThan(50_000);
    console.log(
      `      report.html (${Math.round(statSync(file).size / 1024)} KiB) rendered and drew its charts in ${Math.round(renderMs)} ms; screenshot: ${shot}`,
    );
    expect(requests.filter((url) => !url.startsWith('file://'))).to.deep.equal([]);
    await page.close();
  });

  it('the reports index: a trend chart per scenario, no console error, no request', async () => {
    const file = path.join(work, 'reports', 'index.html');
    const { page, problems, canvases } = await open(file);
    expect(problems).to.deep.equal([]);
    expect(canvases).to.have.length(2, 'frontend-zero and ledger-db-zero');
    for (const canvas of canvases)
      expect(canvas.inked, JSON.stringify(canvas)).to.be.greaterThan(canvas.width * canvas.height * 0.02);
    expect(await page.locator('a[href$="/report.html"]').count()).to.be.greaterThan(2);
    expect(requests.filter((url) => !url.startsWith('file://'))).to.deep.equal([]);
    await page.close();
  });
});
