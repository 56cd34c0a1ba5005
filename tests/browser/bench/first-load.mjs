// Benchmark (figures, not a gate): first load of the inbox list in Chromium
// against a state dir seeded with 100,000 Assists. Each cold run is a fresh
// browser context (empty cache) with a signed-in session; the time is from
// navigation start to the first list rows and the tab counts on screen.
// Also prints the API calls the list makes and the compressed bundle size.
//
//   node tests/browser/bench/first-load.mjs      (BENCH_RUNS, BENCH_ASSISTS, BATON_SEED_BIN, BATON_BENCH_STATE)
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { ARTIFACTS, ROOT, apiOk, launchBrowser, startRunner } from '../lib/harness.mjs';

const ASSISTS = Number(process.env.BENCH_ASSISTS || 100_000);
const RUNS = Number(process.env.BENCH_RUNS || 15);
const stateDir = process.env.BATON_BENCH_STATE || join(ROOT, `target/web-bench/n${ASSISTS}`);
const seedBin = process.env.BATON_SEED_BIN || join(ROOT, 'target/host/baton-seed');

if (!existsSync(join(stateDir, 'sqlite_db.db'))) {
  if (!existsSync(seedBin)) {
    console.error(`No seeder at ${seedBin}: cargo build --profile host -p baton-e2e --bin baton-seed (or set BATON_SEED_BIN)`);
    process.exit(2);
  }
  mkdirSync(stateDir, { recursive: true });
  console.log(`seeding ${ASSISTS} Assists into ${stateDir} (once; about 100 s for 100,000)…`);
  const r = spawnSync(seedBin, ['--state-dir', stateDir, '--assists', String(ASSISTS)], { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};
const fmt = (xs) => `p50 ${pct(xs, 50).toFixed(0)} ms, p95 ${pct(xs, 95).toFixed(0)} ms, max ${Math.max(...xs).toFixed(0)} ms`;

const app = await startRunner({ stateDir });
const browser = await launchBrowser();
try {
  const session = await apiOk(app.base, '/v1/auth/login', {
    body: { email: 'owner@example.com', password: 'correct horse battery staple' },
  });
  const counts = await apiOk(app.base, '/v1/assists/counts', { token: session.token });
  const total = counts.counts.open + counts.counts.pending + counts.counts.closed;

  // The two API calls the list makes on load.
  const apiTimes = { list: [], counts: [] };
  for (let i = 0; i < RUNS + 2; i++) {
    let t = performance.now();
    await apiOk(app.base, '/v1/assists?status=open&limit=40', { token: session.token });
    if (i >= 2) apiTimes.list.push(performance.now() - t);
    t = performance.now();
    await apiOk(app.base, '/v1/assists/counts', { token: session.token });
    if (i >= 2) apiTimes.counts.push(performance.now() - t);
  }

  const load = async (context) => {
    const page = await context.newPage();
    await page.goto(app.base + '/', { waitUntil: 'commit' });
    await page.locator('a.assist-row').first().waitFor({ timeout: 30_000 });
    await page.locator('.tab .count').first().filter({ hasText: /\d/ }).waitFor({ timeout: 30_000 });
    const ms = await page.evaluate(() => window.__listShown);
    const rows = await page.locator('a.assist-row').count();
    await page.close();
    return { ms, rows };
  };
  const newContext = async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    await context.addInitScript((s) => {
      localStorage.setItem('baton.session', JSON.stringify(s));
      // The moment rows and counts are in the DOM (not when a poll notices).
      new MutationObserver((_, observer) => {
        const count = document.querySelector('.tab .count');
        if (document.querySelector('a.assist-row') && count && /\d/.test(count.textContent || '')) {
          window.__listShown = performance.now();
          observer.disconnect();
        }
      }).observe(document, { subtree: true, childList: true, characterData: true });
    }, { token: session.token, expires_at: session.expires_at });
    return context;
  };

  const cold = [];
  const warm = [];
  let rows = 0;
  for (let i = 0; i < RUNS + 1; i++) {
    const context = await newContext();
    const first = await load(context);
    const second = await load(context);
    await context.close();
    if (i === 0) continue; // warm-up: the runner's first requests
    cold.push(first.ms);
    warm.push(second.ms);
    rows = first.rows;
  }

  // A picture of the seeded inbox with one Assist open.
  const context = await newContext();
  const page = await context.newPage();
  await page.goto(app.base + '/');
  await page.locator('a.assist-row').nth(5).click();
  await page.getByRole('complementary', { name: 'AI panel' }).getByRole('heading', { name: 'Summary' }).waitFor();
  await page.waitForTimeout(300);
  await page.screenshot({ path: join(ARTIFACTS, '16-seeded-100k.png') });
  await context.close();

  const dist = join(ROOT, 'web/dist/assets');
  const js = readdirSync(dist).filter((f) => f.endsWith('.js'));
  const gz = js.reduce((n, f) => n + gzipSync(readFileSync(join(dist, f)), { level: 9 }).length, 0);

  console.log(`web inbox first load, ${total.toLocaleString('en')} Assists (${stateDir})`);
  console.log(`  cold (empty cache, ${RUNS} runs): ${fmt(cold)}  — navigation start to ${rows} rows and the tab counts`);
  console.log(`  warm (cached assets):            ${fmt(warm)}`);
  console.log(`  API GET /v1/assists?status=open&limit=40: ${fmt(apiTimes.list)}`);
  console.log(`  API GET /v1/assists/counts:               ${fmt(apiTimes.counts)}`);
  console.log(`  JavaScript: ${(gz / 1024).toFixed(1)} KB gzip (budget 150 KB)`);
} finally {
  await browser.close();
  await app.stop();
}
