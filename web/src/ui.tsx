// Shared pieces: notices (toasts), the signed-in user's context and
// permissions, badges and small form helpers. Every string from the API is
// rendered as a text node; nothing here takes HTML.
import { createContext } from 'preact';
import type { ComponentChildren } from 'preact';
import { useContext, useEffect, useState } from 'preact/hooks';
import { ApiError } from './api';
import type { Role, User } from './api';
import { label } from './format';

// ---- notices ---------------------------------------------------------------

export interface Notice {
  id: number;
  kind: 'error' | 'ok';
  text: string;
}

let notices: Notice[] = [];
let nextNotice = 1;
const noticeListeners = new Set<() => void>();

function publish() {
  noticeListeners.forEach((l) => l());
}

export function notify(text: string, kind: Notice['kind'] = 'ok'): void {
  const n = { id: nextNotice++, kind, text };
  notices = [...notices.filter((x) => x.text !== text), n].slice(-4);
  publish();
  setTimeout(() => dismiss(n.id), kind === 'error' ? 9000 : 3500);
}

/** Shows an error's detail (problem+json) as a notice. */
export function notifyError(e: unknown): void {
  if ((e as Error)?.name === 'AbortError') return;
  notify(errorText(e), 'error');
}

export function errorText(e: unknown): string {
  if (e instanceof ApiError) return e.describe();
  return (e as Error)?.message || 'Something went wrong.';
}

export function dismiss(id: number): void {
  notices = notices.filter((n) => n.id !== id);
  publish();
}

export function Notices() {
  const [, setTick] = useState(0);
  useEffect(() => {
    const l = () => setTick((t) => t + 1);
    noticeListeners.add(l);
    return () => {
      noticeListeners.delete(l);
    };
  }, []);
  return (
    <div class="notices" aria-live="polite">
      {notices.map((n) => (
        <div key={n.id} class={`notice notice-${n.kind}`} role={n.kind === 'error' ? 'alert' : 'status'}>
          <span>{n.text}</span>
          <button type="button" class="icon-btn" aria-label="Dismiss" onClick={() => dismiss(n.id)}>
            ×
          </button>
        </div>
      ))}
    </div>
  );
}

// ---- the signed-in user ------------------------------------------------------

export interface Me {
  user: User;
  setUser: (u: User) => void;
  signOut: () => void;
}

export const MeContext = createContext<Me | null>(null);

export function useMe(): Me {
  const me = useContext(MeContext);
  if (!me) throw new Error('useMe outside a signed-in screen');
  return me;
}

/** The permissions of docs/accounts.md, for showing and hiding controls (the API decides). */
export type Permission = 'manage_workload' | 'manage_team' | 'manage_bots' | 'manage_integrations' | 'manage_owners_and_admins';

const GRANTS: Record<Permission, Role[]> = {
  manage_workload: ['owner', 'admin', 'manager'],
  manage_team: ['owner', 'admin'],
  manage_bots: ['owner', 'admin'],
  manage_integrations: ['owner', 'admin'],
  manage_owners_and_admins: ['owner'],
};

export function can(user: User, p: Permission): boolean {
  return GRANTS[p].includes(user.role);
}

/** Settings (team, bots, integrations) are for Owners and Admins. */
export function seesSettings(user: User): boolean {
  return can(user, 'manage_team');
}

// ---- small pieces -----------------------------------------------------------

export function PriorityBadge({ value }: { value: string }) {
  return <span class={`badge prio prio-${value}`}>{label(value)}</span>;
}

export function StatusBadge({ value }: { value: string }) {
  return <span class={`badge status status-${value}`}>{label(value)}</span>;
}

export function FormError({ error }: { error: unknown }) {
  if (!error) return null;
  return (
    <p class="form-error" role="alert">
      {errorText(error)}
    </p>
  );
}

/** A field for choosing a password, with the rules the API applies. */
export function NewPasswordField(props: { id: string; label?: string; value: string; onInput: (v: string) => void }) {
  return (
    <Field label={props.label ?? 'Password'} id={props.id} hint="10 to 128 characters; not a common password.">
      <input
        id={props.id}
        type="password"
        required
        minLength={10}
        maxLength={128}
        autoComplete="new-password"
        aria-describedby={`${props.id}-hint`}
        value={props.value}
        onInput={(e) => props.onInput(e.currentTarget.value)}
      />
    </Field>
  );
}

export function Spinner({ label: text = 'Loading…' }: { label?: string }) {
  return (
    <p class="spinner" role="status">
      {text}
    </p>
  );
}

/** A labelled control; `error` (a field's message from the API) shows under it as `${id}-error`. */
export function Field(props: { label: string; id: string; hint?: string; error?: string; children: ComponentChildren }) {
  return (
    <div class="field">
      <label for={props.id}>{props.label}</label>
      {props.children}
      {props.hint && (
        <small id={`${props.id}-hint`} class="hint">
          {props.hint}
        </small>
      )}
      {props.error && (
        <small id={`${props.id}-error`} class="field-error">
          {props.error}
        </small>
      )}
    </div>
  );
}

/** A read-only value with a Copy button (webhook addresses, and secrets below). */
export function CopyField({ label: text, value, hint }: { label: string; value: string; hint?: string }) {
  const id = `copy-${text.replace(/\W+/g, '-').toLowerCase()}`;
  return (
    <div class="copy-field">
      <label for={id}>{text}</label>
      <div class="row">
        <input id={id} readOnly value={value} aria-describedby={hint ? `${id}-hint` : undefined} onFocus={(e) => (e.currentTarget as HTMLInputElement).select()} />
        <button
          type="button"
          onClick={() => {
            navigator.clipboard?.writeText(value).then(
              () => notify('Copied.'),
              () => notify('Select the text and copy it.', 'error'),
            );
          }}
        >
          Copy
        </button>
      </div>
      {hint && (
        <small id={`${id}-hint`} class="hint">
          {hint}
        </small>
      )}
    </div>
  );
}

/** Copies a secret shown once (keys, tokens, invitation links). */
export function Secret({ label: text, value }: { label: string; value: string }) {
  return (
    <div class="secret">
      <CopyField label={text} value={value} hint="Shown only now: store it safely." />
    </div>
  );
}

/** Re-renders every `ms` (relative times). */
export function useTick(ms: number): number {
  const [t, setT] = useState(() => Date.now());
  useEffect(() => {
    const i = setInterval(() => setT(Date.now()), ms);
    return () => clearInterval(i);
  }, [ms]);
  return t;
}

export function lines(text: string): string[] {
  return text
    .split('\n')
    .map((s) => s.trim())
    .filter(Boolean);
}

/** The document title for the current screen. */
export function useTitle(title: string | null): void {
  useEffect(() => {
    if (title !== null) document.title = title ? `${title} · Baton` : 'Baton';
  }, [title]);
}
