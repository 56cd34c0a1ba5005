// One open Assist: loads its detail and shows the conversation (centre)
// with its controls and composer, and the AI panel (right). Keeps the
// detail fresh while it is open and marks it read.
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, assistPath, get, patch, post } from './api';
import type { AssistDetail, AssistRow, User } from './api';
import { AiPanel } from './aipanel';
import { Composer } from './composer';
import { label } from './format';
import { linkClick } from './router';
import { Timeline } from './timeline';
import { FormError, PriorityBadge, StatusBadge, can, errorText, notify, notifyError, useMe, useTitle } from './ui';

const DETAIL_POLL_MS = 10000;

export type Apply = (body: Record<string, unknown>) => Promise<boolean>;

/** Team members by id, for names in events and the assignee picker (needs manage_workload). */
let teamCache: Promise<User[]> | null = null;
export function forgetTeam(): void {
  teamCache = null;
}

export function loadTeam(): Promise<User[]> {
  if (!teamCache) {
    teamCache = get<{ members: User[] }>('/v1/team')
      .then((r) => r.members)
      .catch((e) => {
        teamCache = null;
        throw e;
      });
  }
  return teamCache;
}

export function AssistView(props: {
  id: string;
  backHref: string;
  rowUpdatedAt: string | null;
  onChanged: (id: string, change?: Partial<AssistRow>) => void;
}) {
  const me = useMe();
  const [detail, setDetail] = useState<AssistDetail | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [team, setTeam] = useState<User[]>([]);
  const [showAi, setShowAi] = useState(false);
  const [closing, setClosing] = useState(false);
  const detailRef = useRef<AssistDetail | null>(null);
  detailRef.current = detail;
  const mainRef = useRef<HTMLElement>(null);
  useTitle(detail ? `${detail.customer.name || detail.customer.email || detail.reference} · ${detail.reference}` : 'Loading…');

  async function load(quiet = false) {
    try {
      const d = await get<AssistDetail>(assistPath(props.id));
      setDetail(d);
      setError(null);
      if (d.unread) markRead();
    } catch (e) {
      if (!quiet || (e instanceof ApiError && e.status === 404)) setError(errorText(e));
    }
  }

  async function markRead() {
    try {
      await post(assistPath(props.id, '/read'), { read: true });
      setDetail((d) => (d ? { ...d, unread: false } : d));
      props.onChanged(props.id, { unread: false });
    } catch {
      // Read state is a convenience; the next refresh tries again.
    }
  }

  useEffect(() => {
    load();
    if (can(me.user, 'manage_workload')) {
      loadTeam().then(setTeam, () => undefined);
    }
    const t = setInterval(() => {
      if (!document.hidden) load(true);
    }, DETAIL_POLL_MS);
    return () => clearInterval(t);
  }, [props.id]);

  // While an email is on its way, look again soon for its delivery.
  useEffect(() => {
    if (!detail?.activity.some((m) => m.email?.delivery === 'queued')) return;
    const t = setTimeout(() => load(true), 2000);
    return () => clearTimeout(t);
  }, [detail]);

  // The list saw this Assist change (a customer reply, a teammate's edit).
  useEffect(() => {
    const d = detailRef.current;
    if (d && props.rowUpdatedAt && props.rowUpdatedAt !== d.updated_at) load(true);
  }, [props.rowUpdatedAt]);

  // Focus the conversation when it opens from the list (keyboard users).
  useEffect(() => {
    if (detail && document.activeElement?.classList.contains('assist-row')) {
      mainRef.current?.querySelector<HTMLElement>('h1')?.focus({ preventScroll: true });
    }
  }, [detail?.id]);

  /** PATCH (or a close/reopen) with the version; answers the new detail. */
  async function change(path: string, body: Record<string, unknown>, method: 'PATCH' | 'POST'): Promise<boolean> {
    const d = detailRef.current;
    if (!d) return false;
    try {
      const next =
        method === 'PATCH'
          ? await patch<AssistDetail>(assistPath(d.id), body, d.version)
          : await post<AssistDetail>(assistPath(d.id, path), body, d.version);
      setDetail(next);
      props.onChanged(d.id, {
        status: next.status,
        priority: next.priority,
        category: next.category,
        tags: next.tags,
        assignee: next.assignee,
        brand_label: next.brand_label,
        updated_at: next.updated_at,
      });
      return true;
    } catch (e) {
      notifyError(e);
      if (e instanceof ApiError && e.status === 412) load(true);
      return false;
    }
  }

  const apply: Apply = (body) => change('', body, 'PATCH');

  if (error && !detail) {
    return (
      <main class="pane convo-pane" id="main">
        <div class="convo-head">
          <a class="back" href={props.backHref} onClick={(e) => linkClick(e, props.backHref)}>
            ← Back to the list
          </a>
        </div>
        <p class="form-error" role="alert">
          {error}
        </p>
      </main>
    );
  }
  if (!detail) {
    return (
      <main class="pane convo-pane" id="main">
        <p class="empty" role="status">
          Loading the conversation…
        </p>
      </main>
    );
  }

  const d = detail;
  const closed = d.status === 'closed';
  const names = new Map<string, string>();
  names.set(me.user.id, `${me.user.name} (you)`);
  for (const u of team) if (u.id !== me.user.id) names.set(u.id, u.name);
  for (const m of d.activity) if (m.author && !names.has(m.author.id)) names.set(m.author.id, m.author.name);
  if (d.assignee && !names.has(d.assignee.id)) names.set(d.assignee.id, d.assignee.name);

  return (
    <>
      <main class={`pane convo-pane ${showAi ? 'ai-open' : ''}`} id="main" ref={mainRef} aria-labelledby="convo-title">
        <div class="convo-head">
          <a class="back" href={props.backHref} aria-label="Back to the list" onClick={(e) => linkClick(e, props.backHref)}>
            <span aria-hidden="true">←</span> <span class="back-text">Back to the list</span>
          </a>
          <div class="convo-title">
            <h1 id="convo-title" tabIndex={-1}>
              {d.customer.name || d.customer.email || 'Unknown customer'}
            </h1>
            <p class="muted small">
              <span>{d.reference}</span>
              <span class="sub-extra">
                {' '}
                {d.customer.email ? ` · ${d.customer.email}` : ''} · {label(d.channel)}
              </span>
            </p>
          </div>
          <div class="convo-badges">
            <StatusBadge value={d.status} />
            <PriorityBadge value={d.priority} />
          </div>
          <button type="button" class="ai-toggle" aria-expanded={showAi} aria-controls="ai-panel" onClick={() => setShowAi(!showAi)}>
            {showAi ? 'Conversation' : 'AI panel'}
          </button>
        </div>
        <Controls d={d} team={team} apply={apply} onClose={() => setClosing(true)} onReopen={() => change('/reopen', {}, 'POST')} />
        {closed && d.resolution && (
          <p class="resolution">
            <strong>Resolution:</strong> <span>{d.resolution}</span>
          </p>
        )}
        <Timeline d={d} names={names} />
        <Composer
          d={d}
          onSent={(kind) => {
            load(true);
            props.onChanged(d.id);
            notify(kind === 'reply' ? 'Reply sent to the customer.' : 'Internal note added.');
          }}
        />
      </main>
      <AiPanel d={d} apply={apply} open={showAi} onClose={() => setShowAi(false)} />
      {closing && (
        <CloseDialog
          onCancel={() => setClosing(false)}
          onSubmit={async (resolution, survey) => {
            const body: Record<string, unknown> = { resolution };
            if (survey) body.send_survey = true;
            const ok = await change('/close', body, 'POST');
            if (ok) {
              setClosing(false);
              notify('Assist closed.');
            }
            return ok;
          }}
        />
      )}
    </>
  );
}

function Controls(props: { d: AssistDetail; team: User[]; apply: Apply; onClose: () => void; onReopen: () => void }) {
  const me = useMe();
  const { d } = props;
  const closed = d.status === 'closed';
  const manage = can(me.user, 'manage_workload');
  return (
    <div class="controls" role="group" aria-label="Assist controls">
      <div class="control">
        <label for="ctl-status">Status</label>
        {closed ? (
          <span id="ctl-status" class="static">
            Closed
          </span>
        ) : (
          <select id="ctl-status" value={d.status} onChange={(e) => props.apply({ status: e.currentTarget.value })}>
            <option value="open">Open</option>
            <option value="pending">Pending</option>
          </select>
        )}
      </div>
      <div class="control">
        <label for="ctl-assignee">Assignee</label>
        {manage ? (
          <select
            id="ctl-assignee"
            value={d.assignee?.id ?? ''}
            onChange={(e) => props.apply({ assignee_id: e.currentTarget.value || null })}
          >
            <option value="">Unassigned</option>
            {!props.team.some((u) => u.id === me.user.id) && <option value={me.user.id}>{me.user.name} (you)</option>}
            {props.team.map((u) => (
              <option value={u.id}>
                {u.name}
                {u.id === me.user.id ? ' (you)' : ''}
                {u.availability === 'offline' ? ' · offline' : ''}
              </option>
            ))}
            {d.assignee && !props.team.some((u) => u.id === d.assignee?.id) && d.assignee.id !== me.user.id && (
              <option value={d.assignee.id}>{d.assignee.name}</option>
            )}
          </select>
        ) : (
          <span id="ctl-assignee" class="static">
            {d.assignee ? d.assignee.name : 'Unassigned'}
          </span>
        )}
      </div>
      <div class="control-actions">
        {closed ? (
          <button type="button" onClick={props.onReopen}>
            Reopen
          </button>
        ) : (
          <button type="button" class="danger-outline" onClick={props.onClose}>
            Close…
          </button>
        )}
      </div>
    </div>
  );
}

function CloseDialog(props: { onCancel: () => void; onSubmit: (resolution: string, survey: boolean) => Promise<boolean> }) {
  const ref = useRef<HTMLDialogElement>(null);
  const [resolution, setResolution] = useState('');
  const [survey, setSurvey] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    const dlg = ref.current;
    if (dlg && !dlg.open) dlg.showModal();
  }, []);
  async function submit(e: Event) {
    e.preventDefault();
    if (!resolution.trim()) {
      setError(new Error('Describe how it was resolved: it is shown in the customer’s history.'));
      return;
    }
    setBusy(true);
    setError(null);
    const ok = await props.onSubmit(resolution.trim(), survey);
    setBusy(false);
    if (!ok) setError(new Error('The Assist was not closed; see the message above.'));
  }
  return (
    <dialog ref={ref} class="dialog" aria-labelledby="close-title" onCancel={props.onCancel}>
      <form onSubmit={submit} class="stack">
        <h2 id="close-title">Close this Assist</h2>
        <div class="field">
          <label for="close-resolution">Resolution</label>
          <textarea
            id="close-resolution"
            rows={4}
            maxLength={2000}
            required
            value={resolution}
            onInput={(e) => setResolution(e.currentTarget.value)}
          />
          <small class="hint">What was done. Shown in the customer’s history.</small>
        </div>
        <label class="check">
          <input type="checkbox" checked={survey} onChange={(e) => setSurvey(e.currentTarget.checked)} />
          Send the customer a satisfaction survey
        </label>
        <FormError error={error} />
        <div class="row end">
          <button type="button" onClick={props.onCancel}>
            Cancel
          </button>
          <button type="submit" class="primary" disabled={busy}>
            {busy ? 'Closing…' : 'Close Assist'}
          </button>
        </div>
      </form>
    </dialog>
  );
}
