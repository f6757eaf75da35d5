// The web page on a Qwen-Image model: the family's own controls (true CFG scale, sizes in steps of 16), a
// generation from a Chinese prompt, and a size that is not a multiple of 16 refused in words.
// Usage: node e2e-qwen.mjs <base url> <screenshot folder>
import { checkCsp, fail, fill, jobBodies, launch, openPage } from './browser.mjs';

const [base, out] = process.argv.slice(2);

const browser = await launch();
try {
  const problems = [];
  const page = await openPage(browser, problems);
  const sent = jobBodies(page);

  await page.goto(`${base}/`);
  await page.waitForSelector('#model-line:has-text("qwen-image")', { timeout: 30000 });
  const label = (await page.locator('#guidance-label').textContent()).trim();
  if (label !== 'True CFG scale') fail(`guidance label: ${label}`);
  const guidance = await page.getByLabel('True CFG scale').inputValue();
  if (guidance !== '4') fail(`true CFG default: ${guidance}`);
  const step = await page.getByLabel('Width').getAttribute('step');
  if (step !== '16') fail(`width step: ${step}`);
  const schedulers = await page.locator('#scheduler option').allTextContents();
  if (schedulers.join() !== 'flow_match_euler') fail(`schedulers: ${schedulers}`);
  console.log(`controls: "${label}" ${guidance}, width step ${step}, schedulers ${schedulers}`);

  await fill(page, { Prompt: '蓝色背景上的红色圆形', Width: '64', Height: '64', Steps: '12', Seed: '7' });
  await page.getByRole('button', { name: 'Generate' }).click();
  const img = page.locator('#results figure img').first();
  await img.waitFor({ timeout: 60000 });
  const size = await img.evaluate(async (i) => { await i.decode(); return [i.naturalWidth, i.naturalHeight]; });
  if (size[0] !== 64 || size[1] !== 64) fail(`the picture decoded at ${size}`);
  if (!sent.some((b) => b.includes('"true_cfg_scale":4'))) fail(`the job was not sent with true_cfg_scale: ${sent}`);
  console.log(`generated: ${size[0]}x${size[1]} with true_cfg_scale`);
  await page.screenshot({ path: `${out}/web-qwen.png`, fullPage: true });

  await page.getByLabel('Width').fill('72');
  await page.getByRole('button', { name: 'Generate' }).click();
  await page.locator('#error', { hasText: 'multiple of 16' }).waitFor({ timeout: 10000 });
  console.log(`error shown: ${(await page.locator('#error').textContent()).trim()}`);

  checkCsp(problems);
  console.log('OK');
} finally {
  await browser.close();
}
