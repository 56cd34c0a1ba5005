// Entry point: restores the session, then shows sign-in, setup, the inbox
// or settings by path.
import { render } from 'preact';
import { useEffect, useMemo, useState } from 'preact/hooks';
import { ApiError, get, post, setUnauthorizedHandler, storeSession, storedToken } from './api';
import type { Session, User } from './api';
import { forgetTeam } from './assist';
import { AcceptInvitation, ForgotPassword, Login, ResetPassword, Setup } from './auth';
import { clearDrafts } from './composer';
import { Inbox, prefetchList } from './inbox';
import { navigate, useLocation } from './router';
import { Account } from './account';
import { Settings } from './settings';
import { MeContext, Notices, errorText } from './ui';
import './styles.css';

type Phase =
  | { kind: 'boot' }
  | { kind: 'offline'; error: string }
  | { kind: 'anon'; notice?: string; setupDone?: boolean }
  | { kind: 'in'; user: User };

function App() {
  const loc = useLocation();
  const [phase, setPhase] = useState<Phase>(() => (storedToken() ? { kind: 'boot' } : { kind: 'anon' }));

  async function restore() {
    try {
      const me = await get<{ user?: User }>('/v1/me');
      if (me.user) setPhase({ kind: 'in', user: me.user });
      else {
        storeSession(null);
        setPhase({ kind: 'anon', notice: 'The web inbox needs a personal sign-in, not an API token.' });
      }
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) {
        storeSession(null);
        setPhase({ kind: 'anon', notice: 'Your session ended. Sign in again.' });
      } else setPhase({ kind: 'offline', error: errorText(e) });
    }
  }

  useEffect(() => {
    setUnauthorizedHandler(() => {
      storeSession(null);
      setPhase({ kind: 'anon', notice: 'Your session ended. Sign in again.' });
    });
    if (phase.kind === 'boot') restore();
    else if (phase.kind === 'anon') probeSetup();
  }, []);

  // Asks whether Baton still needs its first Owner (GET /v1/setup →
  // {needed}); if that cannot be read, sign-in keeps its link to setup.
  async function probeSetup() {
    try {
      const s = await get<{ needed?: boolean }>('/v1/setup');
      if (s.needed === true && !['/accept-invitation', '/reset-password'].includes(location.pathname)) navigate('/setup', true);
      else if (s.needed === false) setPhase((p) => (p.kind === 'anon' ? { ...p, setupDone: true } : p));
    } catch {
      // Unreadable: keep the link.
    }
  }

  useEffect(() => {
    if (phase.kind === 'in' && (loc.path === '/login' || loc.path === '/setup')) navigate('/', true);
  }, [phase.kind, loc.path]);

  function onSession(s: Session) {
    storeSession(s);
    setPhase({ kind: 'in', user: s.user });
    if (location.pathname === '/login' || location.pathname === '/setup') navigate('/', true);
  }

  const me = useMemo(
    () =>
      phase.kind === 'in'
        ? {
            user: phase.user,
            setUser: (u: User) => setPhase({ kind: 'in', user: u }),
            signOut: () => {
              post('/v1/auth/logout').catch(() => undefined);
              clearDrafts();
              forgetTeam();
              storeSession(null);
              setPhase({ kind: 'anon', notice: 'You are signed out.' });
              navigate('/login');
            },
          }
        : null,
    [phase],
  );

  let screen;
  if (loc.path === '/accept-invitation') {
    screen = <AcceptInvitation token={loc.params.get('token') ?? ''} onSession={onSession} />;
  } else if (loc.path === '/reset-password') {
    screen = <ResetPassword token={loc.params.get('token') ?? ''} onSession={onSession} />;
  } else if (loc.path === '/forgot-password' && phase.kind !== 'in') {
    screen = <ForgotPassword />;
  } else if (phase.kind === 'boot') {
    screen = (
      <main class="auth" id="main">
        <p role="status">Loading Baton…</p>
      </main>
    );
  } else if (phase.kind === 'offline') {
    screen = (
      <main class="auth" id="main">
        <div class="auth-card">
          <h1>Baton cannot be reached</h1>
          <p class="form-error" role="alert">
            {phase.error}
          </p>
          <button type="button" class="primary" onClick={() => restore()}>
            Try again
          </button>
        </div>
      </main>
    );
  } else if (phase.kind === 'anon') {
    screen =
      loc.path === '/setup' ? (
        <Setup onSession={onSession} />
      ) : (
        <Login onSession={onSession} notice={phase.notice} setupKnownDone={phase.setupDone} />
      );
  } else if (loc.path.startsWith('/settings')) {
    screen = <Settings path={loc.path} />;
  } else if (loc.path === '/account') {
    screen = <Account />;
  } else {
    const m = /^\/assists\/([^/]+)$/.exec(loc.path);
    screen = <Inbox selectedId={m ? decodeURIComponent(m[1]) : null} params={loc.params} />;
  }

  return (
    <MeContext.Provider value={me}>
      <a class="skip" href="#main">
        Skip to content
      </a>
      {screen}
      <Notices />
    </MeContext.Provider>
  );
}

// With a session, the list loads beside the session check.
if (storedToken() && (location.pathname === '/' || location.pathname.startsWith('/assists/'))) {
  prefetchList(new URLSearchParams(location.search));
}

const root = document.getElementById('app');
if (root) render(<App />, root);
