// The composer under the conversation: a Reply tab pre-filled with the AI's
// suggested reply (marked as an AI draft until the agent types) with its
// refinements, and a separate Internal note tab. Unsent text the agent typed
// is kept per Assist in this browser (localStorage), so a reload keeps it.
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, assistPath, post } from './api';
import type { AssistDetail, Presence } from './api';
import { FormError, notifyError } from './ui';

type Tab = 'reply' | 'note';

interface Draft {
  tab: Tab;
  reply: string;
  /** The reply box holds the AI's text, untouched by the agent. */
  replyIsAi: boolean;
  note: string;
}

const drafts = new Map<string, Draft>();
const listeners = new Set<() => void>();
const STORE_PREFIX = 'baton.draft.';

/** Keeps what the agent typed (not untouched AI text) across reloads. */
function persist(id: string, x: Draft): void {
  const reply = x.replyIsAi ? '' : x.reply;
  try {
    if (reply.trim() || x.note.trim()) {
      localStorage.setItem(STORE_PREFIX + id, JSON.stringify({ reply, note: x.note }));
    } else localStorage.removeItem(STORE_PREFIX + id);
  } catch {
    // Storage full or disabled: the text still lives while the page is open.
  }
}

function restored(id: string): { reply: string; note: string } | null {
  try {
    const raw = localStorage.getItem(STORE_PREFIX + id);
    if (!raw) return null;
    const v = JSON.parse(raw) as { reply?: unknown; note?: unknown };
    return { reply: typeof v.reply === 'string' ? v.reply : '', note: typeof v.note === 'string' ? v.note : '' };
  } catch {
    return null;
  }
}

/** The newest message of the conversation (hand-off transcript, then activity). */
function lastMessage(d: AssistDetail) {
  return d.activity[d.activity.length - 1] ?? d.transcript[d.transcript.length - 1];
}

function draftFor(d: AssistDetail): Draft {
  let x = drafts.get(d.id);
  if (!x) {
    // Once an agent has answered, the AI draft is not offered again until
    // the customer writes something new.
    const answered = lastMessage(d)?.role === 'agent';
    const ai = answered ? '' : (d.ai.suggested_reply?.draft ?? d.ai.suggested_reply?.text ?? '');
    const kept = restored(d.id);
    x = kept?.reply
      ? { tab: 'reply', reply: kept.reply, replyIsAi: false, note: kept.note }
      : { tab: 'reply', reply: ai, replyIsAi: ai !== '', note: kept?.note ?? '' };
    drafts.set(d.id, x);
  }
  return x;
}

/** Forgets unsent text (on sign-out). */
export function clearDrafts(): void {
  drafts.clear();
  try {
    Object.keys(localStorage)
      .filter((k) => k.startsWith(STORE_PREFIX))
      .forEach((k) => localStorage.removeItem(k));
  } catch {
    // Nothing stored.
  }
}

/** Puts AI text in an Assist's reply box (e.g. "Use this reply" in the AI panel). */
export function putAiReply(id: string, text: string): void {
  const x = drafts.get(id);
  if (x) {
    x.reply = text;
    x.replyIsAi = true;
    x.tab = 'reply';
  } else drafts.set(id, { tab: 'reply', reply: text, replyIsAi: true, note: '' });
  listeners.forEach((l) => l());
}

const REFINEMENTS: { mode: string; text: string }[] = [
  { mode: 'regenerate', text: 'Regenerate' },
  { mode: 'shorter', text: 'Shorter' },
  { mode: 'formal', text: 'More formal' },
  { mode: 'casual', text: 'More casual' },
];

interface Changed {
  role: string;
  author: string | null;
  text: string;
}

/**
 * Sends a reply against the conversation this agent saw. When something
 * newer arrived (the customer wrote, or a teammate replied), the server
 * answers 409 with it; the agent reviews it and decides. Returns false when
 * the agent chose not to send.
 */
async function sendReply(d: AssistDetail, text: string): Promise<boolean> {
  const seen = lastMessage(d)?.id;
  try {
    await post(assistPath(d.id, '/replies'), seen ? { text, seen_message_id: seen } : { text });
    return true;
  } catch (e) {
    if (!(e instanceof ApiError) || e.status !== 409 || e.body.code !== 'stale_view') throw e;
    const changed = (e.body.changed ?? []) as Changed[];
    const lines = changed.map((c) => {
      const who = c.role === 'customer' ? 'The customer' : `${c.author ?? 'A teammate'} (reply)`;
      return `${who}: \u201c${c.text}\u201d`;
    });
    const ok = confirm(`New since you opened this Assist:\n\n${lines.join('\n')}\n\nSend your reply anyway?`);
    if (!ok) return false;
    await post(assistPath(d.id, '/replies'), { text, seen_message_id: e.body.latest_message_id });
    return true;
  }
}

export function Composer(props: { d: AssistDetail; onSent: (kind: Tab) => void }) {
  const { d } = props;
  const [, setTick] = useState(0);
  const rerender = () => setTick((t) => t + 1);
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [announce, setAnnounce] = useState('');
  const replyRef = useRef<HTMLTextAreaElement>(null);
  const noteRef = useRef<HTMLTextAreaElement>(null);
  const x = draftFor(d);
  const closed = d.status === 'closed';
  const [others, setOthers] = useState<Presence[]>(d.presence ?? []);
  const lastTyped = useRef(0);
  const beatNow = useRef<() => void>(() => undefined);

  // A heartbeat every 10 s while the Assist is open (typing while the reply
  // box changed lately): teammates see who is here, and so does this agent.
  useEffect(() => {
    let live = true;
    const beat = async () => {
      try {
        const typing = Date.now() - lastTyped.current < 10_000;
        const r = await post<{ presence: Presence[] }>(assistPath(d.id, '/presence'), { typing });
        if (live) setOthers(r.presence);
      } catch {
        // Presence only informs.
      }
    };
    beatNow.current = beat;
    beat();
    const timer = setInterval(beat, 10_000);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, [d.id]);

  useEffect(() => {
    listeners.add(rerender);
    return () => {
      listeners.delete(rerender);
    };
  }, []);

  function setTab(tab: Tab) {
    x.tab = tab;
    setError(null);
    rerender();
  }

  function onTabKey(e: KeyboardEvent) {
    if (e.key === 'ArrowRight' || e.key === 'ArrowLeft') {
      e.preventDefault();
      const next = x.tab === 'reply' ? 'note' : 'reply';
      setTab(next);
      document.getElementById(`composer-tab-${next}`)?.focus();
    }
  }

  async function refine(mode: string) {
    setBusy(mode);
    setError(null);
    try {
      const body: Record<string, string> = { mode };
      if (mode !== 'regenerate' && x.reply.trim()) body.text = x.reply;
      const r = await post<{ text: string }>(assistPath(d.id, '/draft'), body);
      x.reply = r.text;
      x.replyIsAi = true;
      setAnnounce(`The AI draft was updated (${mode}).`);
      rerender();
    } catch (e) {
      setError(e);
      notifyError(e);
    } finally {
      setBusy(null);
    }
  }

  async function send() {
    const text = (x.tab === 'reply' ? x.reply : x.note).trim();
    if (!text) {
      setError(new Error(x.tab === 'reply' ? 'Write a reply first.' : 'Write a note first.'));
      return;
    }
    setBusy('send');
    setError(null);
    try {
      if (x.tab === 'reply') {
        if (!(await sendReply(d, text))) return;
        x.reply = '';
        x.replyIsAi = false;
      } else {
        await post(assistPath(d.id, '/notes'), { text });
        x.note = '';
      }
      persist(d.id, x);
      rerender();
      props.onSent(x.tab);
    } catch (e) {
      setError(e);
      notifyError(e);
    } finally {
      setBusy(null);
    }
  }

  function onKey(e: KeyboardEvent) {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      send();
    }
  }

  const replyTab = x.tab === 'reply';
  return (
    <section class={`composer ${replyTab ? 'is-reply' : 'is-note'}`} aria-label="Reply or note">
      {others.length > 0 && (
        <p class="presence-note small" role="status">
          {others.map((o) => `${o.user.name} is ${o.typing ? 'typing a reply' : 'viewing this Assist'}`).join(' · ')}
        </p>
      )}
      <div class="tabs composer-tabs" role="tablist" aria-label="Write">
        <button
          type="button"
          role="tab"
          id="composer-tab-reply"
          aria-selected={replyTab}
          aria-controls="composer-reply"
          tabIndex={replyTab ? 0 : -1}
          class="tab"
          onClick={() => setTab('reply')}
          onKeyDown={onTabKey}
        >
          Reply
        </button>
        <button
          type="button"
          role="tab"
          id="composer-tab-note"
          aria-selected={!replyTab}
          aria-controls="composer-note"
          tabIndex={replyTab ? -1 : 0}
          class="tab"
          onClick={() => setTab('note')}
          onKeyDown={onTabKey}
        >
          Internal note
        </button>
      </div>
      <div id="composer-reply" role="tabpanel" aria-labelledby="composer-tab-reply" hidden={!replyTab} class="composer-panel">
        {closed ? (
          <p class="muted">This Assist is closed. Reopen it to reply to the customer.</p>
        ) : (
          <>
            <div class="composer-top">
              <label for="reply-text" class="sr-only">
                Reply to {d.customer.name || d.customer.email || 'the customer'} by email
              </label>
              {x.replyIsAi && (
                <span class="ai-mark" id="ai-draft-mark">
                  AI draft
                </span>
              )}
              <span class="muted small">{d.customer.email ? `To ${d.customer.email}` : 'No email address on file: replies cannot be sent'}</span>
            </div>
            <textarea
              id="reply-text"
              ref={replyRef}
              class={x.replyIsAi ? 'ai-draft' : ''}
              rows={5}
              maxLength={20000}
              aria-describedby={x.replyIsAi ? 'ai-draft-mark' : undefined}
              value={x.reply}
              onInput={(e) => {
                // Say "typing" at once after a pause, then with the heartbeat.
                const idle = Date.now() - lastTyped.current > 10_000;
                lastTyped.current = Date.now();
                if (idle) beatNow.current();
                x.reply = e.currentTarget.value;
                if (x.replyIsAi) {
                  x.replyIsAi = false;
                  rerender();
                }
                persist(d.id, x);
              }}
              onKeyDown={onKey}
            />
            <div class="composer-actions">
              <div class="refine" role="group" aria-label="Refine with AI">
                {REFINEMENTS.map((r) => (
                  <button type="button" class="small" disabled={busy !== null} onClick={() => refine(r.mode)}>
                    {busy === r.mode ? '…' : r.text}
                  </button>
                ))}
              </div>
              <button type="button" class="primary" disabled={busy !== null} onClick={send}>
                {busy === 'send' ? 'Sending…' : 'Send reply'}
              </button>
            </div>
          </>
        )}
      </div>
      <div id="composer-note" role="tabpanel" aria-labelledby="composer-tab-note" hidden={replyTab} class="composer-panel">
        <div class="composer-top">
          <label for="note-text" class="note-label">
            Internal note: only your team sees it
          </label>
        </div>
        <textarea
          id="note-text"
          ref={noteRef}
          rows={4}
          maxLength={10000}
          value={x.note}
          onInput={(e) => {
            x.note = e.currentTarget.value;
            persist(d.id, x);
          }}
          onKeyDown={onKey}
        />
        <div class="composer-actions">
          <span class="muted small">Ctrl+Enter to save</span>
          <button type="button" class="note-btn" disabled={busy !== null} onClick={send}>
            {busy === 'send' ? 'Saving…' : 'Add note'}
          </button>
        </div>
      </div>
      <FormError error={error} />
      <p class="sr-only" role="status">
        {announce}
      </p>
    </section>
  );
}
