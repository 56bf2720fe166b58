// Headless Chromium test of a replay page written by `sns run --report`.
//
// Usage: node replay.test.mjs REPORT.html [SCREENSHOT.png]
//
// Checks: the page loads from disk (file://) with no console error and no request leaving the
// file; the replay advances when played (the ball's drawn position changes); the scrubber and the
// trial selector move the ball; a screenshot is not blank (its pixels vary). Exits non-zero on
// any failure.

import { chromium } from 'playwright-core';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { inflateSync } from 'node:zlib';

const [reportArg, shotArg] = process.argv.slice(2);
if (!reportArg) {
  console.error('usage: node replay.test.mjs REPORT.html [SCREENSHOT.png]');
  process.exit(2);
}
const executablePath = process.env.CHROMIUM || '/usr/bin/chromium';
const failures = [];
let passed = 0;
function check(name, ok, detail = '') {
  if (ok) {
    passed += 1;
    console.log(`ok   ${name}`);
  } else {
    failures.push(name);
    console.log(`FAIL ${name} ${detail}`);
  }
}

/** Decodes an 8-bit, non-interlaced RGB or RGBA PNG (what Chromium writes) into RGBA pixels. */
function decodePng(buf) {
  const sig = '89504e470d0a1a0a';
  if (buf.subarray(0, 8).toString('hex') !== sig) throw new Error('not a PNG');
  let pos = 8, width = 0, height = 0, bitDepth = 0, colorType = 0, interlace = 0;
  const idat = [];
  while (pos < buf.length) {
    const len = buf.readUInt32BE(pos);
    const type = buf.toString('ascii', pos + 4, pos + 8);
    const data = buf.subarray(pos + 8, pos + 8 + len);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0); height = data.readUInt32BE(4);
      bitDepth = data[8]; colorType = data[9]; interlace = data[12];
    } else if (type === 'IDAT') {
      idat.push(data);
    } else if (type === 'IEND') {
      break;
    }
    pos += 12 + len;
  }
  if (bitDepth !== 8 || interlace !== 0 || (colorType !== 2 && colorType !== 6)) {
    throw new Error(`unsupported PNG (depth ${bitDepth}, colour type ${colorType}, interlace ${interlace})`);
  }
  const bpp = colorType === 6 ? 4 : 3;
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * bpp;
  const out = Buffer.alloc(width * height * 4);
  let prev = Buffer.alloc(stride);
  for (let y = 0; y < height; y++) {
    const f = raw[y * (stride + 1)];
    const line = Buffer.from(raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1)));
    for (let i = 0; i < stride; i++) {
      const a = i >= bpp ? line[i - bpp] : 0, b = prev[i], c = i >= bpp ? prev[i - bpp] : 0;
      let add = 0;
      if (f === 1) add = a;
      else if (f === 2) add = b;
      else if (f === 3) add = (a + b) >> 1;
      else if (f === 4) {
        const p = a + b - c, pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c);
        add = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      }
      line[i] = (line[i] + add) & 255;
    }
    for (let x = 0; x < width; x++) {
      out[(y * width + x) * 4] = line[x * bpp];
      out[(y * width + x) * 4 + 1] = line[x * bpp + 1];
      out[(y * width + x) * 4 + 2] = line[x * bpp + 2];
      out[(y * width + x) * 4 + 3] = bpp === 4 ? line[x * bpp + 3] : 255;
    }
    prev = line;
  }
  return { width, height, pixels: out };
}

const profile = mkdtempSync(join(tmpdir(), 'sns-chromium-'));
let context;
try {
  context = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless: true,
    viewport: { width: 1280, height: 860 },
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
  });
  const page = context.pages()[0] || (await context.newPage());
  const consoleErrors = [];
  const outside = [];
  page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
  page.on('pageerror', (e) => consoleErrors.push(String(e)));
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith('file:') || url.startsWith('data:')) return route.continue();
    outside.push(url);
    return route.abort();
  });

  const url = pathToFileURL(resolve(reportArg)).href;
  await page.goto(url, { waitUntil: 'load' });
  await page.waitForFunction(() => window.__sns !== undefined, null, { timeout: 10000 });
  check('page exposes window.__sns', true);

  const total = await page.evaluate(() => window.__sns.totalSteps);
  check('run has steps', total > 0, `totalSteps=${total}`);
  const p0 = await page.evaluate(() => window.__sns.ballPosition());
  const attr0 = await page.getAttribute('#view', 'data-ball');
  await page.click('#play');
  await page.waitForTimeout(1500);
  const p1 = await page.evaluate(() => window.__sns.ballPosition());
  const t1 = await page.evaluate(() => window.__sns.time());
  const attr1 = await page.getAttribute('#view', 'data-ball');
  check('time advances when played', t1 > 0, `t=${t1}`);
  const moved = Math.hypot(p1[0] - p0[0], p1[1] - p0[1]);
  check('ball moves when played', moved > 1e-3, `from ${p0} to ${p1}`);
  check('drawn ball position (data-ball) changes', attr0 !== attr1, `${attr0} -> ${attr1}`);
  await page.click('#play'); // pause
  const paused = await page.evaluate(() => window.__sns.isPlaying());
  check('pause stops playback', paused === false);

  // The scrubber moves the ball to the end of the run.
  await page.evaluate((t) => {
    const s = document.getElementById('scrub');
    s.value = String(t);
    s.dispatchEvent(new Event('input'));
  }, total);
  const tEnd = await page.evaluate(() => window.__sns.time());
  check('scrubber seeks', tEnd === total, `t=${tEnd}`);

  // The trial selector jumps to a trial's start.
  const trials = await page.$$eval('#trial option', (o) => o.length);
  if (trials > 1) {
    await page.selectOption('#trial', String(trials - 1));
    const tk = await page.evaluate(() => window.__sns.time());
    check('trial selector jumps to the last trial', tk > 0 && tk < total, `t=${tk}`);
  }
  const rows = await page.$$eval('#summary tbody tr', (r) => r.length);
  check('summary table has one row per trial', rows === trials, `${rows} rows, ${trials} trials`);

  // Mid-run picture: graph and trails drawn.
  await page.evaluate((t) => window.__sns.seek(t), Math.floor(total * 0.6));
  await page.waitForTimeout(100);
  const shot = await page.screenshot({ fullPage: true });
  if (shotArg) writeFileSync(shotArg, shot);
  const { width, height, pixels } = decodePng(shot);
  let sum = 0, sum2 = 0;
  const colours = new Set();
  for (let i = 0; i < width * height; i++) {
    const l = 0.299 * pixels[4 * i] + 0.587 * pixels[4 * i + 1] + 0.114 * pixels[4 * i + 2];
    sum += l; sum2 += l * l;
    if (i % 7 === 0) colours.add((pixels[4 * i] << 16) | (pixels[4 * i + 1] << 8) | pixels[4 * i + 2]);
  }
  const n = width * height, sd = Math.sqrt(Math.max(0, sum2 / n - (sum / n) ** 2));
  check('screenshot is not blank', sd > 10 && colours.size > 50,
    `luminance sd ${sd.toFixed(1)}, ${colours.size} colours, ${width}x${height}`);

  check('no console errors', consoleErrors.length === 0, JSON.stringify(consoleErrors));
  check('no request leaves the file', outside.length === 0, JSON.stringify(outside));
} catch (e) {
  failures.push(String(e && e.stack ? e.stack : e));
  console.log(`FAIL exception: ${e && e.stack ? e.stack : e}`);
} finally {
  if (context) await context.close().catch(() => {});
  rmSync(profile, { recursive: true, force: true });
}
console.log(`${passed} passed, ${failures.length} failed`);
process.exit(failures.length === 0 ? 0 : 1);
