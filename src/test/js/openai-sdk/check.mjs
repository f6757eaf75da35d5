// The real OpenAI SDK against qwen-image-api: images.edit, images.generate with b64_json, then with url after a
// 429 that the SDK waits out and retries by itself, an edit with a mask, a streamed generation with partial images,
// and a wrong key.
// Usage: node check.mjs <base url> <api key> <png file> <mask png file>
import OpenAI, { toFile } from 'openai';
import fs from 'node:fs';

const [base, apiKey, pngPath, maskPath] = process.argv.slice(2);
const client = new OpenAI({ baseURL: `${base}/v1`, apiKey, maxRetries: 2 });

const isPng = (bytes) => bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47;
const fail = (message) => { console.error(`FAIL ${message}`); process.exit(1); };

const edit = await client.images.edit({
  image: await toFile(fs.readFileSync(pngPath), 'in.png', { type: 'image/png' }),
  prompt: 'a yellow circle on a blue background',
  response_format: 'b64_json',
});
if (!isPng(Buffer.from(edit.data[0].b64_json, 'base64'))) fail('edit did not give a PNG');
console.log('edit: PNG');

const b64 = await client.images.generate({ prompt: 'a red circle on a blue background', n: 2, size: '64x64',
  response_format: 'b64_json', model: 'demo' });
if (b64.data.length !== 2) fail(`n=2 gave ${b64.data.length} pictures`);
for (const d of b64.data) {
  if (!isPng(Buffer.from(d.b64_json, 'base64'))) fail('b64_json is not a PNG');
}
console.log(`generate b64_json: ${b64.data.length} PNGs, created ${b64.created}`);

// the rate limit (burst 2, 20 a minute) is spent now: the first answer is 429 with Retry-After; the SDK waits,
// retries, and the call succeeds (OpenAiSdkIT reads the 429 from the service's metrics)
const started = Date.now();
const url = await client.images.generate({ prompt: 'a yellow square on a green background', size: '64x64',
  response_format: 'url' });
const fetched = await fetch(url.data[0].url);
if (fetched.status !== 200 || !isPng(new Uint8Array(await fetched.arrayBuffer()))) fail('url did not give a PNG');
console.log(`generate url: PNG at ${url.data[0].url} after ${((Date.now() - started) / 1000).toFixed(1)} s`);

// inpainting: the mask's transparent pixels (the circle) are repainted, the rest comes back as sent
const masked = await client.images.edit({
  image: await toFile(fs.readFileSync(pngPath), 'in.png', { type: 'image/png' }),
  mask: await toFile(fs.readFileSync(maskPath), 'mask.png', { type: 'image/png' }),
  prompt: 'a green circle on a blue background',
  response_format: 'b64_json',
});
if (!isPng(Buffer.from(masked.data[0].b64_json, 'base64'))) fail('the masked edit did not give a PNG');
console.log('edit with mask: PNG');

// streaming: the SDK's own event stream, partial images then the completed picture
const stream = await client.images.generate({ prompt: 'a red circle on a blue background', size: '64x64',
  stream: true, partial_images: 2 });
const types = [];
for await (const event of stream) {
  types.push(event.type === 'image_generation.partial_image' ? `partial ${event.partial_image_index}` : event.type);
  if (!isPng(Buffer.from(event.b64_json, 'base64'))) fail(`${event.type} is not a PNG`);
}
if (types.join(',') !== 'partial 0,partial 1,image_generation.completed') fail(`stream events ${types}`);
console.log(`stream: ${types.join(', ')}`);

try {
  await new OpenAI({ baseURL: `${base}/v1`, apiKey: 'wrong-key-0000000000000', maxRetries: 0 })
    .images.generate({ prompt: 'x' });
  fail('a wrong key was accepted');
} catch (e) {
  if (!(e instanceof OpenAI.AuthenticationError)) fail(`a wrong key gave ${e}`);
  console.log(`wrong key: ${e.constructor.name} ${e.status} ${e.code}`);
}
console.log('OK');
