// The web page of qwen-image-api: submits asynchronous jobs (POST /jobs), follows their Server-Sent Events with
// fetch (so that an API key can go in a header), shows queue position and step progress, cancels, and shows
// the pictures with their seed, time and size. No dependencies, no inline code: it runs under the service's CSP.
const $ = (id) => document.getElementById(id);
const form = $('form');
const KEY_STORE = 'qwen-api-key';
let current = null;   // {id, controller}
let lastSeed = null;

$('api-key').value = sessionStorage.getItem(KEY_STORE) || '';
$('api-key').addEventListener('change', () => sessionStorage.setItem(KEY_STORE, $('api-key').value.trim()));

function headers(extra = {}) {
  const key = $('api-key').value.trim();
  return key ? { ...extra, 'X-API-Key': key } : extra;
}

function say(text) { $('status').textContent = text; }

function showError(text) {
  $('error').textContent = text;
  $('error').hidden = !text;
}

async function errorText(response) {
  try {
    const body = await response.json();
    const e = body.error || {};
    return `${e.message || response.statusText} (${e.code || response.status})`;
  } catch {
    return `${response.status} ${response.statusText}`;
  }
}

// guidance_scale, or true_cfg_scale for a Qwen-Image model (from /info)
let guidanceField = 'guidance_scale';

// the model the page generates on: the service's default until one is chosen in the selector
async function loadInfo(chosen = null) {
  const r = await fetch(chosen ? `/info?model=${encodeURIComponent(chosen)}` : '/info', { headers: headers() });
  if (!r.ok) {
    $('model-line').textContent = r.status === 401 ? 'An API key is needed: open "API key" below.'
      : `Service not ready: ${await errorText(r)}`;
    return;
  }
  const info = await r.json();
  showModels(info, chosen || info.default_model);
  const m = info.model_info;
  if (!m.family) {
    // never loaded here yet: what it is (its size, guidance, schedulers) is known once it has been
    $('model-line').textContent = `Model ${m.name}: not loaded yet, it loads with its first request`;
    return;
  }
  $('model-line').textContent = `Model ${m.name} (${m.family}, ${m.native_size}px native) on ${m.device}`;
  $('width').placeholder = $('height').placeholder = String(m.native_size);
  // the family's own controls: Qwen-Image sizes are multiples of 16 and its guidance is true_cfg_scale
  const multiple = m.size_multiple > 1 ? m.size_multiple : 8;
  $('width').step = $('height').step = String(multiple);
  $('width').min = $('height').min = String(Math.max(info.limits.min_size, multiple));
  const g = m.guidance || { parameter: 'guidance_scale', default: 7.5, kind: 'cfg' };
  guidanceField = g.parameter;
  $('guidance').name = g.parameter;
  $('guidance').value = String(g.default);
  const labels = {
    true_cfg: ['True CFG scale', 'Qwen-Image true CFG: a second pass with the negative prompt; 1 turns it off'],
    distilled: ['Guidance', 'FLUX.1-dev distilled guidance: an input of the model, one pass (3.5 is its default)'],
    none: ['Guidance', 'This model (FLUX.1-schnell) takes no guidance; the value is ignored'],
    cfg: ['Guidance', 'Classifier-free guidance'],
  };
  const [label, title] = labels[g.kind] || labels.cfg;
  $('guidance-label').textContent = label;
  $('guidance').title = title;
  $('guidance').disabled = g.kind === 'none';
  if (m.default_steps) {
    $('steps').value = String(m.default_steps);
  }
  $('steps').max = info.limits.max_steps;
  $('count').max = info.limits.max_num_images;
  const select = $('scheduler');
  select.replaceChildren(...info.schedulers.map((s) => new Option(s, s, false, s === info.default_scheduler)));
}

// the model selector, shown when the service has more than one model; each option says its family and state
function showModels(info, selected) {
  const models = info.models || [];
  $('model-field').hidden = models.length < 2;
  $('model').replaceChildren(...models.map((m) => new Option(
    `${m.id}${m.family ? ` (${m.family})` : ''}${m.state === 'ready' ? '' : ` [${m.state}]`}`, m.id, false,
    m.id === selected)));
}
$('model').addEventListener('change', () => loadInfo($('model').value));

function mode() { return form.querySelector('input[name=mode]:checked').value; }

function syncMode() {
  $('image-field').hidden = mode() !== 'img2img';
}
form.querySelectorAll('input[name=mode]').forEach((r) => r.addEventListener('change', syncMode));
$('strength').addEventListener('input', () => { $('strength-value').value = $('strength').value; });
$('seed-random').addEventListener('click', () => { $('seed').value = ''; });
$('seed-reuse').addEventListener('click', () => { if (lastSeed !== null) $('seed').value = lastSeed; });

// drop a picture anywhere on the form: image to image
form.addEventListener('dragover', (e) => { e.preventDefault(); form.classList.add('drop'); });
form.addEventListener('dragleave', () => form.classList.remove('drop'));
form.addEventListener('drop', (e) => {
  e.preventDefault();
  form.classList.remove('drop');
  if (e.dataTransfer.files.length) {
    $('image').files = e.dataTransfer.files;
    form.querySelector('input[value=img2img]').checked = true;
    syncMode();
  }
});

function numberOrNull(id) {
  const v = $(id).value.trim();
  return v === '' ? null : Number(v);
}

function request() {
  const fields = {
    prompt: $('prompt').value,
    negative_prompt: $('negative').value || null,
    width: numberOrNull('width'),
    height: numberOrNull('height'),
    num_inference_steps: numberOrNull('steps'),
    [guidanceField]: numberOrNull('guidance'),
    scheduler: $('scheduler').value || null,
    num_images: numberOrNull('count'),
    seed: numberOrNull('seed'),
    model: $('model-field').hidden ? null : $('model').value,
  };
  if (mode() === 'txt2img') {
    return { body: JSON.stringify(fields), headers: headers({ 'Content-Type': 'application/json' }) };
  }
  const data = new FormData();
  if (!$('image').files.length) throw new Error('Choose or drop an input image first.');
  data.append('image', $('image').files[0]);
  data.append('strength', $('strength').value);
  for (const [k, v] of Object.entries(fields)) if (v !== null && v !== '') data.append(k, String(v));
  return { body: data, headers: headers() };
}

function busy(on) {
  $('generate').disabled = on;
  $('cancel').disabled = !on;
  $('progress').hidden = !on;
  if (!on) $('preview-box').hidden = true;
}

function describe(view) {
  switch (view.status) {
    case 'queued': return `Queued: position ${view.position}${view.eta_seconds ? `, about ${Math.ceil(view.eta_seconds)} s` : ''}`;
    case 'running': return view.total_steps
      ? `Step ${view.step} of ${view.total_steps}${view.eta_seconds >= 0 ? `, about ${Math.ceil(view.eta_seconds)} s left` : ''}`
      : 'Starting';
    case 'succeeded': return 'Done';
    case 'cancelled': return 'Cancelled';
    default: return 'Failed';
  }
}

function show(view) {
  say(describe(view));
  if (view.status === 'running' && view.total_steps) {
    $('progress').value = view.step / view.total_steps;
  }
  // the live preview (progress events carry it because the stream asks with ?preview=true)
  if (view.preview) {
    $('preview').src = view.preview;
    $('preview-caption').textContent = `Preview after step ${view.preview_step}`;
    $('preview-box').hidden = false;
  }
}

function render(result) {
  const meta = result.metadata;
  lastSeed = meta.seed;
  $('seed-reuse').disabled = false;
  const figures = result.images.map((b64, i) => {
    const seed = meta.seeds[i];
    const figure = document.createElement('figure');
    const img = document.createElement('img');
    img.src = `data:image/${meta.format.toLowerCase()};base64,${b64}`;
    img.alt = `${meta.parameters.prompt} (seed ${seed})`;
    img.width = meta.width;
    img.height = meta.height;
    const caption = document.createElement('figcaption');
    const link = document.createElement('a');
    link.href = img.src;
    link.download = `qwen-${seed}.${meta.format.toLowerCase() === 'jpeg' ? 'jpg' : 'png'}`;
    link.textContent = 'Download';
    caption.append(`${meta.model} · Seed ${seed} · ${meta.width}×${meta.height} · ${meta.inference_time} s · `, link);
    figure.append(img, caption);
    return figure;
  });
  $('results').prepend(...figures);
}

// Server-Sent Events over fetch: EventSource cannot send the API key header
async function follow(id, signal) {
  const r = await fetch(`/jobs/${id}/events?preview=true`, { headers: headers({ Accept: 'text/event-stream' }), signal });
  if (!r.ok) throw new Error(await errorText(r));
  const reader = r.body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  let last = null;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let end;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const data = block.split('\n').filter((l) => l.startsWith('data:')).map((l) => l.slice(5).trim()).join('\n');
      if (data) {
        last = JSON.parse(data);
        show(last);
      }
    }
  }
  return last;
}

form.addEventListener('submit', async (e) => {
  e.preventDefault();
  showError('');
  if (!$('prompt').value.trim()) {
    showError('Write a prompt first.');
    $('prompt').focus();
    return;
  }
  let req;
  try {
    req = request();
  } catch (err) {
    showError(err.message);
    return;
  }
  busy(true);
  say('Submitting');
  const controller = new AbortController();
  try {
    const r = await fetch('/jobs', { method: 'POST', body: req.body, headers: req.headers });
    if (r.status !== 202) throw new Error(await errorText(r));
    const job = await r.json();
    current = { id: job.id, controller };
    show(job);
    const final = await follow(job.id, controller.signal);
    if (final && final.status === 'succeeded') {
      render(final.result);
    } else if (final && final.status === 'failed') {
      showError(final.error ? `${final.error.message} (${final.error.code})` : 'The generation failed.');
    }
  } catch (err) {
    say('');
    if (err.name !== 'AbortError') showError(err.message);
  } finally {
    busy(false);
    current = null;
  }
});

$('cancel').addEventListener('click', async () => {
  if (!current) return;
  $('cancel').disabled = true;
  const r = await fetch(`/jobs/${current.id}`, { method: 'DELETE', headers: headers() });
  if (!r.ok && r.status !== 409) showError(await errorText(r));
});

syncMode();
loadInfo();
