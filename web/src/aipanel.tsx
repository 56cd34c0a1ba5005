// The AI panel: summary, customer details, the suggested reply, priority,
// category and tags (editable by those allowed), sentiment, why it
// escalated, and the customer's previous Assists.
import { useEffect, useState } from 'preact/hooks';
import type { AssistDetail } from './api';
import type { Apply } from './assist';
import { putAiReply } from './composer';
import { CATEGORIES, PRIORITIES, ago, dateTime, label, languageName, percent } from './format';
import { linkClick } from './router';
import { StatusBadge, can, useMe } from './ui';

export function AiPanel(props: { d: AssistDetail; apply: Apply; open: boolean; onClose: () => void }) {
  const { d } = props;
  const me = useMe();
  const manage = can(me.user, 'manage_workload');
  const ai = d.ai;
  const details = ai.details ?? {};
  const identifiers = d.customer.identifiers ?? [];
  const reply = ai.suggested_reply?.text;

  return (
    <aside
      class={`pane ai-pane ${props.open ? 'open' : ''}`}
      id="ai-panel"
      aria-label="AI panel"
      onKeyDown={(e) => {
        if (e.key === 'Escape' && props.open) props.onClose();
      }}
    >
      {props.open && (
        <button type="button" class="ai-close" onClick={props.onClose}>
          <span aria-hidden="true">←</span> Back to the conversation
        </button>
      )}
      <section class="card">
        <h2>Summary</h2>
        {ai.language && (
          <p class="small muted" id="ai-language">
            Customer writes in {languageName(ai.language.value)} ({percent(ai.language.confidence)} confidence)
          </p>
        )}
        <p class="summary-text" lang={ai.language?.value}>
          {ai.summary || 'No summary.'}
        </p>
        {ai.summary_team && (
          <p class="summary-text summary-team" lang="en">
            <span class="muted small">In English: </span>
            {ai.summary_team}
          </p>
        )}
        {(ai.team_adjusted ?? []).length > 0 && (
          <p class="small team-adjusted">
            {(ai.team_adjusted ?? []).map(label).join(' and ')} learned from your team's corrections.
          </p>
        )}
      </section>

      <section class="card">
        <h2>Customer</h2>
        <dl class="kv">
          <dt>Name</dt>
          <dd>{d.customer.name || '—'}</dd>
          <dt>Email</dt>
          <dd>{d.customer.email ?? 'None on file'}</dd>
          {(d.customer.phone || details.phone) && (
            <>
              <dt>Phone</dt>
              <dd>{d.customer.phone || details.phone}</dd>
            </>
          )}
          {(details.order_numbers ?? []).length > 0 && (
            <>
              <dt>Orders</dt>
              <dd>{(details.order_numbers ?? []).join(', ')}</dd>
            </>
          )}
          {identifiers
            .filter((i) => i.kind !== 'order')
            .map((i) => (
              <>
                <dt>{label(i.kind)}</dt>
                <dd>{i.value}</dd>
              </>
            ))}
          {(details.emails ?? []).filter((e) => e !== d.customer.email).length > 0 && (
            <>
              <dt>Other emails</dt>
              <dd>{(details.emails ?? []).filter((e) => e !== d.customer.email).join(', ')}</dd>
            </>
          )}
        </dl>
      </section>

      {reply && (
        <section class="card">
          <h2>Suggested reply</h2>
          <p class="suggested">{reply}</p>
          {d.status !== 'closed' && (
            <button type="button" class="small" onClick={() => putAiReply(d.id, reply)}>
              Use this reply
            </button>
          )}
        </section>
      )}

      <section class="card">
        <h2>Triage</h2>
        <div class="field inline">
          <label for="ai-priority">Priority</label>
          <select id="ai-priority" value={d.priority} onChange={(e) => props.apply({ priority: e.currentTarget.value })}>
            {PRIORITIES.map((p) => (
              <option value={p}>{label(p)}</option>
            ))}
          </select>
        </div>
        {ai.priority && <Assessed what="AI" value={ai.priority.value} confidence={ai.priority.confidence} factors={ai.priority.factors} />}
        <div class="field inline">
          <label for="ai-category">Category</label>
          {manage ? (
            <select id="ai-category" value={d.category} onChange={(e) => props.apply({ category: e.currentTarget.value })}>
              {CATEGORIES.map((c) => (
                <option value={c}>{label(c)}</option>
              ))}
            </select>
          ) : (
            <span id="ai-category" class="static">
              {label(d.category)}
            </span>
          )}
        </div>
        {ai.category && <Assessed what="AI" value={ai.category.value} confidence={ai.category.confidence} factors={ai.category.factors} />}
        <Tags d={d} apply={props.apply} editable={manage} />
        {manage ? <BrandLabel d={d} apply={props.apply} /> : d.brand_label ? <p class="small">Label: {d.brand_label}</p> : null}
      </section>

      {ai.sentiment && (
        <section class="card">
          <h2>Sentiment</h2>
          <p>
            <span class={`badge sentiment sentiment-${ai.sentiment.value}`}>{label(ai.sentiment.value)}</span>{' '}
            <span class="muted small">{percent(ai.sentiment.confidence)} confidence</span>
          </p>
          <Factors factors={ai.sentiment.factors} />
        </section>
      )}

      {ai.escalation && (
        <section class="card">
          <h2>Why it escalated</h2>
          <p>{ai.escalation.reason}</p>
          {ai.escalation.trigger && (
            <p class="small">
              Trigger: <strong>{label(ai.escalation.trigger.kind)}</strong>
              {ai.escalation.trigger.phrase ? ` (“${ai.escalation.trigger.phrase}”)` : ''}
              {ai.escalation.trigger.topic ? ` · ${label(ai.escalation.trigger.topic)}` : ''}
              <span class="muted"> · {percent(ai.escalation.confidence)} confidence</span>
            </p>
          )}
          <h3>Factors</h3>
          <Factors factors={[...(ai.priority?.factors ?? []), ...(ai.category?.factors ?? [])]} />
        </section>
      )}

      {d.csat && (
        <section class="card">
          <h2>Satisfaction</h2>
          {d.csat.score !== null && d.csat.answered_at ? (
            <p>
              <strong>{d.csat.score} / 5</strong> <span class="muted small">· {dateTime(d.csat.answered_at)}</span>
            </p>
          ) : (
            <p class="muted small">Survey sent{d.csat.sent_at ? ` ${dateTime(d.csat.sent_at)}` : ''}; no answer yet.</p>
          )}
          {d.csat.training_signal && <p class="small">A low score: this Assist is a signal for training the AI.</p>}
        </section>
      )}

      <section class="card">
        <h2>Previous Assists</h2>
        {d.customer.previous_assists.length === 0 ? (
          <p class="muted small">None: this is the customer’s first.</p>
        ) : (
          <ul class="previous">
            {d.customer.previous_assists.map((p) => {
              const href = `/assists/${encodeURIComponent(p.assist_id)}`;
              return (
                <li>
                  <a href={href} onClick={(e) => linkClick(e, href)}>
                    {p.reference}
                  </a>{' '}
                  <StatusBadge value={p.status} /> <span class="muted small">{ago(p.created_at)}</span>
                  <p class="small">{p.summary}</p>
                  {p.resolution && <p class="small muted">Resolution: {p.resolution}</p>}
                </li>
              );
            })}
          </ul>
        )}
      </section>
    </aside>
  );
}

function Assessed(props: { what: string; value: string; confidence: number; factors: string[] }) {
  return (
    <p class="assessed small muted">
      {props.what}: {label(props.value)} ({percent(props.confidence)})
      {props.factors.length ? ` — ${props.factors.join('; ')}` : ''}
    </p>
  );
}

function Factors(props: { factors: string[] }) {
  const unique = Array.from(new Set(props.factors));
  if (!unique.length) return null;
  return (
    <ul class="factors">
      {unique.map((f) => (
        <li>{f}</li>
      ))}
    </ul>
  );
}

function Tags(props: { d: AssistDetail; apply: Apply; editable: boolean }) {
  const [adding, setAdding] = useState('');
  const tags = props.d.tags;
  async function add(e: Event) {
    e.preventDefault();
    const t = adding.trim().toLowerCase();
    if (!t || tags.includes(t)) {
      setAdding('');
      return;
    }
    if (await props.apply({ tags: [...tags, t] })) setAdding('');
  }
  return (
    <div class="tags-field">
      <span class="field-label" id="tags-label">
        Tags
      </span>
      <ul class="tags" aria-labelledby="tags-label">
        {tags.length === 0 && <li class="muted small">No tags</li>}
        {tags.map((t) => (
          <li class="tag">
            <span>{t}</span>
            {props.editable && (
              <button type="button" class="tag-x" aria-label={`Remove tag ${t}`} onClick={() => props.apply({ tags: tags.filter((x) => x !== t) })}>
                ×
              </button>
            )}
          </li>
        ))}
      </ul>
      {props.editable && (
        <form class="row" onSubmit={add}>
          <label for="tag-add" class="sr-only">
            Add a tag
          </label>
          <input id="tag-add" placeholder="Add a tag" maxLength={40} value={adding} onInput={(e) => setAdding(e.currentTarget.value)} />
          <button type="submit" class="small">
            Add
          </button>
        </form>
      )}
    </div>
  );
}

function BrandLabel(props: { d: AssistDetail; apply: Apply }) {
  const [value, setValue] = useState(props.d.brand_label ?? '');
  useEffect(() => setValue(props.d.brand_label ?? ''), [props.d.brand_label]);
  return (
    <form
      class="field inline"
      onSubmit={(e) => {
        e.preventDefault();
        if ((props.d.brand_label ?? '') !== value.trim()) props.apply({ brand_label: value.trim() || null });
      }}
    >
      <label for="ai-label">Label</label>
      <input id="ai-label" maxLength={60} value={value} onInput={(e) => setValue(e.currentTarget.value)} placeholder="e.g. a brand" />
      <button type="submit" class="small">
        Save
      </button>
    </form>
  );
}
