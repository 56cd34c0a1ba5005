// Sign-in, first-run setup and accepting an invitation.
import { useState } from 'preact/hooks';
import { ApiError, post } from './api';
import type { Session } from './api';
import { linkClick, navigate } from './router';
import { Field, FormError, NewPasswordField, useTitle } from './ui';

function Shell(props: { title: string; intro?: string; children: preact.ComponentChildren }) {
  useTitle(props.title);
  return (
    <main class="auth" id="main">
      <div class="auth-card">
        <div class="brand brand-large" aria-hidden="true">
          <span class="logo" /> Baton
        </div>
        <h1>{props.title}</h1>
        {props.intro && <p class="muted">{props.intro}</p>}
        {props.children}
      </div>
    </main>
  );
}

export function Login(props: { onSession: (s: Session) => void; notice?: string; setupKnownDone?: boolean }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: Event) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      props.onSession(await post<Session>('/v1/auth/login', { email, password }));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Shell title="Sign in" intro="The AI escalation inbox.">
      {props.notice && (
        <p class="info" role="status">
          {props.notice}
        </p>
      )}
      <form onSubmit={submit} class="stack">
        <Field label="Email" id="login-email">
          <input
            id="login-email"
            type="email"
            autoComplete="username"
            required
            value={email}
            onInput={(e) => setEmail(e.currentTarget.value)}
          />
        </Field>
        <Field label="Password" id="login-password">
          <input
            id="login-password"
            type="password"
            autoComplete="current-password"
            required
            value={password}
            onInput={(e) => setPassword(e.currentTarget.value)}
          />
        </Field>
        <FormError error={error} />
        <button type="submit" class="primary" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
      <p class="muted small">
        <a href="/forgot-password" onClick={(e) => linkClick(e, '/forgot-password')}>
          Forgot your password?
        </a>
      </p>
      {!props.setupKnownDone && (
        <p class="muted small">
          First time running Baton?{' '}
          <a href="/setup" onClick={(e) => linkClick(e, '/setup')}>
            Set up Baton
          </a>
        </p>
      )}
    </Shell>
  );
}

export function Setup(props: { onSession: (s: Session) => void }) {
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [taken, setTaken] = useState(false);

  async function submit(e: Event) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      props.onSession(await post<Session>('/v1/setup', { name, email, password }));
    } catch (err) {
      if (err instanceof ApiError && err.status === 409) setTaken(true);
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Shell title="Set up Baton" intro="Create the first account. It becomes the Owner: it can invite the team and connect bots.">
      <form onSubmit={submit} class="stack">
        <Field label="Your name" id="setup-name">
          <input id="setup-name" required maxLength={100} autoComplete="name" value={name} onInput={(e) => setName(e.currentTarget.value)} />
        </Field>
        <Field label="Email" id="setup-email">
          <input
            id="setup-email"
            type="email"
            required
            autoComplete="username"
            value={email}
            onInput={(e) => setEmail(e.currentTarget.value)}
          />
        </Field>
        <NewPasswordField id="setup-password" value={password} onInput={setPassword} />
        <FormError error={error} />
        <button type="submit" class="primary" disabled={busy}>
          {busy ? 'Creating…' : 'Create the Owner account'}
        </button>
      </form>
      <p class="muted small">
        {taken ? 'Baton already has an Owner. ' : 'Already set up? '}
        <a href="/login" onClick={(e) => linkClick(e, '/login')}>
          Sign in
        </a>
      </p>
    </Shell>
  );
}

/** A form that chooses a password with a link's token, then signs in. */
function ChoosePassword(props: {
  title: string;
  intro: string;
  id: string;
  label?: string;
  button: string;
  busyText: string;
  endpoint: string;
  onSession: (s: Session) => void;
}) {
  const [password, setPassword] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: Event) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const s = await post<Session>(props.endpoint, { password });
      props.onSession(s);
      navigate('/', true);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Shell title={props.title} intro={props.intro}>
      <form onSubmit={submit} class="stack">
        <NewPasswordField id={props.id} label={props.label} value={password} onInput={setPassword} />
        <FormError error={error} />
        <button type="submit" class="primary" disabled={busy}>
          {busy ? props.busyText : props.button}
        </button>
      </form>
    </Shell>
  );
}

export function AcceptInvitation(props: { token: string; onSession: (s: Session) => void }) {
  if (!props.token) {
    return (
      <Shell title="Invitation">
        <p class="form-error" role="alert">
          This link has no invitation token. Ask whoever invited you for a new link.
        </p>
      </Shell>
    );
  }
  return (
    <ChoosePassword
      title="Join your team"
      intro="Choose a password to accept the invitation."
      id="accept-password"
      button="Accept and sign in"
      busyText="Joining…"
      endpoint={`/v1/invitations/${encodeURIComponent(props.token)}/accept`}
      onSession={props.onSession}
    />
  );
}

/** "Forgot password": asks for a reset link by email. */
export function ForgotPassword() {
  const [email, setEmail] = useState('');
  const [sent, setSent] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: Event) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const r = await post<{ detail: string }>('/v1/auth/password-reset', { email });
      setSent(r.detail);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Shell title="Reset your password" intro="We email a link to choose a new password. It works once, within the hour.">
      {sent ? (
        <p role="status">{sent}</p>
      ) : (
        <form onSubmit={submit} class="stack">
          <Field label="Email" id="forgot-email">
            <input
              id="forgot-email"
              type="email"
              autoComplete="username"
              required
              value={email}
              onInput={(e) => setEmail(e.currentTarget.value)}
            />
          </Field>
          <FormError error={error} />
          <button type="submit" class="primary" disabled={busy}>
            {busy ? 'Sending…' : 'Email me a link'}
          </button>
        </form>
      )}
      <p class="muted small">
        <a href="/login" onClick={(e) => linkClick(e, '/login')}>
          Back to sign-in
        </a>
      </p>
    </Shell>
  );
}

/** The page a reset link opens: choose a new password, then signed in. */
export function ResetPassword(props: { token: string; onSession: (s: Session) => void }) {
  return (
    <ChoosePassword
      title="Choose a new password"
      intro="Your other sessions are signed out once it is set."
      id="reset-password"
      label="New password"
      button="Set the password and sign in"
      busyText="Saving…"
      endpoint={`/v1/auth/password-reset/${encodeURIComponent(props.token)}`}
      onSession={props.onSession}
    />
  );
}
