// Harness for the browser tests: starts baton-runner on a free loopback port
// with a fresh state dir, a fake email provider, Chromium through
// playwright-core, and small API helpers for arranging data.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { createServer as createNetServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const ARTIFACTS = join(ROOT, 'tests/browser/artifacts');
mkdirSync(ARTIFACTS, { recursive: true });

export function runnerBin() {
  return process.env.BATON_RUNNER_BIN || join(ROOT, 'target/host/baton-runner');
}

export function freePort() {
  return new Promise((ok, fail) => {
    const s = createNetServer();
    s.once('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
  });
}

function canConnect(port) {
  return new Promise((ok) => {
    const c = connect(port, '127.0.0.1');
    c.once('connect', () => {
      c.destroy();
      ok(true);
    });
    c.once('error', () => ok(false));
  });
}

/**
 * Starts `baton-runner up -f spin.toml` on a free port. `stateDir` defaults to
 * a fresh temporary directory (removed on stop); `env` adds variables such as
 * SPIN_VARIABLE_POSTMARK_API_URL.
 */
export async function startRunner({ env = {}, stateDir, variables = {} } = {}) {
  const port = await freePort();
  const ownDir = !stateDir;
  const dir = stateDir ?? mkdtempSync(join(tmpdir(), 'baton-browser-'));
  const args = ['up', '-f', join(ROOT, 'spin.toml'), '--listen', `127.0.0.1:${port}`, '--state-dir', dir];
  for (const [k, v] of Object.entries(variables)) args.push('--variable', `${k}=${v}`);
  const child = spawn(runnerBin(), args, {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  let exited = null;
  child.once('exit', (code) => (exited = code ?? -1));
  const deadline = Date.now() + 60_000;
  while (!(await canConnect(port))) {
    if (exited !== null) throw new Error(`baton-runner exited with ${exited}:\n${output}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`baton-runner is not serving after 60 s:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  const base = `http://127.0.0.1:${port}`;
  return {
    base,
    port,
    stateDir: dir,
    output: () => output,
    async stop() {
      if (exited === null) {
        const done = new Promise((r) => child.once('exit', r));
        child.kill('SIGINT');
        const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
        await done;
        clearTimeout(timer);
      }
      if (ownDir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** JSON over the API; answers {status, body, headers}. */
export async function api(base, path, { method, body, token, headers = {} } = {}) {
  const res = await fetch(base + path, {
    method: method ?? (body === undefined ? 'GET' : 'POST'),
    headers: {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let json = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = text;
  }
  return { status: res.status, body: json, headers: res.headers };
}

export async function apiOk(base, path, opts) {
  const r = await api(base, path, opts);
  if (r.status >= 300) throw new Error(`${opts?.method ?? (opts?.body ? 'POST' : 'GET')} ${path}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

/** Hands a chat over as a bot would (POST /v1/escalations); answers the Assist id. */
export async function escalate(base, botKey, { session, name, email, messages, channel = 'web' }) {
  const r = await apiOk(base, '/v1/escalations', {
    token: botKey,
    body: { session_id: session, messages, customer: { name, email }, confirmed: true, channel },
  });
  return r.assist_id;
}

export function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.BATON_CHROMIUM || '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
    ],
  });
}

/**
 * A new page that fails the test on uncaught page errors, dialogs it did not
 * expect and CSP violations (collected in `problems`). `expectDialog(accept)`
 * answers the next dialog (a confirmation) and resolves to its message.
 */
export async function newPage(browser, { width = 1280, height = 800, mobile = false } = {}) {
  const context = await browser.newContext({
    viewport: { width, height },
    deviceScaleFactor: 1,
    isMobile: mobile,
    hasTouch: mobile,
    reducedMotion: 'reduce',
  });
  const page = await context.newPage();
  const problems = [];
  const expected = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('dialog', (d) => {
    const answer = expected.shift();
    if (answer) {
      (answer.accept ? d.accept() : d.dismiss()).catch(() => undefined);
      return answer.resolve(d.message());
    }
    problems.push(`unexpected dialog: ${d.type()} ${d.message()}`);
    d.dismiss().catch(() => undefined);
  });
  const expectDialog = (accept = true) => new Promise((resolve) => expected.push({ accept, resolve }));
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy|Refused to/i.test(m.text())) problems.push(`CSP: ${m.text()}`);
  });
  return { context, page, problems, expectDialog };
}

export async function screenshot(page, name) {
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`) });
}

/**
 * A fake Postmark API on loopback: `POST /email` with
 * `X-Postmark-Server-Token`, answering as Postmark does. Every request is
 * recorded in `received` ({path, headers, body}).
 */
export async function startFakePostmark() {
  const received = [];
  const server = createServer((req, res) => {
    let raw = '';
    req.on('data', (d) => (raw += d));
    req.on('end', () => {
      let body = null;
      try {
        body = JSON.parse(raw);
      } catch {
        body = raw;
      }
      received.push({ method: req.method, path: req.url, headers: req.headers, body });
      if (req.method === 'POST' && req.url === '/email') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            To: body?.To ?? '',
            SubmittedAt: new Date().toISOString(),
            MessageID: `fake-${received.length}-${Date.now()}`,
            ErrorCode: 0,
            Message: 'OK',
          }),
        );
      } else {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ ErrorCode: 404, Message: 'Not found' }));
      }
    });
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    received,
    stop: () => new Promise((ok) => server.close(ok)),
  };
}

export async function waitFor(what, fn, timeoutMs = 20_000, everyMs = 200) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    last = await fn();
    if (last) return last;
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

/**
 * A fake Intercom API on loopback (the importer reaches it through the
 * `helpdesk_proxy_origin` variable): `GET /me` accepts only `token`, the
 * conversation search answers one open conversation, and its history has a
 * customer message, a public reply and a private note.
 */
export async function startFakeIntercom(token) {
  const now = Math.floor(Date.now() / 1000);
  const author = { type: 'user', id: 'u-1', name: 'Ivy Import', email: 'ivy@example.com' };
  const received = [];
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      received.push({ method: req.method, path: req.url });
      const send = (status, body) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      if (req.headers.authorization !== `Bearer ${token}`) {
        return send(401, { type: 'error.list', errors: [{ code: 'unauthorized', message: 'Access Token Invalid' }] });
      }
      if (req.method === 'GET' && req.url === '/me') return send(200, { type: 'admin', id: '991', name: 'Importer' });
      if (req.method === 'POST' && req.url === '/conversations/search') {
        return send(200, {
          type: 'conversation.list',
          total_count: 1,
          pages: { type: 'pages', page: 1, per_page: 50, total_pages: 1 },
          conversations: [
            { id: 'c-1', state: 'open', created_at: now - 7200, updated_at: now - 3600, title: 'Refund for order 555', source: { author } },
          ],
        });
      }
      if (req.method === 'GET' && req.url === '/conversations/c-1') {
        return send(200, {
          id: 'c-1',
          created_at: now - 7200,
          source: { id: 's-1', author, body: '<p>I returned order 555 two weeks ago and still have no refund.</p>' },
          conversation_parts: {
            conversation_parts: [
              { id: 'p-1', part_type: 'comment', created_at: now - 5400, body: '<p>Sorry Ivy, checking with the warehouse.</p>', author: { type: 'admin', id: 'a-1', name: 'Old Agent' } },
              { id: 'p-2', part_type: 'note', created_at: now - 5300, body: '<p>Warehouse has not scanned it yet.</p>', author: { type: 'admin', id: 'a-1', name: 'Old Agent' } },
            ],
          },
        });
      }
      send(404, { type: 'error.list', errors: [{ code: 'not_found', message: 'Not found' }] });
    });
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address();
  return { url: `http://127.0.0.1:${port}`, received, stop: () => new Promise((ok) => server.close(ok)) };
}
