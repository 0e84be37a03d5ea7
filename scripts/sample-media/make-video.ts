// Regenerates tutorial.webm, the seed's premium "video tutorial": a few seconds of an animated
// canvas recorded by Chromium's own MediaRecorder (VP8), so the project ships no third-party media.
// Usage: npx tsx scripts/sample-media/make-video.ts   (needs Debian's Chromium, like the e2e tests)
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { launchChromium } from '../../test/support/browser.js';
import { ROOT } from '../lib/project.js';

const OUTPUT = join(ROOT, 'scripts', 'sample-media', 'tutorial.webm');
const SECONDS = 3;

/** Runs inside the page: draws frames and records them; resolves with the WebM as base64. */
function recordInPage(seconds: number): Promise<string> {
  const canvas = document.createElement('canvas');
  canvas.width = 320;
  canvas.height = 180;
  document.body.append(canvas);
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('No 2D context');
  const recorder = new MediaRecorder(canvas.captureStream(25), {
    mimeType: 'video/webm;codecs=vp8',
    videoBitsPerSecond: 150_000,
  });
  const chunks: Blob[] = [];
  recorder.ondataavailable = (event) => chunks.push(event.data);
  const start = performance.now();
  const draw = (): void => {
    const t = (performance.now() - start) / 1000;
    ctx.fillStyle = '#1d3557';
    ctx.fillRect(0, 0, 320, 180);
    ctx.fillStyle = '#f1faee';
    ctx.font = 'bold 22px sans-serif';
    ctx.fillText('Member Portal', 20, 40);
    ctx.font = '16px sans-serif';
    ctx.fillText(`Premium tutorial - step ${Math.min(3, Math.floor(t) + 1)} of 3`, 20, 70);
    ctx.fillStyle = '#e63946';
    ctx.beginPath();
    ctx.arc(40 + ((t * 90) % 240), 130, 18, 0, Math.PI * 2);
    ctx.fill();
    if (recorder.state === 'recording') requestAnimationFrame(draw);
  };
  return new Promise((resolve, reject) => {
    recorder.onstop = () => {
      new Blob(chunks, { type: 'video/webm' }).arrayBuffer().then((buffer) => {
        let binary = '';
        for (const byte of new Uint8Array(buffer)) binary += String.fromCharCode(byte);
        resolve(btoa(binary));
      }, reject);
    };
    recorder.start(250);
    draw();
    setTimeout(() => recorder.stop(), seconds * 1000);
  });
}

const browser = await launchChromium();
try {
  const page = await browser.newPage();
  // tsx compiles with esbuild's keepNames, whose __name helper does not exist inside the page.
  await page.addInitScript('globalThis.__name = (fn) => fn;');
  await page.goto('about:blank');
  const base64 = await page.evaluate(recordInPage, SECONDS);
  const bytes = Buffer.from(base64, 'base64');
  writeFileSync(OUTPUT, bytes);
  console.log(`Wrote ${OUTPUT} (${bytes.length} bytes)`);
} finally {
  await browser.close();
}
