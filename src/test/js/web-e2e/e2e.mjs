// The web page in Debian's chromium: generate a picture, check its size, cancel a long generation, and take
// desktop and phone screenshots. Usage: node e2e.mjs <base url> <screenshot folder> [api key]
import { checkCsp, fail, launch, openPage } from './browser.mjs';

const [base, out, apiKey] = process.argv.slice(2);

const browser = await launch();
try {
  const problems = [];
  const page = await openPage(browser, problems);

  await page.goto(`${base}/`);
  if (!page.url().endsWith('/ui/')) fail(`/ did not lead to the page: ${page.url()}`);
  if (apiKey) {
    await page.getByText('API key', { exact: true }).click();
    await page.getByLabel('API key (kept in this tab only)').fill(apiKey);
    await page.getByLabel('API key (kept in this tab only)').dispatchEvent('change');
    await page.reload();
  }
  await page.waitForSelector('#model-line:has-text("Model")', { timeout: 30000 });

  // keyboard only: the fields are labelled and reachable
  await page.getByLabel('Prompt', { exact: true }).fill('a red circle on a blue background');
  await page.getByLabel('Width').fill('64');
  await page.getByLabel('Height').fill('64');
  await page.getByLabel('Steps').fill('8');
  await page.getByLabel('Seed').fill('7');
  await page.getByRole('button', { name: 'Generate' }).focus();
  await page.keyboard.press('Enter');
  const img = page.locator('#results figure img').first();
  await img.waitFor({ timeout: 60000 });
  const size = await img.evaluate(async (i) => { await i.decode(); return [i.naturalWidth, i.naturalHeight]; });
  if (size[0] !== 64 || size[1] !== 64) fail(`the picture decoded at ${size}`);
  const caption = await page.locator('#results figcaption').first().textContent();
  if (!caption.includes('Seed 7') || !caption.includes('64×64')) fail(`caption: ${caption}`);
  console.log(`generated: ${size[0]}x${size[1]}, "${caption.trim()}"`);
  await page.screenshot({ path: `${out}/web-desktop.png`, fullPage: true });

  // a long generation, cancelled while it runs
  await page.getByLabel('Width').fill('512');
  await page.getByLabel('Height').fill('512');
  await page.getByLabel('Steps').fill('100');
  await page.getByRole('button', { name: 'Generate' }).click();
  await page.locator('#status', { hasText: /Step \d+ of 100/ }).waitFor({ timeout: 60000 });
  // the live preview shows the picture as it forms: a PNG of 512/8 = 64 latent pixels, enlarged to 256
  const preview = page.locator('#preview-box:not([hidden]) img');
  await preview.waitFor({ timeout: 30000 });
  const shown = await preview.evaluate(async (el) => {
    await el.decode();
    return [el.naturalWidth, el.naturalHeight, el.src.slice(0, 22)];
  });
  if (shown[0] !== 256 || shown[1] !== 256 || shown[2] !== 'data:image/png;base64,') {
    fail(`the preview is ${shown}`);
  }
  const previewCaption = await page.locator('#preview-caption').textContent();
  if (!/Preview after step \d+/.test(previewCaption)) fail(`preview caption "${previewCaption}"`);
  console.log(`preview shown: ${shown[0]}x${shown[1]}, "${previewCaption}"`);
  await page.getByRole('button', { name: 'Cancel' }).click();
  await page.locator('#status', { hasText: 'Cancelled' }).waitFor({ timeout: 30000 });
  if (await page.locator('#results figure').count() !== 1) fail('the cancelled generation left a picture');
  console.log('cancelled a running generation');

  // an error in words: an impossible size
  await page.getByLabel('Width').fill('10');
  await page.getByRole('button', { name: 'Generate' }).click();
  await page.locator('#error', { hasText: 'width' }).waitFor({ timeout: 10000 });
  console.log(`error shown: ${(await page.locator('#error').textContent()).trim()}`);
  await page.getByLabel('Width').fill('64');

  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: `${out}/web-phone.png`, fullPage: true });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
  if (overflow) fail('the page is wider than a phone');

  checkCsp(problems);
  console.log('OK');
} finally {
  await browser.close();
}
