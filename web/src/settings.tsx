// Settings for Owners and Admins: the team and its roles, bots (keys,
// trigger phrases, threshold, email), integrations (API tokens, help-desk
// imports) and phone lines (docs/voice.md).
import { useEffect, useState } from 'preact/hooks';
import { ApiError, del, get, patch, post, request } from './api';
import type { ApiToken, Bot, BotEmail, ImportRun, Importer, Invitation, Role, User, VoiceLine } from './api';
import { PROVIDERS, ROLES, dateTime, label } from './format';
import { linkClick } from './router';
import { TopBar } from './topbar';
import { CopyField, Field, FormError, Secret, Spinner, can, lines, notify, notifyError, seesSettings, useMe, useTitle } from './ui';

const SECTIONS = [
  { path: '/settings/team', text: 'Team' },
  { path: '/settings/bots', text: 'Bots' },
  { path: '/settings/integrations', text: 'Integrations' },
  { path: '/settings/phone-lines', text: 'Phone lines' },
];

export function Settings(props: { path: string }) {
  const me = useMe();
  const allowed = seesSettings(me.user);
  const section = SECTIONS.find((s) => props.path.startsWith(s.path)) ?? SECTIONS[0];
  useTitle(`${section.text} · Settings`);
  return (
    <div class="app-shell">
      <TopBar current="settings" />
      <div class="settings">
        {allowed && (
          <nav class="settings-nav" aria-label="Settings">
            {SECTIONS.map((s) => (
              <a href={s.path} aria-current={s === section ? 'page' : undefined} onClick={(e) => linkClick(e, s.path)}>
                {s.text}
              </a>
            ))}
          </nav>
        )}
        <main class="settings-main" id="main">
          {!allowed ? (
            <div>
              <h1>Settings</h1>
              <p role="alert" class="form-error">
                Settings are for Owners and Admins. Ask one of them to change the team, bots or integrations.
              </p>
            </div>
          ) : section.text === 'Team' ? (
            <Team />
          ) : section.text === 'Bots' ? (
            <Bots />
          ) : section.text === 'Phone lines' ? (
            <PhoneLines />
          ) : (
            <Integrations />
          )}
        </main>
      </div>
    </div>
  );
}

/** Loads a resource once, with a reload function and the error to show. */
function useLoad<T>(path: string): { data: T | null; error: unknown; reload: () => void } {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [n, setN] = useState(0);
  useEffect(() => {
    let live = true;
    get<T>(path).then(
      (d) => live && (setData(d), setError(null)),
      (e) => live && setError(e),
    );
    return () => {
      live = false;
    };
  }, [path, n]);
  return { data, error, reload: () => setN((x) => x + 1) };
}

// ---- team ---------------------------------------------------------------------

function Team() {
  const me = useMe();
  const members = useLoad<{ members: User[] }>('/v1/team');
  const invitations = useLoad<{ invitations: Invitation[] }>('/v1/team/invitations');
  const [sent, setSent] = useState<Invitation | null>(null);
  const mayOwners = can(me.user, 'manage_owners_and_admins');
  const grantable = ROLES.filter((r) => mayOwners || (r !== 'owner' && r !== 'admin'));

  async function setRole(u: User, role: Role) {
    try {
      await patch(`/v1/team/${encodeURIComponent(u.id)}`, { role });
      notify(`${u.name} is now ${label(role)}.`);
      members.reload();
    } catch (e) {
      notifyError(e);
      members.reload();
    }
  }

  const [reset, setReset] = useState<{ name: string; url: string; emailed: boolean } | null>(null);

  async function resetPassword(u: User) {
    try {
      const r = await post<{ reset_url: string; emailed: boolean }>(`/v1/team/${encodeURIComponent(u.id)}/password-reset`);
      setReset({ name: u.name, url: r.reset_url, emailed: r.emailed });
    } catch (e) {
      notifyError(e);
    }
  }

  async function remove(u: User) {
    if (!confirm(`Remove ${u.name} from the team? Their sessions end.`)) return;
    try {
      await del(`/v1/team/${encodeURIComponent(u.id)}`);
      notify(`${u.name} was removed.`);
      members.reload();
    } catch (e) {
      notifyError(e);
    }
  }

  return (
    <>
      <h1>Team</h1>
      <section class="card">
        <h2>Members and roles</h2>
        <FormError error={members.error} />
        {!members.data ? (
          !members.error && <Spinner />
        ) : (
          <table class="table">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Email</th>
                <th scope="col">Role</th>
                <th scope="col">Availability</th>
                <th scope="col">
                  <span class="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {members.data.members.map((u) => {
                const locked = !mayOwners && (u.role === 'owner' || u.role === 'admin');
                return (
                  <tr>
                    <td>
                      {u.name}
                      {u.id === me.user.id ? ' (you)' : ''}
                    </td>
                    <td>{u.email}</td>
                    <td>
                      <label class="sr-only" for={`role-${u.id}`}>
                        Role of {u.name}
                      </label>
                      <select
                        id={`role-${u.id}`}
                        value={u.role}
                        disabled={locked}
                        onChange={(e) => setRole(u, e.currentTarget.value as Role)}
                      >
                        {(locked ? ROLES : grantable).map((r) => (
                          <option value={r}>{label(r)}</option>
                        ))}
                      </select>
                    </td>
                    <td>{label(u.availability)}</td>
                    <td>
                      {u.id !== me.user.id && !locked && (
                        <>
                          <button type="button" class="small" onClick={() => resetPassword(u)}>
                            Reset password
                          </button>{' '}
                          <button type="button" class="small danger-outline" onClick={() => remove(u)}>
                            Remove
                          </button>
                        </>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
        {reset && (
          <>
            <p class="muted small" role="status">
              {reset.emailed
                ? `A reset link was emailed to ${reset.name}; it works once, within the hour.`
                : `No bot can email yet: give ${reset.name} this link; it works once, within the hour.`}
            </p>
            <Secret label={`Password reset link for ${reset.name}`} value={reset.url} />
          </>
        )}
      </section>

      <section class="card">
        <h2>Invite a member</h2>
        <InviteForm
          roles={grantable}
          onSent={(inv) => {
            setSent(inv);
            invitations.reload();
          }}
        />
        {sent?.accept_url && (
          <>
            <p class="muted small" role="status">
              {sent.emailed
                ? `Emailed to ${sent.email}. You can also copy the link.`
                : 'Not emailed: no bot has email set up yet. Copy the link and send it yourself.'}
            </p>
            <Secret label={`Invitation link for ${sent.name}`} value={sent.accept_url} />
          </>
        )}
      </section>

      <section class="card">
        <h2>Pending invitations</h2>
        <FormError error={invitations.error} />
        {invitations.data && invitations.data.invitations.length === 0 && <p class="muted">None.</p>}
        {invitations.data && invitations.data.invitations.length > 0 && (
          <ul class="plain-list">
            {invitations.data.invitations.map((i) => (
              <li>
                <span>
                  {i.name} · {i.email} · {label(i.role)} <span class="muted small">expires {dateTime(i.expires_at)}</span>
                </span>
                <button
                  type="button"
                  class="small"
                  onClick={async () => {
                    try {
                      await del(`/v1/team/invitations/${encodeURIComponent(i.id)}`);
                      invitations.reload();
                    } catch (e) {
                      notifyError(e);
                    }
                  }}
                >
                  Withdraw
                </button>
              </li>
            ))}
          </ul>
        )}
      </section>
    </>
  );
}

function InviteForm(props: { roles: readonly Role[]; onSent: (i: Invitation) => void }) {
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<Role>('support');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  async function submit(e: Event) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const inv = await post<Invitation>('/v1/team/invitations', { name, email, role });
      props.onSent(inv);
      setName('');
      setEmail('');
      notify(`Invitation created for ${inv.email}. Send them the link.`);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }
  return (
    <form class="grid-form" onSubmit={submit}>
      <Field label="Name" id="invite-name">
        <input id="invite-name" required maxLength={100} value={name} onInput={(e) => setName(e.currentTarget.value)} />
      </Field>
      <Field label="Email" id="invite-email">
        <input id="invite-email" type="email" required value={email} onInput={(e) => setEmail(e.currentTarget.value)} />
      </Field>
      <Field label="Role" id="invite-role">
        <select id="invite-role" value={role} onChange={(e) => setRole(e.currentTarget.value as Role)}>
          {props.roles.map((r) => (
            <option value={r}>{label(r)}</option>
          ))}
        </select>
      </Field>
      <div class="field end">
        <button type="submit" class="primary" disabled={busy}>
          {busy ? 'Inviting…' : 'Create invitation'}
        </button>
      </div>
      <FormError error={error} />
    </form>
  );
}

// ---- bots ---------------------------------------------------------------------

function Bots() {
  const bots = useLoad<{ bots: Bot[] }>('/v1/bots');
  const [key, setKey] = useState<{ bot: string; key: string } | null>(null);
  const [name, setName] = useState('');
  const [error, setError] = useState<unknown>(null);

  async function create(e: Event) {
    e.preventDefault();
    setError(null);
    try {
      const b = await post<Bot>('/v1/bots', { name });
      setName('');
      if (b.public_key) setKey({ bot: b.name, key: b.public_key });
      bots.reload();
    } catch (err) {
      setError(err);
    }
  }

  return (
    <>
      <h1>Bots</h1>
      <p class="muted">Each chat widget or chat AI hands conversations to Baton with its bot’s public key.</p>
      <section class="card">
        <h2>New bot</h2>
        <form class="row" onSubmit={create}>
          <label for="bot-new-name" class="sr-only">
            Bot name
          </label>
          <input id="bot-new-name" placeholder="Bot name, e.g. Website chat" required maxLength={100} value={name} onInput={(e) => setName(e.currentTarget.value)} />
          <button type="submit" class="primary">
            Create bot
          </button>
        </form>
        <FormError error={error} />
      </section>
      {key && <Secret label={`Public key of ${key.bot}`} value={key.key} />}
      <FormError error={bots.error} />
      {!bots.data && !bots.error && <Spinner />}
      {bots.data?.bots.map((b) => (
        <BotCard key={b.id} bot={b} onKey={(k) => setKey({ bot: b.name, key: k })} onChanged={bots.reload} />
      ))}
    </>
  );
}

function BotCard(props: { bot: Bot; onKey: (k: string) => void; onChanged: () => void }) {
  const b = props.bot;
  const id = b.id;
  const [name, setName] = useState(b.name);
  const [origins, setOrigins] = useState(b.allowed_origins.join('\n'));
  const [phrases, setPhrases] = useState(b.trigger_phrases.join('\n'));
  const [threshold, setThreshold] = useState(String(b.confidence_threshold));
  const [team, setTeam] = useState(b.support_team_name);
  const [email, setEmail] = useState<BotEmail | null>(b.email ?? null);
  const [apiKey, setApiKey] = useState('');
  const [notifyList, setNotifyList] = useState((b.email?.notify_emails ?? []).join('\n'));
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  async function save(e: Event) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    const body: Record<string, unknown> = {
      name,
      allowed_origins: lines(origins),
      trigger_phrases: lines(phrases),
      confidence_threshold: Number(threshold),
      support_team_name: team,
    };
    if (email) {
      // Only the fields this API reports (it refuses unknown ones); empty clears.
      const values: Record<string, unknown> = {
        team_name: email.team_name || null,
        from_email: email.from_email || null,
        from_name: email.from_name || null,
        provider: email.provider || null,
        notify_emails: lines(notifyList),
        footer_address: email.footer_address || null,
        inbound_domain: email.inbound_domain || null,
      };
      const out: Record<string, unknown> = {};
      for (const k of Object.keys(values)) if (k in (b.email ?? {})) out[k] = values[k];
      if (apiKey) out.api_key = apiKey;
      body.email = out;
    }
    try {
      const r = await patch<Bot & { bot?: Bot }>(`/v1/bots/${encodeURIComponent(id)}`, body);
      const next = r.bot ?? r;
      if (next.email) setEmail(next.email);
      setApiKey('');
      notify(`Saved ${next.name ?? name}.`);
      props.onChanged();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  async function rotate() {
    if (!confirm(`Rotate the key of ${b.name}? The current key stops working at once.`)) return;
    try {
      const r = await post<Bot>(`/v1/bots/${encodeURIComponent(id)}/rotate-key`);
      if (r.public_key) props.onKey(r.public_key);
      props.onChanged();
    } catch (err) {
      notifyError(err);
    }
  }

  async function remove() {
    if (!confirm(`Delete ${b.name}? Its key stops working.`)) return;
    try {
      await del(`/v1/bots/${encodeURIComponent(id)}`);
      notify(`${b.name} was deleted.`);
      props.onChanged();
    } catch (err) {
      notifyError(err);
    }
  }

  const f = (k: string) => `bot-${id}-${k}`;
  const setEmailField = (k: keyof BotEmail, v: unknown) => setEmail((x) => (x ? { ...x, [k]: v } : x));
  return (
    <section class="card bot" aria-labelledby={f('title')}>
      <div class="row spread">
        <h2 id={f('title')}>{b.name}</h2>
        <span class="muted small">
          Key <code>{b.key_prefix}</code>
        </span>
      </div>
      <form class="grid-form" onSubmit={save}>
        <Field label="Name" id={f('name')}>
          <input id={f('name')} required maxLength={100} value={name} onInput={(e) => setName(e.currentTarget.value)} />
        </Field>
        <Field label="Support team name" id={f('team')} hint="How the bot names the humans it hands over to.">
          <input id={f('team')} value={team} aria-describedby={`${f('team')}-hint`} onInput={(e) => setTeam(e.currentTarget.value)} />
        </Field>
        <Field label="Escalation threshold" id={f('threshold')} hint="Hand off when the chat AI’s confidence is below this (0 to 1).">
          <input
            id={f('threshold')}
            type="number"
            min={0}
            max={1}
            step={0.05}
            value={threshold}
            aria-describedby={`${f('threshold')}-hint`}
            onInput={(e) => setThreshold(e.currentTarget.value)}
          />
        </Field>
        <Field label="Trigger phrases" id={f('phrases')} hint="One per line.">
          <textarea id={f('phrases')} rows={4} value={phrases} aria-describedby={`${f('phrases')}-hint`} onInput={(e) => setPhrases(e.currentTarget.value)} />
        </Field>
        <Field label="Allowed origins" id={f('origins')} hint="One per line, like https://shop.example.com.">
          <textarea id={f('origins')} rows={3} value={origins} aria-describedby={`${f('origins')}-hint`} onInput={(e) => setOrigins(e.currentTarget.value)} />
        </Field>
        {email ? (
          <fieldset class="email-settings">
            <legend>Email</legend>
            <p class={`wide small ${email.ready ? 'ok-text' : 'muted'}`}>
              {email.ready
                ? 'Ready: replies, confirmations and surveys go out through this provider.'
                : 'Not sending yet: set the provider, its API key and the from address.'}
            </p>
            <Field label="Provider" id={f('provider')}>
              <select id={f('provider')} value={email.provider ?? ''} onChange={(e) => setEmailField('provider', e.currentTarget.value || null)}>
                <option value="">None</option>
                {PROVIDERS.map((p) => (
                  <option value={p}>{label(p)}</option>
                ))}
              </select>
            </Field>
            <Field label="Provider API key" id={f('apikey')} hint={email.api_key_set ? 'A key is set; type a new one to replace it.' : 'No key set yet.'}>
              <input
                id={f('apikey')}
                type="password"
                autoComplete="off"
                value={apiKey}
                placeholder={email.api_key_set ? '••••••••' : ''}
                aria-describedby={`${f('apikey')}-hint`}
                onInput={(e) => setApiKey(e.currentTarget.value)}
              />
            </Field>
            <Field label="From email" id={f('from')}>
              <input id={f('from')} type="email" value={email.from_email ?? ''} onInput={(e) => setEmailField('from_email', e.currentTarget.value)} />
            </Field>
            <Field label="From name" id={f('fromname')}>
              <input id={f('fromname')} value={email.from_name ?? ''} onInput={(e) => setEmailField('from_name', e.currentTarget.value)} />
            </Field>
            {'team_name' in email && (
              <Field label="Team name in emails" id={f('emailteam')}>
                <input id={f('emailteam')} value={email.team_name ?? ''} onInput={(e) => setEmailField('team_name', e.currentTarget.value)} />
              </Field>
            )}
            <Field label="Inbound domain" id={f('inbound')} hint="Customers’ replies arrive at addresses on this domain.">
              <input id={f('inbound')} value={email.inbound_domain ?? ''} aria-describedby={`${f('inbound')}-hint`} onInput={(e) => setEmailField('inbound_domain', e.currentTarget.value)} />
            </Field>
            <Field label="Notify these addresses of new Assists" id={f('notify')} hint="One per line.">
              <textarea id={f('notify')} rows={2} value={notifyList} aria-describedby={`${f('notify')}-hint`} onInput={(e) => setNotifyList(e.currentTarget.value)} />
            </Field>
            <Field label="Footer postal address" id={f('footer')}>
              <textarea id={f('footer')} rows={2} value={email.footer_address ?? ''} onInput={(e) => setEmailField('footer_address', e.currentTarget.value)} />
            </Field>
          </fieldset>
        ) : (
          <p class="muted small wide">Email settings appear here once this Baton has the email integration.</p>
        )}
        <FormError error={error} />
        <div class="row wide">
          <button type="submit" class="primary" disabled={busy}>
            {busy ? 'Saving…' : 'Save'}
          </button>
          <button type="button" onClick={rotate}>
            Rotate key
          </button>
          <button type="button" class="danger-outline" onClick={remove}>
            Delete bot
          </button>
        </div>
      </form>
    </section>
  );
}

// ---- integrations ---------------------------------------------------------------

function Integrations() {
  const me = useMe();
  const tokens = useLoad<{ tokens: ApiToken[] }>('/v1/tokens');
  const [name, setName] = useState('');
  const [role, setRole] = useState<Role>('support');
  const [created, setCreated] = useState<ApiToken | null>(null);
  const [error, setError] = useState<unknown>(null);
  const roles = ROLES.filter((r) => can(me.user, 'manage_owners_and_admins') || r !== 'owner');

  async function create(e: Event) {
    e.preventDefault();
    setError(null);
    try {
      const t = await post<ApiToken>('/v1/tokens', { name, role });
      setCreated(t);
      setName('');
      tokens.reload();
    } catch (err) {
      setError(err);
    }
  }

  return (
    <>
      <h1>Integrations</h1>
      <section class="card">
        <h2>API tokens</h2>
        <p class="muted small">For scripts and other tools calling the inbox API (Authorization: Bearer).</p>
        <form class="grid-form" onSubmit={create}>
          <Field label="Token name" id="token-name">
            <input id="token-name" required maxLength={100} value={name} onInput={(e) => setName(e.currentTarget.value)} />
          </Field>
          <Field label="Role" id="token-role">
            <select id="token-role" value={role} onChange={(e) => setRole(e.currentTarget.value as Role)}>
              {roles.map((r) => (
                <option value={r}>{label(r)}</option>
              ))}
            </select>
          </Field>
          <div class="field end">
            <button type="submit" class="primary">
              Create token
            </button>
          </div>
          <FormError error={error} />
        </form>
        {created?.token && <Secret label={`Token ${created.name}`} value={created.token} />}
        <FormError error={tokens.error} />
        {tokens.data && tokens.data.tokens.length > 0 && (
          <table class="table">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Role</th>
                <th scope="col">Prefix</th>
                <th scope="col">Last used</th>
                <th scope="col">
                  <span class="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {tokens.data.tokens.map((t) => (
                <tr>
                  <td>{t.name}</td>
                  <td>{label(t.role)}</td>
                  <td>
                    <code>{t.prefix}</code>
                  </td>
                  <td>{t.last_used_at ? dateTime(t.last_used_at) : 'Never'}</td>
                  <td>
                    <button
                      type="button"
                      class="small danger-outline"
                      onClick={async () => {
                        if (!confirm(`Revoke ${t.name}? It stops working at once.`)) return;
                        try {
                          await del(`/v1/tokens/${encodeURIComponent(t.id)}`);
                          tokens.reload();
                        } catch (err) {
                          notifyError(err);
                        }
                      }}
                    >
                      Revoke
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      <Imports />
      <section class="card">
        <h2>Email</h2>
        <p class="muted small">Each bot sends its replies through its own email provider: see Bots.</p>
      </section>
      <section class="card">
        <h2>Telephony</h2>
        <p class="muted small">Voicemails and calls from Twilio, Vonage, Aircall, Dialpad, RingCentral or Quo: see Phone lines.</p>
      </section>
    </>
  );
}

// ---- help-desk imports -----------------------------------------------------------

/** The credentials each help desk needs (docs/imports.md); `secret` fields are write-only. */
const HELPDESKS: Record<string, { field: string; text: string; secret?: boolean; hint?: string }[]> = {
  zendesk: [
    { field: 'subdomain', text: 'Subdomain', hint: 'acme, or the full host name' },
    { field: 'email', text: 'Agent email' },
    { field: 'api_token', text: 'API token', secret: true },
  ],
  intercom: [{ field: 'access_token', text: 'Access token', secret: true }],
  freshdesk: [
    { field: 'domain', text: 'Domain', hint: 'acme.freshdesk.com or acme' },
    { field: 'api_key', text: 'API key', secret: true },
  ],
  happyfox: [
    { field: 'subdomain', text: 'Subdomain' },
    { field: 'api_key', text: 'API key', secret: true },
    { field: 'auth_code', text: 'Auth code', secret: true },
  ],
  helpscout: [
    { field: 'client_id', text: 'App ID' },
    { field: 'client_secret', text: 'App secret', secret: true },
  ],
};

function Imports() {
  const importers = useLoad<{ importers: Importer[] }>('/v1/integrations/importers');
  const [provider, setProvider] = useState('zendesk');
  const [creds, setCreds] = useState<Record<string, string>>({});
  const [brand, setBrand] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [lastRun, setLastRun] = useState<Record<string, ImportRun>>({});

  async function connect(e: Event) {
    e.preventDefault();
    setBusy('connect');
    setError(null);
    try {
      const credentials: Record<string, string> = {};
      for (const f of HELPDESKS[provider]) credentials[f.field] = (creds[f.field] ?? '').trim();
      const body: Record<string, unknown> = { provider, credentials };
      if (brand.trim()) body.brand_label = brand.trim();
      await post('/v1/integrations/importers', body);
      setCreds({});
      setBrand('');
      notify(`Connected ${label(provider)}. Run an import to bring its open tickets in.`);
      importers.reload();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(null);
    }
  }

  async function run(i: Importer) {
    setBusy(i.id);
    try {
      const r = await post<ImportRun>(`/v1/integrations/importers/${encodeURIComponent(i.id)}/run`);
      setLastRun((x) => ({ ...x, [i.id]: r }));
      if (r.error) notify(r.error, 'error');
      else notify(`${label(i.provider)}: ${r.imported} imported, ${r.updated} updated, ${r.skipped} already here${r.done ? '; all done.' : '; run again for more.'}`);
      importers.reload();
    } catch (err) {
      notifyError(err);
    } finally {
      setBusy(null);
    }
  }

  async function remove(i: Importer) {
    if (!confirm(`Disconnect ${label(i.provider)}? The Assists it imported stay.`)) return;
    try {
      await del(`/v1/integrations/importers/${encodeURIComponent(i.id)}`);
      importers.reload();
    } catch (err) {
      notifyError(err);
    }
  }

  const account = (i: Importer) =>
    Object.entries(i.account)
      .filter(([, v]) => typeof v === 'string' || typeof v === 'number')
      .map(([k, v]) => `${label(k)}: ${String(v)}`)
      .join(' · ');

  return (
    <section class="card" aria-labelledby="imports-title">
      <h2 id="imports-title">Help-desk imports</h2>
      <p class="muted small">Bring the open and pending tickets of another help desk in as Assists. Runs are safe to repeat.</p>
      <FormError error={importers.error} />
      {importers.data && importers.data.importers.length > 0 && (
        <ul class="plain-list importers">
          {importers.data.importers.map((i) => {
            const r = lastRun[i.id];
            return (
              <li>
                <span>
                  <strong>{label(i.provider)}</strong> <span class="muted small">{account(i)}</span>
                  {i.brand_label && <span class="chip">{i.brand_label}</span>}
                  <br />
                  <span class="small">
                    {i.imported.toLocaleString()} imported
                    {i.running ? ' · a run is going' : ''}
                    {i.last_run ? ` · last run ${dateTime(i.last_run.started_at)}${i.last_run.done ? ', complete' : ''}` : ' · never run'}
                  </span>
                  {i.last_run?.error && (
                    <span class="form-error small" role="alert">
                      {i.last_run.error}
                    </span>
                  )}
                  {r && !r.done && r.remaining_estimate !== null && (
                    <span class="small muted"> · about {r.remaining_estimate} left</span>
                  )}
                </span>
                <span class="row">
                  <button type="button" class="small primary" disabled={busy !== null || i.running} onClick={() => run(i)}>
                    {busy === i.id ? 'Importing…' : 'Run import'}
                  </button>
                  <button type="button" class="small danger-outline" onClick={() => remove(i)}>
                    Disconnect
                  </button>
                </span>
              </li>
            );
          })}
        </ul>
      )}
      <h3>Connect a help desk</h3>
      <form class="grid-form" onSubmit={connect}>
        <Field label="Help desk" id="import-provider">
          <select
            id="import-provider"
            value={provider}
            onChange={(e) => {
              setProvider(e.currentTarget.value);
              setCreds({});
            }}
          >
            {Object.keys(HELPDESKS).map((p) => (
              <option value={p}>{label(p)}</option>
            ))}
          </select>
        </Field>
        {HELPDESKS[provider].map((f) => (
          <Field label={f.text} id={`import-${f.field}`} hint={f.hint}>
            {f.secret ? (
              <input
                id={`import-${f.field}`}
                type="password"
                autoComplete="off"
                required
                value={creds[f.field] ?? ''}
                onInput={(e) => setCreds({ ...creds, [f.field]: e.currentTarget.value })}
              />
            ) : (
              <input
                id={`import-${f.field}`}
                autoComplete="off"
                required
                aria-describedby={f.hint ? `import-${f.field}-hint` : undefined}
                value={creds[f.field] ?? ''}
                onInput={(e) => setCreds({ ...creds, [f.field]: e.currentTarget.value })}
              />
            )}
          </Field>
        ))}
        <Field label="Label for its Assists (optional)" id="import-brand">
          <input id="import-brand" maxLength={60} value={brand} onInput={(e) => setBrand(e.currentTarget.value)} />
        </Field>
        <div class="field end">
          <button type="submit" class="primary" disabled={busy !== null}>
            {busy === 'connect' ? 'Checking…' : 'Connect'}
          </button>
        </div>
        <FormError error={error} />
      </form>
    </section>
  );
}

// ---- phone lines -------------------------------------------------------------

interface CredentialField {
  field: string;
  text: string;
  secret?: boolean;
  optional?: boolean;
  multiline?: boolean;
  options?: string[];
  hint?: string;
}

/** The credentials each telephony provider needs (docs/voice.md); `secret` fields are write-only. */
const PHONE_PROVIDERS: Record<string, CredentialField[]> = {
  twilio: [
    { field: 'account_sid', text: 'Account SID', hint: 'AC followed by 32 hexadecimal digits' },
    { field: 'auth_token', text: 'Auth token', secret: true },
  ],
  vonage: [
    { field: 'application_id', text: 'Application ID' },
    { field: 'signature_secret', text: 'Signature secret', secret: true },
    { field: 'private_key', text: 'Private key', secret: true, optional: true, multiline: true, hint: 'The application’s PEM key, to fetch transcripts' },
    { field: 'api_key', text: 'API key', optional: true },
    { field: 'api_secret', text: 'API secret', secret: true, optional: true },
  ],
  aircall: [
    { field: 'api_id', text: 'API ID' },
    { field: 'api_token', text: 'API token', secret: true },
  ],
  dialpad: [
    { field: 'api_key', text: 'API key', secret: true },
    { field: 'target_type', text: 'Target type', options: ['user', 'call_center', 'department'] },
    { field: 'target_id', text: 'Target ID', hint: 'The user, call center or department whose calls come in' },
  ],
  ringcentral: [
    { field: 'client_id', text: 'Client ID' },
    { field: 'client_secret', text: 'Client secret', secret: true },
    { field: 'jwt', text: 'JWT credential', secret: true },
    { field: 'extension_id', text: 'Extension ID', optional: true, hint: 'Leave empty for the JWT user’s own extension' },
  ],
  quo: [
    { field: 'api_key', text: 'API key', secret: true },
    { field: 'signing_key', text: 'Signing key', secret: true, optional: true, hint: 'Only for a legacy webhook made in the app' },
  ],
};

/** Where to paste the webhook address, for providers whose webhook Baton cannot register. */
const PASTE_WHERE: Record<string, string> = {
  twilio: 'In Twilio, paste it as this number’s voice webhook URL (A call comes in, HTTP POST).',
  vonage: 'In Vonage, paste it as the application’s answer URL and event URL.',
};

/** The form's control id for an API field name (`phone_number`, `credentials.auth_token`). */
const lineFieldId = (field: string) => `line-${field.replace('credentials.', 'cred-').replace(/_/g, '-')}`;

/** A field's message from the API, as a sentence under the control. */
function fieldMessage(text: string, message: string): string {
  return message.startsWith('is ') ? `${text} ${message}.` : `${message.charAt(0).toUpperCase()}${message.slice(1)}.`;
}

function PhoneLines() {
  const list = useLoad<{ lines: VoiceLine[] }>('/v1/integrations/voice/lines');
  const [busy, setBusy] = useState<string | null>(null);

  async function renew(l: VoiceLine) {
    setBusy(l.id);
    try {
      const r = await post<VoiceLine>(`/v1/integrations/voice/lines/${encodeURIComponent(l.id)}/renew`);
      if (r.status === 'active') notify(`Renewed the subscription of ${l.phone_number}.`);
      else notify(r.last_error ?? `${l.phone_number} still needs attention.`, 'error');
      list.reload();
    } catch (err) {
      notifyError(err);
    } finally {
      setBusy(null);
    }
  }

  async function remove(l: VoiceLine) {
    if (!confirm(`Delete the ${label(l.provider)} line ${l.phone_number}? Its calls stop reaching Baton; its Assists stay.`)) return;
    try {
      const { data } = await request<{ webhook?: string; note?: string }>(
        `/v1/integrations/voice/lines/${encodeURIComponent(l.id)}`,
        { method: 'DELETE' },
      );
      // The provider may keep its webhook (a failed removal, or a console setting).
      notify(
        data?.note ? `Deleted the line ${l.phone_number}. ${data.note}` : `Deleted the line ${l.phone_number}.`,
        data?.webhook === 'left_at_provider' ? 'error' : 'ok',
      );
      list.reload();
    } catch (err) {
      notifyError(err);
    }
  }

  // The account is the line's credentials without the secrets: named as in the form.
  const account = (l: VoiceLine) =>
    Object.entries(l.account)
      .filter(([, v]) => typeof v === 'string' || typeof v === 'number')
      .map(([k, v]) => {
        const f = PHONE_PROVIDERS[l.provider]?.find((x) => x.field === k);
        return `${f?.text ?? label(k)}: ${f?.options ? label(String(v)) : String(v)}`;
      })
      .join(' · ');

  return (
    <>
      <h1>Phone lines</h1>
      <p class="muted">Voicemails become Assists in the inbox, with their transcripts; completed calls get a summary note.</p>
      <section class="card" aria-labelledby="lines-title">
        <h2 id="lines-title">Lines</h2>
        <FormError error={list.error} />
        {!list.data && !list.error && <Spinner />}
        {list.data && list.data.lines.length === 0 && <p class="muted">No lines yet: connect one below.</p>}
        {list.data && list.data.lines.length > 0 && (
          <ul class="plain-list phone-lines">
            {list.data.lines.map((l) => (
              <li key={l.id} data-id={l.id}>
                <span>
                  <strong>{l.phone_number}</strong> <span class="muted small">{label(l.provider)}</span>{' '}
                  {l.brand_label && <span class="chip">{l.brand_label}</span>}{' '}
                  <span class={`badge line-${l.status}`}>{label(l.status)}</span>
                  <br />
                  <span class="small muted">
                    {account(l)}
                    {l.number_filter ? ` · only calls to or from ${l.number_filter}` : ''}
                    {l.subscription_expires_at ? ` · subscription until ${dateTime(l.subscription_expires_at)}` : ''}
                  </span>
                  {l.last_error && <span class="form-error small">{l.last_error}</span>}
                  {l.webhook_registered ? (
                    <span class="small ok-text">
                      <br />
                      Webhook registered with {label(l.provider)} automatically.
                    </span>
                  ) : (
                    <CopyField
                      label={`Webhook URL for ${l.phone_number}`}
                      value={l.webhook_url}
                      hint={PASTE_WHERE[l.provider] ?? 'Baton could not register this webhook: add it in the provider’s settings.'}
                    />
                  )}
                </span>
                <span class="row">
                  {l.provider === 'ringcentral' && (
                    <button type="button" class={`small${l.status === 'active' ? '' : ' primary'}`} disabled={busy !== null} onClick={() => renew(l)}>
                      {busy === l.id ? 'Renewing…' : 'Renew now'}
                    </button>
                  )}
                  <button type="button" class="small danger-outline" aria-label={`Delete ${l.phone_number}`} onClick={() => remove(l)}>
                    Delete
                  </button>
                </span>
              </li>
            ))}
          </ul>
        )}
      </section>
      <ConnectLine onConnected={list.reload} />
    </>
  );
}

function ConnectLine(props: { onConnected: () => void }) {
  const [provider, setProvider] = useState('twilio');
  const [creds, setCreds] = useState<Record<string, string>>({});
  const [phone, setPhone] = useState('');
  const [brand, setBrand] = useState('');
  const [filter, setFilter] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const fields = PHONE_PROVIDERS[provider];
  const shown = new Set(['phone_number', 'brand_label', 'number_filter', ...fields.map((f) => `credentials.${f.field}`)]);
  const errors: Record<string, string> = {};
  let unshown = false;
  if (error instanceof ApiError) {
    for (const e of error.errors) {
      if (shown.has(e.field) && !errors[e.field]) errors[e.field] = e.message;
      else unshown = true;
    }
  }
  // The fields' own messages sit under them; the summary says so, or gives the detail.
  const summary = error instanceof ApiError && error.errors.length > 0 && !unshown ? new Error('Check the marked fields.') : error;
  const invalid = (field: string, text: string, hint?: boolean) => {
    const id = lineFieldId(field);
    const described = [hint ? `${id}-hint` : '', errors[field] ? `${id}-error` : ''].filter(Boolean).join(' ');
    return {
      id,
      'aria-invalid': errors[field] ? ('true' as const) : undefined,
      'aria-describedby': described || undefined,
      error: errors[field] ? fieldMessage(text, errors[field]) : undefined,
    };
  };

  async function connect(e: Event) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const credentials: Record<string, string> = {};
      for (const f of fields) {
        const v = (creds[f.field] ?? (f.options ? f.options[0] : '')).trim();
        if (v || !f.optional) credentials[f.field] = v;
      }
      const body: Record<string, unknown> = { provider, credentials, phone_number: phone.trim() };
      if (brand.trim()) body.brand_label = brand.trim();
      if (filter.trim()) body.number_filter = filter.trim();
      const line = await post<VoiceLine>('/v1/integrations/voice/lines', body);
      setCreds({});
      setPhone('');
      setBrand('');
      setFilter('');
      notify(
        line.webhook_registered
          ? `Connected ${line.phone_number}: its calls come in now.`
          : `Connected ${line.phone_number}. Paste its webhook URL into ${label(line.provider)}.`,
      );
      props.onConnected();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  const phoneProps = invalid('phone_number', 'Phone number', true);
  const brandProps = invalid('brand_label', 'Brand label', true);
  const filterProps = invalid('number_filter', 'Number filter', true);
  return (
    <section class="card" aria-labelledby="connect-line-title">
      <h2 id="connect-line-title">Connect a line</h2>
      <p class="muted small">Credentials are stored sealed and never shown again.</p>
      <form class="grid-form" onSubmit={connect}>
        <Field label="Provider" id="line-provider">
          <select
            id="line-provider"
            value={provider}
            onChange={(e) => {
              setProvider(e.currentTarget.value);
              setCreds({});
              setError(null);
            }}
          >
            {Object.keys(PHONE_PROVIDERS).map((p) => (
              <option value={p}>{label(p)}</option>
            ))}
          </select>
        </Field>
        {fields.map((f) => {
          const text = f.optional ? `${f.text} (optional)` : f.text;
          const { error: message, ...attrs } = invalid(`credentials.${f.field}`, f.text, !!f.hint);
          const value = creds[f.field] ?? '';
          const set = (v: string) => setCreds({ ...creds, [f.field]: v });
          return (
            <Field label={text} id={attrs.id} hint={f.hint} error={message}>
              {f.options ? (
                <select {...attrs} value={value || f.options[0]} onChange={(e) => set(e.currentTarget.value)}>
                  {f.options.map((o) => (
                    <option value={o}>{label(o)}</option>
                  ))}
                </select>
              ) : f.multiline ? (
                <textarea {...attrs} rows={4} autoComplete="off" spellcheck={false} required={!f.optional} value={value} onInput={(e) => set(e.currentTarget.value)} />
              ) : f.secret ? (
                <input {...attrs} type="password" autoComplete="off" required={!f.optional} value={value} onInput={(e) => set(e.currentTarget.value)} />
              ) : (
                <input {...attrs} autoComplete="off" spellcheck={false} required={!f.optional} value={value} onInput={(e) => set(e.currentTarget.value)} />
              )}
            </Field>
          );
        })}
        <Field label="Phone number" id={phoneProps.id} hint="E.164, like +14155550100" error={phoneProps.error}>
          <input
            id={phoneProps.id}
            type="tel"
            required
            autoComplete="off"
            aria-invalid={phoneProps['aria-invalid']}
            aria-describedby={phoneProps['aria-describedby']}
            value={phone}
            onInput={(e) => setPhone(e.currentTarget.value)}
          />
        </Field>
        <Field label="Brand label (optional)" id={brandProps.id} hint="Greets callers and marks this line’s Assists" error={brandProps.error}>
          <input
            id={brandProps.id}
            maxLength={60}
            aria-invalid={brandProps['aria-invalid']}
            aria-describedby={brandProps['aria-describedby']}
            value={brand}
            onInput={(e) => setBrand(e.currentTarget.value)}
          />
        </Field>
        <Field label="Only calls to or from (optional)" id={filterProps.id} hint="For an account shared by several numbers" error={filterProps.error}>
          <input
            id={filterProps.id}
            type="tel"
            autoComplete="off"
            aria-invalid={filterProps['aria-invalid']}
            aria-describedby={filterProps['aria-describedby']}
            value={filter}
            onInput={(e) => setFilter(e.currentTarget.value)}
          />
        </Field>
        <div class="field end">
          <button type="submit" class="primary" disabled={busy}>
            {busy ? 'Connecting…' : 'Connect line'}
          </button>
        </div>
        <FormError error={summary} />
      </form>
    </section>
  );
}
