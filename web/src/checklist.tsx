// The first-run checklist an Owner or Admin sees while the inbox is empty:
// what to connect so Assists arrive and can be answered, each step ticked
// from the API, with the two calls a chat AI makes to hand a chat over.
import { useEffect, useState } from 'preact/hooks';
import { get } from './api';
import type { Bot, Invitation, User } from './api';
import { linkClick } from './router';

interface Status {
  bots: Bot[];
  members: number;
  invitations: number;
}

function snippet(origin: string, key: string): string {
  const auth = `-H "Authorization: Bearer ${key}" -H "Content-Type: application/json"`;
  return [
    '# 1. Should this chat go to a person? (and which details are missing)',
    `curl -s ${origin}/v1/escalations/check ${auth} \\`,
    `  -d '{"messages":[{"role":"customer","text":"I was charged twice, can I talk to a person?"}]}'`,
    '',
    '# 2. Hand it over: the Assist appears in this inbox',
    `curl -s ${origin}/v1/escalations ${auth} \\`,
    `  -d '{"session_id":"chat-1","messages":[{"role":"customer","text":"I was charged twice, can I talk to a person?"}],"customer":{"name":"Ana Souza","email":"ana@example.com"},"confirmed":true}'`,
  ].join('\n');
}

export function Checklist() {
  const [s, setS] = useState<Status | null>(null);
  useEffect(() => {
    let live = true;
    Promise.all([
      get<{ bots: Bot[] }>('/v1/bots'),
      get<{ members: User[] }>('/v1/team'),
      get<{ invitations: Invitation[] }>('/v1/team/invitations'),
    ])
      .then(([b, m, i]) => {
        if (live) setS({ bots: b.bots, members: m.members.length, invitations: i.invitations.length });
      })
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, []);
  if (!s) return null;
  const bot = s.bots[0];
  const steps = [
    {
      done: s.bots.length > 0,
      text: 'Create a bot for your chat AI',
      href: '/settings/bots',
      why: 'Its key lets the chat AI hand conversations over.',
    },
    {
      done: s.bots.some((b) => b.email?.ready),
      text: 'Connect email',
      href: '/settings/bots',
      why: 'Replies, confirmations and team notifications go out through it.',
    },
    {
      done: s.members > 1 || s.invitations > 0,
      text: 'Invite your team',
      href: '/settings/team',
      why: 'Admins, Managers and Support members each get their own sign-in.',
    },
    {
      done: false,
      text: 'Connect a phone line or a help desk (optional)',
      href: '/settings/phone-lines',
      why: 'Voicemails and imported tickets become Assists too.',
    },
  ];
  return (
    <section class="card checklist" aria-labelledby="checklist-title">
      <h2 id="checklist-title">Get Baton ready</h2>
      <ol>
        {steps.map((step) => (
          <li class={step.done ? 'done' : ''}>
            <span class="tick" aria-hidden="true">
              {step.done ? '✓' : '○'}
            </span>
            <a href={step.href} onClick={(e) => linkClick(e, step.href)}>
              {step.text}
            </a>
            <span class="sr-only">{step.done ? ' (done)' : ' (to do)'}</span>
            <p class="muted small">{step.why}</p>
          </li>
        ))}
      </ol>
      {bot && (
        <>
          <h3>The two calls your chat AI makes</h3>
          <p class="muted small">
            With the key of {bot.name}, shown once when it was created (Rotate key under Bots makes a new one).
          </p>
          <pre class="snippet" aria-label="Example requests">
            {snippet(location.origin, bot.public_key ?? '<bot key>')}
          </pre>
        </>
      )}
    </section>
  );
}
