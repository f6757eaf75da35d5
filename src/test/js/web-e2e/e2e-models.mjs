// The web page on a service with two models: the model selector lists both with their families, choosing the
// Qwen-Image demo switches to that family's controls and sends the model with the job, and the picture's details
// name the model it came from; choosing the default model again brings its own controls back.
// Usage: node e2e-models.mjs <base url> <screenshot folder>
import { checkCsp, fail, fill, jobBodies, launch, openPage } from './browser.mjs';

const [base, out] = process.argv.slice(2);

const browser = await launch();
try {
  const problems = [];
  const page = await openPage(browser, problems);
  const sent = jobBodies(page);

  await page.goto(`${base}/`);
  await page.waitForSelector('#model-line:has-text("custom")', { timeout: 30000 });
  const select = page.getByLabel('Model', { exact: true });
  if (!(await select.isVisible())) fail('no model selector on a service with two models');
  const options = await page.locator('#model option').allTextContents();
  if (options.length !== 2 || !options.some((o) => o.startsWith('qwen (qwen-image)'))) fail(`options: ${options}`);
  if ((await select.inputValue()) !== 'demo') fail(`selected at first: ${await select.inputValue()}`);
  console.log(`models: ${options.join(' | ')}`);

  await select.selectOption('qwen');
  await page.waitForSelector('#model-line:has-text("qwen-image")', { timeout: 10000 });
  const label = (await page.locator('#guidance-label').textContent()).trim();
  if (label !== 'True CFG scale') fail(`guidance label on qwen: ${label}`);
  await fill(page, { Prompt: '蓝色背景上的红色圆形', Width: '64', Height: '64', Steps: '4', Seed: '7' });
  await page.getByRole('button', { name: 'Generate' }).click();
  const img = page.locator('#results figure img').first();
  await img.waitFor({ timeout: 60000 });
  if (!sent.some((b) => b.includes('"model":"qwen"'))) fail(`the job was not sent with its model: ${sent}`);
  const details = (await page.locator('#results figure').first().textContent()).trim();
  if (!details.includes('qwen')) fail(`the picture does not say its model: ${details}`);
  console.log(`generated on qwen: ${details.replace(/\s+/g, ' ')}`);
  await page.screenshot({ path: `${out}/web-models.png`, fullPage: true });

  await select.selectOption('demo');
  await page.waitForSelector('#model-line:has-text("custom")', { timeout: 10000 });
  const back = (await page.locator('#guidance-label').textContent()).trim();
  if (back !== 'Guidance') fail(`guidance label back on demo: ${back}`);
  console.log(`back on demo: "${back}"`);

  checkCsp(problems);
  console.log('OK');
} finally {
  await browser.close();
}
