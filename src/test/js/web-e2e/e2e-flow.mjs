// The web page on the SD3 and FLUX families (tiny random-weight fixtures beside the demo): choosing FLUX.1-schnell
// shows that it takes no guidance (the field disabled) and its 4 default steps, and generates on it; choosing SD3
// brings its classifier-free guidance (7) and 28 default steps back, and generates on it too.
// Usage: node e2e-flow.mjs <base url> <screenshot folder>
import { checkCsp, fail, fill, jobBodies, launch, openPage } from './browser.mjs';

const [base, out] = process.argv.slice(2);

async function generateOn(page, sent, id) {
  await fill(page, { Prompt: 'a red circle on a blue background', Width: '64', Height: '64', Steps: '2', Seed: '7' });
  const before = await page.locator('#results figure img').count();
  await page.getByRole('button', { name: 'Generate' }).click();
  // a locator, not waitForFunction: the page's CSP forbids evaluating strings
  await page.locator('#results figure img').nth(before).waitFor({ timeout: 60000 });
  if (!sent.some((b) => b.includes(`"model":"${id}"`))) fail(`the job was not sent with its model ${id}: ${sent}`);
  const details = (await page.locator('#results figure').first().textContent()).trim();
  if (!details.includes(id)) fail(`the picture does not say its model ${id}: ${details}`);
  return details.replace(/\s+/g, ' ');
}

const browser = await launch();
try {
  const problems = [];
  const page = await openPage(browser, problems);
  const sent = jobBodies(page);

  await page.goto(`${base}/`);
  await page.waitForSelector('#model-line:has-text("custom")', { timeout: 30000 });
  const select = page.getByLabel('Model', { exact: true });
  const options = await page.locator('#model option').allTextContents();
  if (!options.some((o) => o.startsWith('flux (flux.1-schnell)')) || !options.some((o) => o.startsWith('sd3 (sd3)'))) {
    fail(`options: ${options}`);
  }
  console.log(`models: ${options.join(' | ')}`);

  await select.selectOption('flux');
  await page.waitForSelector('#model-line:has-text("flux.1-schnell")', { timeout: 10000 });
  const disabled = await page.locator('#guidance').isDisabled();
  const title = await page.locator('#guidance').getAttribute('title');
  const steps = await page.locator('#steps').inputValue();
  if (!disabled || !title.includes('no guidance') || steps !== '4') {
    fail(`schnell controls: disabled ${disabled}, title ${title}, steps ${steps}`);
  }
  console.log(`schnell controls: guidance disabled, steps ${steps}`);
  console.log(`generated on flux: ${await generateOn(page, sent, 'flux')}`);

  await select.selectOption('sd3');
  await page.waitForSelector('#model-line:has-text("sd3")', { timeout: 10000 });
  const sd3Guidance = await page.locator('#guidance').inputValue();
  const sd3Steps = await page.locator('#steps').inputValue();
  if (await page.locator('#guidance').isDisabled() || sd3Guidance !== '7' || sd3Steps !== '28') {
    fail(`sd3 controls: guidance ${sd3Guidance}, steps ${sd3Steps}`);
  }
  console.log(`sd3 controls: guidance ${sd3Guidance}, steps ${sd3Steps}`);
  console.log(`generated on sd3: ${await generateOn(page, sent, 'sd3')}`);
  await page.screenshot({ path: `${out}/web-flow.png`, fullPage: true });

  checkCsp(problems);
  console.log('OK');
} finally {
  await browser.close();
}
