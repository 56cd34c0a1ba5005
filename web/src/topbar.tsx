// The bar across the top: brand, navigation, and the user's menu
// (availability, password, sign out).
import { useEffect, useRef, useState } from 'preact/hooks';
import { patch } from './api';
import type { User } from './api';
import { label } from './format';
import { linkClick } from './router';
import { notifyError, seesSettings, useMe } from './ui';

export function TopBar(props: { current: 'inbox' | 'settings' | 'account' }) {
  const me = useMe();
  const [busy, setBusy] = useState(false);
  const menu = useRef<HTMLDetailsElement>(null);
  const u = me.user;

  // The menu closes on a click elsewhere or Escape.
  useEffect(() => {
    const close = (e: Event) => {
      const m = menu.current;
      if (!m?.open) return;
      if (e instanceof KeyboardEvent ? e.key === 'Escape' : !m.contains(e.target as Node)) m.open = false;
    };
    document.addEventListener('click', close);
    document.addEventListener('keydown', close);
    return () => {
      document.removeEventListener('click', close);
      document.removeEventListener('keydown', close);
    };
  }, []);
  const available = u.availability === 'available';

  async function toggleAvailability() {
    setBusy(true);
    try {
      const r = await patch<{ user: User }>(`/v1/team/${encodeURIComponent(u.id)}`, {
        availability: available ? 'offline' : 'available',
      });
      me.setUser(r.user);
    } catch (e) {
      notifyError(e);
    } finally {
      setBusy(false);
    }
  }

  return (
    <header class="topbar">
      <a class="brand" href="/" onClick={(e) => linkClick(e, '/')}>
        <span class="logo" aria-hidden="true" /> Baton
      </a>
      <nav aria-label="Main">
        <a href="/" aria-current={props.current === 'inbox' ? 'page' : undefined} onClick={(e) => linkClick(e, '/')}>
          Inbox
        </a>
        {seesSettings(u) && (
          <a
            href="/settings/team"
            aria-current={props.current === 'settings' ? 'page' : undefined}
            onClick={(e) => linkClick(e, '/settings/team')}
          >
            Settings
          </a>
        )}
      </nav>
      <details class="menu" ref={menu}>
        <summary aria-label={`Account: ${u.name}`}>
          <span class={`presence ${available ? 'on' : 'off'}`} aria-hidden="true" />
          <span class="menu-name">{u.name}</span>
        </summary>
        <div class="menu-body">
          <p class="menu-who">
            <strong>{u.name}</strong>
            <span class="muted">{u.email}</span>
            <span class="muted">{label(u.role)}</span>
          </p>
          <button type="button" disabled={busy} onClick={toggleAvailability}>
            {available ? 'Set myself offline' : 'Set myself available'}
          </button>
          <a href="/account" class="menu-link" onClick={(e) => linkClick(e, '/account')}>
            Change password
          </a>
          <button type="button" onClick={() => me.signOut()}>
            Sign out
          </button>
        </div>
      </details>
    </header>
  );
}
