// What both page tests share: Debian's chromium, headless, and a failure that exits 1 with a message.
import { chromium } from 'playwright-core';

export const fail = (message) => { console.error(`FAIL ${message}`); process.exit(1); };

export function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

// A page at desktop size that collects console errors and page errors into `problems`.
export async function openPage(browser, problems) {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on('console', (m) => { if (m.type() === 'error') problems.push(m.text()); });
  page.on('pageerror', (e) => problems.push(String(e)));
  return page;
}

// No Content-Security-Policy violation among the collected problems.
export function checkCsp(problems) {
  const csp = problems.filter((p) => /Content Security Policy|Refused/i.test(p));
  if (csp.length) fail(`CSP violations: ${csp.join(' | ')}`);
}

// the bodies of the jobs the page submits (POST /jobs), as they are sent
export function jobBodies(page) {
  const sent = [];
  page.on('request', (r) => { if (r.method() === 'POST' && r.url().endsWith('/jobs')) sent.push(r.postData() || ''); });
  return sent;
}

// fills the form's fields by their labels ({ 'Prompt': '…', 'Width': '64', … }), in that order
export async function fill(page, fields) {
  for (const [label, value] of Object.entries(fields)) await page.getByLabel(label, { exact: true }).fill(value);
}
