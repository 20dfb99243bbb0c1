/**
 * Browser end-to-end harness: headless Debian chromium driven by playwright-core (never downloads a browser),
 * axe-core accessibility checks and screenshots in test-artifacts/screenshots/.
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core';
import type { AxeResults, ImpactValue } from 'axe-core';

const rootDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const SCREENSHOT_DIR = path.join(rootDir, 'test-artifacts', 'screenshots');

const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

export function chromiumPath(): string {
  return process.env.CHROMIUM_PATH || '/usr/bin/chromium';
}

/** Whether a chromium executable is installed (browser tests are skipped otherwise, unless CI=true). */
export function browserAvailable(): boolean {
  return existsSync(chromiumPath());
}

export async function launchBrowser(): Promise<Browser> {
  const executablePath = chromiumPath();
  if (!existsSync(executablePath)) {
    throw new Error(`Chromium introuvable à ${executablePath} : installez-le (apt-get install chromium) ou définissez CHROMIUM_PATH.`);
  }
  return chromium.launch({ executablePath, headless: true, args: CHROMIUM_ARGS, timeout: 30_000 });
}

/**
 * A French-speaking browser context. `bypassCSP` lets checkA11y inject axe-core into pages served with the
 * platform's CSP (script-src 'self'); the application itself is unaffected.
 */
export async function newContext(browser: Browser, options: BrowserContextOptions = {}): Promise<BrowserContext> {
  return browser.newContext({
    locale: 'fr-FR',
    timezoneId: 'Europe/Paris',
    viewport: { width: 1280, height: 900 },
    bypassCSP: true,
    ...options,
  });
}

export async function newPage(browser: Browser, options: BrowserContextOptions = {}): Promise<Page> {
  const context = await newContext(browser, options);
  return context.newPage();
}

/** Logs a demo identity in the way a user does: the shell's login link, the development provider's page, its button. */
export async function loginThroughShell(page: Page, baseUrl: string, identityLabel: string): Promise<void> {
  await page.goto(`${baseUrl}/`);
  await page.getByRole('link', { name: /S'identifier avec Pro Santé Connect/ }).click();
  await page.waitForURL(/\/dev-idp\/interaction\//);
  await page.getByRole('button', { name: identityLabel }).click();
  await page.waitForURL(`${baseUrl}/`);
}

let axeSource: string | null = null;
function axeScript(): string {
  if (axeSource === null) {
    const require = createRequire(import.meta.url);
    const axeDir = path.dirname(require.resolve('axe-core/package.json'));
    axeSource = readFileSync(path.join(axeDir, 'axe.min.js'), 'utf8');
  }
  return axeSource;
}

export interface A11yViolation {
  readonly id: string;
  readonly impact: ImpactValue | null | undefined;
  readonly help: string;
  readonly helpUrl: string;
  readonly targets: readonly string[];
}

/** Runs axe-core (WCAG 2.0/2.1 A and AA rules) on the page; returns the violations. */
export async function checkA11y(page: Page, label: string): Promise<{ violations: A11yViolation[]; report: string }> {
  const hasAxe = await page.evaluate(() => typeof (globalThis as { axe?: unknown }).axe !== 'undefined');
  if (!hasAxe) await page.addScriptTag({ content: axeScript() });
  const results = await page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run(context: unknown, options: unknown): Promise<AxeResults> } }).axe;
    const r = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return r.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      helpUrl: v.helpUrl,
      targets: v.nodes.map((n) => n.target.map(String).join(' > ')),
    }));
  });
  return { violations: results, report: formatViolations(label, results) };
}

export function formatViolations(label: string, violations: readonly A11yViolation[]): string {
  if (violations.length === 0) return `${label} : aucune violation axe (WCAG 2.1 A/AA).`;
  const lines = violations.map(
    (v) => `- [${v.impact ?? 'n/a'}] ${v.id} : ${v.help} (${v.helpUrl})\n${v.targets.map((t) => `    • ${t}`).join('\n')}`,
  );
  return `${label} : ${violations.length} violation(s) axe\n${lines.join('\n')}`;
}

/** Fails with a readable list when axe reports any WCAG 2.1 A/AA violation. */
export async function expectNoA11yViolations(page: Page, label: string): Promise<void> {
  const { violations, report } = await checkA11y(page, label);
  if (violations.length > 0) throw new Error(report);
}

/** Saves a full-page screenshot to test-artifacts/screenshots/<name>.png and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${name.replace(/[^\w.-]+/g, '-')}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}
