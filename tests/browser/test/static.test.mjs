// The web component in the real runner: content types, caching, the
// security headers, precompressed assets, the app fallback and 404s, HEAD,
// and the API routes still winning over `/...`.
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ROOT, startRunner } from '../lib/harness.mjs';

const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
  "base-uri 'none'; form-action 'self'; frame-ancestors 'none'; object-src 'none'";

let app;
before(async () => {
  app = await startRunner();
});
after(async () => {
  await app?.stop();
});

const assets = () => readdirSync(join(ROOT, 'web/dist/assets'));
const js = () => assets().find((f) => /^app-[A-Z0-9]+\.js$/.test(f));

test('index.html has the strict CSP, security headers and no-cache', async () => {
  for (const path of ['/', '/index.html']) {
    const r = await fetch(app.base + path);
    assert.equal(r.status, 200, path);
    assert.equal(r.headers.get('content-type'), 'text/html; charset=utf-8');
    assert.equal(r.headers.get('content-security-policy'), CSP);
    assert.equal(r.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(r.headers.get('referrer-policy'), 'no-referrer');
    assert.equal(r.headers.get('cache-control'), 'no-cache');
    const html = await r.text();
    assert.match(html, /<script type="module" src="\/assets\/app-[A-Z0-9]+\.js"><\/script>/);
    assert.doesNotMatch(html, /<script>|<style|style=|onload=|onerror=/i, 'no inline script or style');
  }
});

test('hashed assets are immutable, typed and served precompressed', async () => {
  const name = js();
  assert.ok(name, 'a built app-HASH.js');
  const plain = await fetch(`${app.base}/assets/${name}`, { headers: { 'accept-encoding': 'identity' } });
  assert.equal(plain.status, 200);
  assert.equal(plain.headers.get('content-type'), 'text/javascript; charset=utf-8');
  assert.equal(plain.headers.get('cache-control'), 'public, max-age=31536000, immutable');
  assert.equal(plain.headers.get('content-encoding'), null);
  const body = await plain.text();
  // Undici decodes for us; the header says what travelled.
  const gz = await fetch(`${app.base}/assets/${name}`, { headers: { 'accept-encoding': 'gzip' } });
  assert.equal(gz.headers.get('content-encoding'), 'gzip');
  assert.equal(gz.headers.get('vary'), 'Accept-Encoding');
  assert.equal(await gz.text(), body);
  const br = await fetch(`${app.base}/assets/${name}`, { headers: { 'accept-encoding': 'gzip, br' } });
  assert.equal(br.headers.get('content-encoding'), 'br');
  assert.equal(await br.text(), body);
  const css = assets().find((f) => f.endsWith('.css'));
  const c = await fetch(`${app.base}/assets/${css}`);
  assert.equal(c.headers.get('content-type'), 'text/css; charset=utf-8');
  const icon = await fetch(`${app.base}/favicon.svg`);
  assert.equal(icon.headers.get('content-type'), 'image/svg+xml');
});

test('app paths fall back to index.html; missing assets are 404', async () => {
  for (const path of ['/assists/01M80BWD6EA5S3KS8XCZK00ED8', '/settings/team', '/accept-invitation?token=x', '/login']) {
    const r = await fetch(app.base + path);
    assert.equal(r.status, 200, path);
    assert.equal(r.headers.get('content-type'), 'text/html; charset=utf-8', path);
    assert.equal(r.headers.get('content-security-policy'), CSP, path);
  }
  for (const path of ['/assets/app-NOPE0000.js', '/robots.txt', '/assets/missing', '/../../etc/passwd.txt']) {
    const r = await fetch(app.base + path);
    assert.equal(r.status, 404, path);
    assert.equal(r.headers.get('x-content-type-options'), 'nosniff');
  }
});

test('HEAD answers the headers without a body; other methods are 405', async () => {
  const h = await fetch(app.base + '/', { method: 'HEAD' });
  assert.equal(h.status, 200);
  assert.equal(h.headers.get('content-security-policy'), CSP);
  assert.equal((await h.arrayBuffer()).byteLength, 0);
  const p = await fetch(app.base + '/', { method: 'POST', body: 'x' });
  assert.equal(p.status, 405);
  assert.equal(p.headers.get('allow'), 'GET, HEAD');
});

test('a matching ETag is 304', async () => {
  const first = await fetch(app.base + '/', { headers: { 'accept-encoding': 'identity' } });
  const tag = first.headers.get('etag');
  assert.ok(tag);
  const again = await fetch(app.base + '/', { headers: { 'if-none-match': tag, 'accept-encoding': 'identity' } });
  assert.equal(again.status, 304);
});

test('the API keeps its routes (more specific than /...)', async () => {
  const health = await fetch(app.base + '/v1/health');
  assert.equal(health.status, 200);
  assert.equal((await health.json()).status, 'ok');
  const missing = await fetch(app.base + '/v1/nope');
  assert.equal(missing.status, 404);
  assert.equal(missing.headers.get('content-type'), 'application/problem+json');
});
