// The web inbox end to end in Chromium: first-run setup and sign-in, live
// arrivals with the unread dot, the three panels with the AI draft, draft
// refinement, replying by email (through a fake Postmark), internal notes,
// closing, settings and roles, help-desk imports, phone lines, XSS, phone
// width and accessibility basics.
// Tests run in order and share one app, one owner page and one Assist.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  api,
  apiOk,
  escalate,
  launchBrowser,
  newPage,
  screenshot,
  startFakeIntercom,
  startFakePostmark,
  startRunner,
  waitFor,
} from '../lib/harness.mjs';

const OWNER = { name: 'Olive Owner', email: 'olive@example.com', password: 'a long passphrase 42' };
const SUPPORT = { name: 'Sam Support', email: 'sam@example.com', password: 'another long passphrase' };
const POSTMARK_TOKEN = 'pm-test-server-token';
const TWILIO_SID = 'AC0123456789abcdef0123456789abcdef';
const T = { timeout: 90_000 };

let app, postmark, intercom, browser, owner, ownerToken, bot, anaId, replyText;

const chat = (first, reply, last) => [
  { role: 'customer', text: first },
  { role: 'assistant', text: reply },
  { role: 'customer', text: last },
];

before(async () => {
  postmark = await startFakePostmark();
  intercom = await startFakeIntercom('intercom-test-token');
  app = await startRunner({
    // Where the email provider clients send (issue 6): the fake, on loopback.
    env: {
      SPIN_VARIABLE_POSTMARK_API_URL: postmark.url,
      SPIN_VARIABLE_PUBLIC_URL: 'http://127.0.0.1:3000',
      // Seals the bot's provider key (32+ characters).
      SPIN_VARIABLE_ENCRYPTION_KEY: 'browser-tests-encryption-key-0123456789',
      // Help-desk imports go to the fake Intercom.
      SPIN_VARIABLE_HELPDESK_PROXY_ORIGIN: intercom.url,
    },
  });
  browser = await launchBrowser();
  owner = await newPage(browser);
});

after(async () => {
  await browser?.close();
  await app?.stop();
  await postmark?.stop();
  await intercom?.stop();
});

function noProblems(p) {
  assert.deepEqual(p.problems, [], 'no page errors, unexpected dialogs or CSP violations');
}

describe('web inbox', () => {
  test('first-run setup, sign-out and sign-in', T, async () => {
    const { page } = owner;
    await page.goto(app.base + '/');
    await page.getByRole('heading', { name: /Sign in|Set up Baton/ }).waitFor();
    await screenshot(page, '01-sign-in');
    if (await page.getByRole('heading', { name: 'Sign in' }).isVisible()) {
      // The app may move to /setup on its own meanwhile (GET /v1/setup says
      // it is needed), and the link goes with the sign-in page.
      await page
        .getByRole('link', { name: 'Set up Baton' })
        .click({ timeout: 5_000 })
        .catch(() => undefined);
    }
    await page.getByRole('heading', { name: 'Set up Baton' }).waitFor();
    await page.getByLabel('Your name').fill(OWNER.name);
    await page.getByLabel('Email').fill(OWNER.email);
    await page.getByLabel('Password').fill(OWNER.password);
    await screenshot(page, '02-setup');
    await page.getByRole('button', { name: 'Create the Owner account' }).click();
    await page.getByRole('heading', { name: 'Select an Assist' }).waitFor();
    assert.equal(new URL(page.url()).pathname, '/');
    await page.getByRole('tab', { name: /Open/ }).waitFor();
    // The empty inbox shows the Owner what to connect, ticked from the API.
    const checklist = page.getByRole('region', { name: 'Get Baton ready' });
    await checklist.waitFor({ timeout: 10_000 });
    assert.match(await checklist.innerText(), /Create a bot for your chat AI\s*\(to do\)/);
    await screenshot(page, '02b-first-run-checklist');

    // Setup is once only: the API says so, and the page shows the detail.
    const again = await api(app.base, '/v1/setup', { body: { name: 'X', email: 'x@example.com', password: 'yet another long one' } });
    assert.equal(again.status, 409);

    // Sign out, a wrong password shows the API's detail, then sign in.
    await page.getByLabel(`Account: ${OWNER.name}`).click();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await page.getByLabel('Email').fill(OWNER.email);
    await page.getByLabel('Password').fill('not the password at all');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'The email or password is not correct.' }).waitFor();
    await page.getByLabel('Password').fill(OWNER.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Select an Assist' }).waitFor();
    // The session survives a reload.
    await page.reload();
    await page.getByRole('heading', { name: 'Select an Assist' }).waitFor();
    noProblems(owner);

    ownerToken = (await apiOk(app.base, '/v1/auth/login', { body: { email: OWNER.email, password: OWNER.password } })).token;
    bot = await apiOk(app.base, '/v1/bots', { token: ownerToken, body: { name: 'Website chat', support_team_name: 'Acme Support' } });
    // With a bot, its step is done and the two calls show its key.
    await page.reload();
    const ready = page.getByRole('region', { name: 'Get Baton ready' });
    await ready.waitFor({ timeout: 10_000 });
    assert.match(await ready.innerText(), /Create a bot for your chat AI\s*\(done\)/);
    assert.ok((await ready.innerText()).includes('/v1/escalations/check'), 'the two calls a chat AI makes');
  });

  test('a new escalation appears in the list, live, with its unread dot', T, async () => {
    const { page } = owner;
    // Some earlier Assists, so the list looks like a real day.
    await escalate(app.base, bot.public_key, {
      session: 'older-1',
      name: 'Tom Baker',
      email: 'tom@example.com',
      messages: chat('where is my order #88412? it was due last week', 'It shows as in transit.', 'it has been stuck for 6 days, I need a real person'),
    });
    await escalate(app.base, bot.public_key, {
      session: 'older-2',
      name: 'Priya Sharma',
      email: 'priya@example.com',
      messages: chat('I can’t log in, the reset link never arrives', 'Please check your spam folder.', 'nothing there. I am locked out and need access today'),
    });
    await escalate(app.base, bot.public_key, {
      session: 'older-3',
      name: 'Lukas Becker',
      email: 'lukas@example.com',
      messages: chat('can I get a quote for 40 seats?', 'Our enterprise plans are tailored to each team.', 'ok, can a representative email me the quote?'),
    });
    await page.locator('a.assist-row').nth(2).waitFor({ timeout: 15_000 });
    // Once Assists arrive, the first-run checklist is gone.
    await page.getByRole('region', { name: 'Get Baton ready' }).waitFor({ state: 'detached', timeout: 10_000 });

    // The new one arrives while the page is open: no reload.
    anaId = await escalate(app.base, bot.public_key, {
      session: 'ana-1',
      name: 'Ana Souza',
      email: 'ana@example.com',
      messages: chat(
        'I was charged twice for order #12345 this month, I want my money back',
        'I’m sorry about that! Let me look at your billing.',
        'it still shows two payments. can I talk to a person please?',
      ),
    });
    const row = page.locator(`a.assist-row[data-id="${anaId}"]`);
    await row.waitFor({ timeout: 15_000 });
    assert.equal(await row.getAttribute('data-unread'), 'true');
    assert.equal(await row.locator('.dot').count(), 1, 'the green unread dot');
    assert.match(await row.innerText(), /Ana Souza/);
    assert.match(await row.innerText(), /High|Urgent|Medium|Low/);
    assert.match(await row.locator('.summary').innerText(), /\S/);
    assert.match(await row.locator('time').innerText(), /now|\dm/);
    await page.getByRole('tab', { name: /Open\s+4/ }).waitFor({ timeout: 10_000 });
    // Newest first.
    assert.equal(await page.locator('a.assist-row').first().getAttribute('data-id'), anaId);
    await screenshot(page, '03-inbox-list');
    noProblems(owner);
  });

  test('keyboard: j/k move through the list and Enter opens; three panels with the AI draft pre-filled', T, async () => {
    const { page } = owner;
    await page.locator('body').click({ position: { x: 700, y: 400 } });
    await page.keyboard.press('j');
    await page.keyboard.press('j');
    await page.keyboard.press('k');
    const focused = await page.evaluate(() => document.activeElement?.getAttribute('data-id'));
    assert.equal(focused, anaId, 'j, j, k lands on the first row');
    await page.keyboard.press('Enter');
    await page.waitForURL(`**/assists/${anaId}`);

    const detail = await apiOk(app.base, `/v1/assists/${anaId}`, { token: ownerToken });
    const main = page.getByRole('main');
    await main.getByRole('heading', { name: 'Ana Souza' }).waitFor();
    // Left: the list is still there, the row now read.
    await page.getByRole('region', { name: 'Assists' }).waitFor();
    const row = page.locator(`a.assist-row[data-id="${anaId}"]`);
    await waitFor('the row to be read', async () => (await row.getAttribute('data-unread')) === 'false');
    assert.equal(await row.getAttribute('aria-current'), 'true');
    // Centre: the transcript, each message marked.
    const timeline = main.getByRole('list', { name: 'Conversation' });
    await timeline.getByText('I was charged twice for order #12345').waitFor();
    assert.equal(await timeline.locator('[data-role="customer"]').count(), 2);
    assert.equal(await timeline.locator('[data-role="assistant"]').count(), 1);
    assert.match(await timeline.locator('[data-role="assistant"]').innerText(), /AI assistant/);
    await timeline.getByText('Handed off to the team').waitFor();
    // Right: the AI panel.
    const panel = page.getByRole('complementary', { name: 'AI panel' });
    for (const h of ['Summary', 'Customer', 'Suggested reply', 'Triage', 'Sentiment', 'Why it escalated', 'Previous Assists']) {
      await panel.getByRole('heading', { name: h }).waitFor();
    }
    await panel.getByText(detail.ai.summary).waitFor();
    await panel.getByText(detail.ai.escalation.reason).first().waitFor();
    assert.equal(await panel.getByLabel('Priority').inputValue(), detail.priority);
    // The AI's suggested reply is already in the box, marked as an AI draft.
    const box = page.getByLabel(/Reply to Ana Souza/);
    assert.equal(await box.inputValue(), detail.ai.suggested_reply.text);
    await page.locator('#ai-draft-mark').getByText('AI draft').waitFor();
    await screenshot(page, '04-conversation');

    // The mark clears as soon as the agent types.
    await box.press('End');
    await box.pressSequentially(' Thanks!');
    assert.equal(await page.locator('#ai-draft-mark').count(), 0, 'no AI draft mark after typing');
    noProblems(owner);
  });

  test('Shorter changes the draft (and marks it as the AI’s again)', T, async () => {
    const { page } = owner;
    const box = page.getByLabel(/Reply to Ana Souza/);
    const before = await box.inputValue();
    await page.getByRole('button', { name: 'Shorter' }).click();
    await waitFor('the draft to change', async () => (await box.inputValue()) !== before);
    const after = await box.inputValue();
    assert.ok(after.length < before.length, `shorter: ${after.length} < ${before.length}`);
    await page.locator('#ai-draft-mark').waitFor();
    // The other refinements answer too.
    await page.getByRole('button', { name: 'More formal' }).click();
    await waitFor('the formal draft', async () => (await box.inputValue()) !== after);
    await page.getByRole('button', { name: 'Regenerate' }).click();
    await waitFor('the refinement to finish', async () => await page.getByRole('button', { name: 'Regenerate' }).isEnabled());
    noProblems(owner);
  });

  test('a customer’s new message shows up live in the open conversation', T, async () => {
    const { page } = owner;
    await escalate(app.base, bot.public_key, {
      session: 'ana-1',
      name: 'Ana Souza',
      email: 'ana@example.com',
      messages: [{ role: 'customer', text: 'Also, my card ends in 4242 if that helps.' }],
    });
    await page.getByRole('list', { name: 'Conversation' }).getByText('my card ends in 4242').waitFor({ timeout: 25_000 });
    noProblems(owner);
  });

  test('sending a reply reaches the fake email provider', T, async () => {
    const { page } = owner;
    await apiOk(app.base, `/v1/bots/${bot.id}`, {
      method: 'PATCH',
      token: ownerToken,
      body: {
        email: {
          from_email: 'support@acme.test',
          from_name: 'Acme Support',
          provider: 'postmark',
          api_key: POSTMARK_TOKEN,
          notify_emails: [],
          footer_address: '1 Test Street, Testville',
          inbound_domain: 'reply.acme.test',
        },
      },
    });
    const box = page.getByLabel(/Reply to Ana Souza/);
    replyText = 'Hi Ana, I have refunded the duplicate charge on order 12345. It shows on your card within 3 days. Olive';
    await box.fill(replyText);
    assert.equal(await page.locator('#ai-draft-mark').count(), 0);
    await page.getByRole('button', { name: 'Send reply' }).click();
    const timeline = page.getByRole('list', { name: 'Conversation' });
    const sent = timeline.locator('[data-role="agent"]').filter({ hasText: 'refunded the duplicate charge' });
    await sent.waitFor({ timeout: 15_000 });
    assert.match(await sent.innerText(), /agent reply/);
    assert.match(await sent.innerText(), /Sending by email|Emailed/);
    assert.equal(await box.inputValue(), '', 'the box is empty after sending');
    // The server set the Assist to pending.
    await page.getByRole('main').locator('.convo-badges').getByText('Pending').waitFor({ timeout: 10_000 });

    const email = await waitFor(
      'the fake Postmark to receive the reply',
      async () => postmark.received.find((r) => r.path === '/email' && JSON.stringify(r.body).includes('refunded the duplicate charge')),
      30_000,
      250,
    );
    assert.equal(email.method, 'POST');
    assert.equal(email.headers['x-postmark-server-token'], POSTMARK_TOKEN);
    assert.match(String(email.body.To), /ana@example\.com/);
    assert.match(String(email.body.From), /support@acme\.test/);
    assert.ok(String(email.body.TextBody).includes(replyText), 'the reply text is the email body');
    const detail = await apiOk(app.base, `/v1/assists/${anaId}`, { token: ownerToken });
    const agent = detail.activity.find((m) => m.role === 'agent');
    assert.equal(agent.text, replyText);
    assert.equal(detail.status, 'pending');
    // The delivery shows without a reload.
    await sent.getByText('Emailed').waitFor({ timeout: 15_000 });
    await screenshot(page, '05-reply-sent');
    noProblems(owner);
  });

  test('after an answer the AI draft is not offered again; typed text survives a reload', T, async () => {
    const { page } = owner;
    await page.reload();
    const box = page.getByLabel(/Reply to Ana Souza/);
    await box.waitFor({ timeout: 15_000 });
    assert.equal(await box.inputValue(), '', 'no AI draft once the agent has answered');
    const typed = 'Half-written follow-up about order 12345';
    await box.fill(typed);
    await page.reload();
    const again = page.getByLabel(/Reply to Ana Souza/);
    await again.waitFor({ timeout: 15_000 });
    await waitFor('the typed text after a reload', async () => (await again.inputValue()) === typed, 10_000, 100);
    await again.fill('');
    noProblems(owner);
  });

  test('an internal note stays internal', T, async () => {
    const { page } = owner;
    await page.getByRole('tab', { name: 'Internal note' }).click();
    const note = page.getByLabel('Internal note: only your team sees it');
    assert.equal(await note.inputValue(), '', 'the note has its own clean field');
    const text = 'VIP customer: double-check the refund landed by Friday.';
    await note.fill(text);
    await page.getByRole('button', { name: 'Add note' }).click();
    const timeline = page.getByRole('list', { name: 'Conversation' });
    const item = timeline.locator('[data-role="note"]').filter({ hasText: 'double-check the refund' });
    await item.waitFor({ timeout: 10_000 });
    assert.match(await item.innerText(), /Internal note/);
    assert.match(await item.innerText(), /Not sent to the customer/);
    assert.equal(await note.inputValue(), '');
    await screenshot(page, '06-internal-note');

    // Not emailed, not in the customer's context for the chat bot.
    await new Promise((r) => setTimeout(r, 2000));
    assert.ok(!postmark.received.some((r) => JSON.stringify(r.body).includes('double-check the refund')), 'no email carries the note');
    // The chat AI's server mints a customer token; its widget reads the context with it.
    const minted = await apiOk(app.base, `/v1/bots/${bot.id}/customer-tokens`, {
      token: ownerToken,
      body: { email: 'ana@example.com' },
    });
    const ctx = await apiOk(app.base, `/v1/customers/context?customer_token=${encodeURIComponent(minted.customer_token)}`, {
      token: bot.public_key,
    });
    assert.ok(ctx.assists.length >= 1 && ctx.customer.name.includes('Ana'), 'the context is the customer’s');
    assert.ok(!JSON.stringify(ctx).includes('double-check the refund'), 'the bot never sees the note');
    const detail = await apiOk(app.base, `/v1/assists/${anaId}`, { token: ownerToken });
    assert.equal(detail.activity.find((m) => m.text === text)?.role, 'note');
    // The reply tab kept its own text.
    await page.getByRole('tab', { name: 'Reply' }).click();
    noProblems(owner);
  });

  test('closing with a resolution, then reopening', T, async () => {
    const { page } = owner;
    const before = await apiOk(app.base, '/v1/assists/counts', { token: ownerToken });
    await page.getByRole('button', { name: 'Close…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Close this Assist' });
    await dialog.waitFor();
    await dialog.getByLabel('Resolution').fill('Refunded the duplicate charge on order 12345.');
    await dialog.getByLabel('Send the customer a satisfaction survey').waitFor();
    await screenshot(page, '07-close-dialog');
    await dialog.getByRole('button', { name: 'Close Assist' }).click();
    await dialog.waitFor({ state: 'detached' });
    const main = page.getByRole('main');
    await main.locator('.convo-badges').getByText('Closed').waitFor();
    await main.getByText('Refunded the duplicate charge on order 12345.').first().waitFor();
    await main.getByRole('button', { name: 'Reopen' }).waitFor();
    const detail = await apiOk(app.base, `/v1/assists/${anaId}`, { token: ownerToken });
    assert.equal(detail.status, 'closed');
    assert.equal(detail.resolution, 'Refunded the duplicate charge on order 12345.');
    await page.getByRole('tab', { name: new RegExp(`Closed\\s+${before.counts.closed + 1}`) }).waitFor({ timeout: 10_000 });
    await screenshot(page, '08-closed');

    await main.getByRole('button', { name: 'Reopen' }).click();
    await main.locator('.convo-badges').getByText('Open').waitFor();
    assert.equal((await apiOk(app.base, `/v1/assists/${anaId}`, { token: ownerToken })).status, 'open');
    noProblems(owner);
  });

  test('status, priority, category, tags and assignment from the panels', T, async () => {
    const { page } = owner;
    const main = page.getByRole('main');
    await main.getByLabel('Status').selectOption('pending');
    await main.locator('.convo-badges').getByText('Pending').waitFor();
    const panel = page.getByRole('complementary', { name: 'AI panel' });
    await panel.getByLabel('Priority').selectOption('urgent');
    await main.locator('.convo-badges').getByText('Urgent').waitFor();
    await panel.getByLabel('Category').selectOption('refund');
    await panel.getByLabel('Add a tag').fill('vip');
    await panel.getByRole('button', { name: 'Add', exact: true }).click();
    await panel.locator('.tag').getByText('vip', { exact: true }).waitFor();
    await main.getByLabel('Assignee').selectOption({ label: `${OWNER.name} (you)` });
    await waitFor('the assignment', async () => (await apiOk(app.base, `/v1/assists/${anaId}`, { token: ownerToken })).assignee !== null);
    const d = await apiOk(app.base, `/v1/assists/${anaId}`, { token: ownerToken });
    assert.equal(d.status, 'pending');
    assert.equal(d.priority, 'urgent');
    assert.equal(d.category, 'refund');
    assert.ok(d.tags.includes('vip'));
    assert.equal(d.assignee.name, OWNER.name);
    // Each change is a system event in the conversation.
    const timeline = page.getByRole('list', { name: 'Conversation' });
    await timeline.getByText('Priority set to Urgent').waitFor();
    await timeline.getByText(`Assigned to ${OWNER.name} (you)`).waitFor();
    noProblems(owner);
  });

  test('filters and search narrow the list', T, async () => {
    const { page } = owner;
    await page.getByRole('link', { name: 'Inbox' }).click();
    await page.getByLabel('Search Assists').fill('Priya');
    await waitFor('the search', async () => (await page.locator('a.assist-row').count()) === 1);
    assert.match(await page.locator('a.assist-row').innerText(), /Priya Sharma/);
    assert.match(page.url(), /q=Priya/);
    await page.getByLabel('Search Assists').fill('');
    await waitFor('all rows back', async () => (await page.locator('a.assist-row').count()) === 3);
    const lukas = (await apiOk(app.base, '/v1/assists?q=Lukas', { token: ownerToken })).assists[0];
    const open = (await apiOk(app.base, `/v1/assists?status=open&category=${lukas.category}`, { token: ownerToken })).assists;
    await page.getByRole('button', { name: /Filters/ }).click();
    await page.getByLabel('Category').selectOption(lukas.category);
    await waitFor('the category filter', async () => (await page.locator('a.assist-row').count()) === open.length);
    assert.ok((await page.locator('a.assist-row').allInnerTexts()).some((t) => t.includes('Lukas Becker')));
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await page.getByLabel('Assignee').selectOption('me');
    await page.getByRole('tab', { name: /Pending/ }).click();
    await waitFor('my pending Assist', async () => (await page.locator(`a.assist-row[data-id="${anaId}"]`).count()) === 1);
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await page.getByRole('tab', { name: /Open/ }).click();
    noProblems(owner);
  });

  test('an XSS payload in a transcript is shown as text', T, async () => {
    const { page } = owner;
    const payload = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script><b>bold?</b>';
    const id = await escalate(app.base, bot.public_key, {
      session: 'xss-1',
      name: 'Eve Hacker',
      email: 'eve@example.com',
      messages: chat(`hello ${payload}`, 'How can I help? <iframe src="javascript:alert(1)"></iframe>', `talk to a person ${payload}`),
    });
    await page.locator(`a.assist-row[data-id="${id}"]`).click({ timeout: 15_000 });
    const timeline = page.getByRole('list', { name: 'Conversation' });
    await timeline.getByText('hello <img src=x onerror="window.__pwned=1">', { exact: false }).waitFor();
    const texts = await timeline.locator('.msg-text').allInnerTexts();
    assert.ok(texts.some((t) => t.includes('<script>window.__pwned=2</script>')), 'the script tag is visible text');
    assert.ok(texts.some((t) => t.includes('<iframe src="javascript:alert(1)"></iframe>')));
    assert.equal(await page.locator('img[src="x"], .msg-text img, .msg-text script, .msg-text iframe, .msg-text b').count(), 0);
    await page.waitForTimeout(500);
    assert.equal(await page.evaluate(() => window.__pwned), undefined);
    await screenshot(page, '09-xss-as-text');
    noProblems(owner);
  });

  test('a Support member does not see settings', T, async () => {
    const inv = await apiOk(app.base, '/v1/team/invitations', {
      token: ownerToken,
      body: { email: SUPPORT.email, name: SUPPORT.name, role: 'support' },
    });
    const link = new URL(inv.accept_url);
    const support = await newPage(browser);
    const { page } = support;
    await page.goto(app.base + link.pathname + link.search);
    await page.getByRole('heading', { name: 'Join your team' }).waitFor();
    await page.getByLabel('Password').fill(SUPPORT.password);
    await page.getByRole('button', { name: 'Accept and sign in' }).click();
    await page.getByRole('heading', { name: 'Select an Assist' }).waitFor();
    assert.equal(await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).count(), 0);
    // Support works Assists but cannot reassign or recategorise.
    await page.locator(`a.assist-row`).first().click();
    await page.getByRole('main').getByRole('heading', { level: 1 }).waitFor();
    assert.equal(await page.getByRole('main').locator('select#ctl-assignee').count(), 0);
    assert.equal(await page.locator('select#ai-category').count(), 0);
    // Presence: the Owner opens the same Assist and sees Sam typing.
    const opened = new URL(page.url()).pathname;
    await owner.page.goto(app.base + opened);
    await owner.page.locator('#reply-text').waitFor({ timeout: 15_000 });
    await page.locator('#reply-text').fill('Let me check that for you');
    await owner.page
      .getByRole('status')
      .filter({ hasText: `${SUPPORT.name} is typing a reply` })
      .waitFor({ timeout: 20_000 });
    await page.locator('#reply-text').fill('');
    await screenshot(page, '12-support-view');
    // Typing the address shows why, not a settings screen.
    await page.goto(app.base + '/settings/team');
    await page.getByRole('alert').filter({ hasText: 'Settings are for Owners and Admins' }).waitFor();
    assert.equal(await page.getByRole('table').count(), 0);
    // Every member changes their own password from the account menu.
    await page.getByLabel(`Account: ${SUPPORT.name}`).click();
    await page.getByRole('link', { name: 'Change password' }).click();
    await page.getByRole('heading', { name: 'Your account' }).waitFor();
    const newPassword = 'a newer long passphrase 9';
    await page.getByLabel('Current password').fill('not the password at all');
    await page.getByLabel('New password').fill(newPassword);
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByRole('alert').filter({ hasText: 'is not your current password' }).waitFor();
    await page.getByLabel('Current password').fill(SUPPORT.password);
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByText('Password changed').waitFor({ timeout: 10_000 });
    assert.equal(await page.getByLabel('Current password').inputValue(), '', 'the form is cleared');
    const login = (password) => api(app.base, '/v1/auth/login', { body: { email: SUPPORT.email, password } });
    assert.equal((await login(SUPPORT.password)).status, 401, 'the old password no longer works');
    assert.equal((await login(newPassword)).status, 200);
    // This browser kept a working session.
    await page.goto(app.base + '/');
    await page.getByRole('heading', { name: 'Select an Assist' }).waitFor();
    noProblems(support);
    await support.context.close();
  });

  test('the Owner sees settings: team, bots and integrations', T, async () => {
    const { page } = owner;
    await page.getByRole('link', { name: 'Settings' }).click();
    await page.getByRole('heading', { name: 'Team', level: 1 }).waitFor();
    await page.getByRole('cell', { name: `${OWNER.name} (you)` }).waitFor();
    await page.getByRole('cell', { name: SUPPORT.name, exact: true }).waitFor();
    await screenshot(page, '10-settings-team');
    // The Owner resets Sam's password; the link opens a page to choose a new one.
    await page.getByRole('row', { name: new RegExp(SUPPORT.name) }).getByRole('button', { name: 'Reset password' }).click();
    const resetLink = await page.getByLabel(`Password reset link for ${SUPPORT.name}`).inputValue();
    assert.match(resetLink, /\/reset-password\?token=bpr_/);
    const sam = await newPage(browser);
    await sam.page.goto(app.base + new URL(resetLink).pathname + new URL(resetLink).search);
    await sam.page.getByRole('heading', { name: 'Choose a new password' }).waitFor();
    await sam.page.getByLabel('New password').fill('a reset long passphrase 5');
    await sam.page.getByRole('button', { name: 'Set the password and sign in' }).click();
    await sam.page.getByRole('heading', { name: 'Select an Assist' }).waitFor({ timeout: 15_000 });
    const again = await api(app.base, `/v1/auth/password-reset/${new URL(resetLink).searchParams.get('token')}`, {
      body: { password: 'yet another passphrase 6' },
    });
    assert.equal(again.status, 410, 'the link works once');
    noProblems(sam);
    await sam.context.close();

    await page.getByRole('link', { name: 'Bots' }).click();
    const card = page.getByRole('region', { name: 'Website chat' });
    await card.waitFor();
    await card.getByLabel('Trigger phrases').waitFor();
    assert.match(await card.getByLabel('Trigger phrases').inputValue(), /talk to a person/);
    await card.getByLabel('Escalation threshold').fill('0.7');
    await card.getByRole('button', { name: 'Save' }).click();
    await waitFor('the threshold to save', async () => (await apiOk(app.base, `/v1/bots/${bot.id}`, { token: ownerToken })).confidence_threshold === 0.7);
    const b = await apiOk(app.base, `/v1/bots/${bot.id}`, { token: ownerToken });
    if (b.email) {
      const email = card.getByRole('group', { name: 'Email' });
      await email.waitFor();
      if (b.email.ready) await email.getByText('Ready:').waitFor();
      assert.equal(await email.getByLabel('Provider', { exact: true }).inputValue(), b.email.provider ?? '');
    }
    await screenshot(page, '11-settings-bots');

    await page.getByRole('link', { name: 'Integrations' }).click();
    await page.getByLabel('Token name').fill('Reporting script');
    await page.getByRole('button', { name: 'Create token' }).click();
    const secret = page.getByLabel('Token Reporting script');
    await secret.waitFor();
    assert.match(await secret.inputValue(), /^bta_/);
    await page.getByRole('cell', { name: 'Reporting script' }).waitFor();
    noProblems(owner);
  });

  test('the Owner connects a help desk and imports its open tickets', T, async () => {
    const { page } = owner;
    const imports = page.getByRole('region', { name: 'Help-desk imports' });
    await imports.getByLabel('Help desk').selectOption('intercom');
    // Refused credentials show the API's detail and store nothing.
    await imports.getByLabel('Access token').fill('not-the-token');
    await imports.getByRole('button', { name: 'Connect' }).click();
    await imports.getByRole('alert').first().waitFor();
    assert.equal((await apiOk(app.base, '/v1/integrations/importers', { token: ownerToken })).importers.length, 0);
    await imports.getByLabel('Access token').fill('intercom-test-token');
    await imports.getByLabel('Label for its Assists').fill('Old desk');
    await imports.getByRole('button', { name: 'Connect' }).click();
    const row = imports.locator('.importers li').filter({ hasText: 'Intercom' });
    await row.waitFor();
    await row.getByRole('button', { name: 'Run import' }).click();
    await row.getByText(/1 imported/).waitFor({ timeout: 20_000 });
    await screenshot(page, '17-settings-imports');
    // The ticket is an Assist now, with its history kept apart.
    await page.getByRole('link', { name: 'Inbox' }).click();
    const imported = page.locator('a.assist-row').filter({ hasText: 'Ivy Import' });
    await imported.click({ timeout: 15_000 });
    const timeline = page.getByRole('list', { name: 'Conversation' });
    await timeline.getByText('still have no refund').waitFor();
    await timeline.locator('[data-role="agent"]').filter({ hasText: 'checking with the warehouse' }).waitFor();
    await timeline.locator('[data-role="note"]').filter({ hasText: 'not scanned it yet' }).waitFor();
    noProblems(owner);
  });

  test('the Owner connects a phone line, sees its webhook URL, and deletes it', T, async () => {
    const { page } = owner;
    await page.getByRole('link', { name: 'Settings' }).click();
    await page.getByRole('navigation', { name: 'Settings' }).getByRole('link', { name: 'Phone lines' }).click();
    await page.getByRole('heading', { name: 'Phone lines', level: 1 }).waitFor();
    const list = page.getByRole('region', { name: 'Lines' });
    await list.getByText('No lines yet').waitFor();
    const form = page.getByRole('region', { name: 'Connect a line' });
    // The provider decides the credential fields.
    await form.getByLabel('Provider').selectOption('dialpad');
    await form.getByLabel('Target type').waitFor();
    await form.getByLabel('Provider').selectOption('twilio');
    assert.equal(await form.getByLabel('Target type').count(), 0);
    await form.getByLabel('Account SID').fill(TWILIO_SID);
    await form.getByLabel('Auth token').fill('twilio-auth-token');
    assert.equal(await form.getByLabel('Auth token').getAttribute('type'), 'password', 'secrets are password fields');
    await form.getByLabel('Phone number').fill('+14155550100');
    await form.getByLabel('Brand label').fill('Acme Phone');
    await form.getByRole('button', { name: 'Connect line' }).click();

    // Listed with its status, label and the webhook URL to paste into Twilio.
    const row = list.locator('li').filter({ hasText: '+14155550100' });
    await row.waitFor();
    const [line] = (await apiOk(app.base, '/v1/integrations/voice/lines', { token: ownerToken })).lines;
    assert.equal(line.provider, 'twilio');
    assert.equal(line.brand_label, 'Acme Phone');
    assert.equal(line.webhook_registered, false);
    await row.getByText('Twilio', { exact: true }).waitFor();
    await row.getByText('Acme Phone').waitFor();
    await row.locator('.badge').getByText('Active').waitFor();
    const url = row.getByLabel('Webhook URL for +14155550100');
    assert.equal(await url.inputValue(), line.webhook_url);
    assert.match(line.webhook_url, new RegExp(`/hooks/voice/twilio/${line.id}$`));
    await row.getByText('voice webhook URL').waitFor();
    await row.getByRole('button', { name: 'Copy', exact: true }).waitFor();
    assert.equal(await form.getByLabel('Auth token').inputValue(), '', 'the form is emptied');

    // A phone number the API refuses: its message sits by the field.
    await form.getByLabel('Account SID').fill(TWILIO_SID);
    await form.getByLabel('Auth token').fill('twilio-auth-token');
    await form.getByLabel('Phone number').fill('call me maybe');
    await form.getByRole('button', { name: 'Connect line' }).click();
    const phone = form.getByLabel('Phone number');
    await form.locator('#line-phone-number-error').getByText(/not a phone number/).waitFor();
    assert.equal(await phone.getAttribute('aria-invalid'), 'true');
    assert.match(await phone.getAttribute('aria-describedby'), /line-phone-number-error/);
    await form.getByRole('alert').getByText('Check the marked fields.').waitFor();
    assert.equal(await form.getByLabel('Account SID').getAttribute('aria-invalid'), null);
    assert.equal((await apiOk(app.base, '/v1/integrations/voice/lines', { token: ownerToken })).lines.length, 1);
    await row.getByText(`Account SID: ${TWILIO_SID}`).waitFor();
    // Earlier notices out of the picture.
    const dismiss = page.getByRole('button', { name: 'Dismiss' });
    while ((await dismiss.count()) > 0) await dismiss.first().click();
    await screenshot(page, '18-settings-phone-lines');

    // Delete, after confirming.
    const asked = owner.expectDialog(true);
    await row.getByRole('button', { name: 'Delete +14155550100' }).click();
    assert.match(await asked, /Delete the Twilio line \+14155550100\?/);
    await row.waitFor({ state: 'detached' });
    await list.getByText('No lines yet').waitFor();
    assert.equal((await apiOk(app.base, '/v1/integrations/voice/lines', { token: ownerToken })).lines.length, 0);
    noProblems(owner);
  });

  test('works at phone width', T, async () => {
    const phone = await newPage(browser, { width: 390, height: 844, mobile: true });
    const { page } = phone;
    await page.goto(app.base + '/login');
    await page.getByLabel('Email').fill(OWNER.email);
    await page.getByLabel('Password').fill(OWNER.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('a.assist-row').first().waitFor();
    const overflow = () => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok((await overflow()) <= 0, 'no sideways scrolling on the list');
    await screenshot(page, '13-phone-list');
    await page.getByRole('tab', { name: /Pending/ }).click();
    await page.locator(`a.assist-row[data-id="${anaId}"]`).click();
    await page.getByRole('main').getByRole('heading', { name: 'Ana Souza' }).waitFor();
    assert.equal(await page.getByRole('region', { name: 'Assists' }).isVisible(), false, 'one pane at a time');
    assert.ok((await overflow()) <= 0, 'no sideways scrolling in the conversation');
    await screenshot(page, '14-phone-conversation');
    await page.getByRole('button', { name: 'AI panel' }).click();
    await page.getByRole('complementary', { name: 'AI panel' }).getByRole('heading', { name: 'Summary' }).waitFor();
    await screenshot(page, '15-phone-ai-panel');
    await page.getByRole('button', { name: 'Back to the conversation' }).click();
    await page.getByRole('complementary', { name: 'AI panel' }).getByRole('heading', { name: 'Summary' }).waitFor({ state: 'hidden' });
    await page.getByRole('link', { name: 'Back to the list' }).click();
    await page.locator('a.assist-row').first().waitFor();
    noProblems(phone);
    await phone.context.close();
  });

  test('accessibility basics: names for every control, landmarks, language', T, async () => {
    const { page } = owner;
    const unnamed = async () =>
      page.evaluate(() => {
        const out = [];
        for (const el of document.querySelectorAll('input, select, textarea, button, a[href]')) {
          const box = el.getBoundingClientRect();
          if (!box.width && !box.height) continue;
          const labelled =
            (el.labels && el.labels.length > 0) ||
            el.getAttribute('aria-label') ||
            el.getAttribute('aria-labelledby') ||
            ((el.tagName === 'BUTTON' || el.tagName === 'A') && el.textContent.trim());
          if (!labelled) out.push(el.outerHTML.slice(0, 120));
        }
        return out;
      });
    for (const path of ['/', `/assists/${anaId}`, '/settings/team', '/settings/bots', '/settings/integrations', '/settings/phone-lines']) {
      await page.goto(app.base + path);
      await page.getByRole('main').waitFor();
      await page.waitForLoadState('networkidle');
      assert.deepEqual(await unnamed(), [], `every control on ${path} has a name`);
      assert.equal(await page.getAttribute('html', 'lang'), 'en');
      assert.ok((await page.locator('h1').count()) >= 1, `${path} has a heading`);
    }
    // The skip link is the first stop for keyboard users.
    await page.goto(app.base + '/');
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Skip to content');
    noProblems(owner);
  });
});
