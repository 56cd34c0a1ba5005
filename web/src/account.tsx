// The signed-in member's own account: change the password. Every member has
// it (Settings are for Owners and Admins); other sessions end on a change
// and this browser keeps a fresh one.
import { useState } from 'preact/hooks';
import { post, storeSession } from './api';
import type { Session } from './api';
import { TopBar } from './topbar';
import { Field, FormError, NewPasswordField, notify, useMe, useTitle } from './ui';

export function Account() {
  const me = useMe();
  useTitle('Your account');
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: Event) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const s = await post<Session>('/v1/me/password', { current_password: current, new_password: next });
      storeSession(s);
      setCurrent('');
      setNext('');
      notify('Password changed. Your other sessions were signed out.');
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <div class="app-shell">
      <TopBar current="account" />
      <main class="settings-main" id="main">
        <h1>Your account</h1>
        <p class="muted">
          {me.user.name} · {me.user.email}
        </p>
        <section class="card">
          <h2>Change password</h2>
          <form onSubmit={submit} class="stack">
            <Field label="Current password" id="current-password">
              <input
                id="current-password"
                type="password"
                required
                autoComplete="current-password"
                value={current}
                onInput={(e) => setCurrent(e.currentTarget.value)}
              />
            </Field>
            <NewPasswordField id="new-password" label="New password" value={next} onInput={setNext} />
            <FormError error={error} />
            <button type="submit" class="primary" disabled={busy}>
              {busy ? 'Changing…' : 'Change password'}
            </button>
          </form>
        </section>
      </main>
    </div>
  );
}
