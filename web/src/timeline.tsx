// The conversation: the chat transcript as handed off, then replies,
// customer emails, internal notes and system events in time order, each
// marked with who it came from. Text only: message bodies are text nodes.
import { useLayoutEffect, useRef } from 'preact/hooks';
import type { AssistDetail, AssistEvent, Message } from './api';
import { bytes, dateTime, label } from './format';

type Item = { t: number; order: number; msg?: Message; ev?: AssistEvent };

/** Events that the conversation already shows as messages, or as the hand-off line. */
const HIDDEN_EVENTS = new Set(['note_added', 'messages_appended', 'created', 'replied', 'customer_replied']);

const EMAIL_KINDS: Record<string, string> = {
  reply: 'the reply',
  survey: 'the satisfaction survey',
  team_new_assist: 'the team notification',
  reply_notification: 'the notification of the customer’s reply',
};

export function Timeline(props: { d: AssistDetail; names: Map<string, string> }) {
  const { d, names } = props;
  const created = d.events.find((e) => e.kind === 'created');
  const items: Item[] = [
    ...d.activity.map((m, i) => ({ t: Date.parse(m.created_at), order: i, msg: m })),
    ...d.events
      .filter((e) => !HIDDEN_EVENTS.has(e.kind))
      .map((e, i) => ({ t: Date.parse(e.at), order: 100000 + i, ev: e })),
  ].sort((a, b) => a.t - b.t || a.order - b.order);

  // Opens at the newest item, and follows new ones while the reader is at the end.
  const ref = useRef<HTMLOListElement>(null);
  const atEnd = useRef(true);
  const count = d.transcript.length + items.length;
  useLayoutEffect(() => {
    const el = ref.current;
    if (el && atEnd.current) el.scrollTop = el.scrollHeight;
  }, [count]);

  return (
    <ol
      class="timeline"
      aria-label="Conversation"
      ref={ref}
      tabIndex={0}
      onScroll={(e) => {
        const el = e.currentTarget;
        atEnd.current = el.scrollHeight - el.scrollTop - el.clientHeight < 40;
      }}
    >
      {d.transcript.map((m) => (
        <MessageItem m={m} d={d} />
      ))}
      <li class="item system handoff">
        <span class="sys-text">
          <strong>Handed off to the team</strong>
          {created && typeof created.data.reason === 'string' ? <span>: {created.data.reason}</span> : null}
        </span>
        <time dateTime={d.created_at}>{dateTime(d.created_at)}</time>
      </li>
      {items.map((it) => (it.msg ? <MessageItem m={it.msg} d={d} /> : it.ev ? <EventItem e={it.ev} names={names} /> : null))}
    </ol>
  );
}

function who(m: Message, d: AssistDetail): { cls: string; title: string } {
  switch (m.role) {
    case 'customer':
      return {
        cls: 'customer',
        title: `${m.from?.name || d.customer.name || m.from?.email || 'Customer'} · ${m.channel === 'email' ? 'customer email' : 'customer'}`,
      };
    case 'assistant':
      return { cls: 'ai', title: 'AI assistant' };
    case 'agent':
      return { cls: 'agent', title: `${m.author?.name ?? 'Agent'} · agent reply` };
    case 'note':
      return { cls: 'note', title: `Internal note · ${m.author?.name ?? 'a teammate'}` };
    default:
      return { cls: 'other', title: label(m.role) };
  }
}

function MessageItem(props: { m: Message; d: AssistDetail }) {
  const { m } = props;
  const w = who(m, props.d);
  return (
    <li class={`item msg msg-${w.cls}`} data-role={m.role}>
      <div class="msg-head">
        <span class="msg-who">
          {w.title}
        </span>
        <time dateTime={m.created_at}>{dateTime(m.created_at)}</time>
      </div>
      {m.subject && <p class="msg-subject small">Subject: {m.subject}</p>}
      <div class="msg-text">{m.text}</div>
      {m.attachments && m.attachments.length > 0 && (
        <ul class="attachments" aria-label="Attachments">
          {m.attachments.map((a) => (
            <li>
              <span class="file">{a.filename}</span> <span class="muted small">({bytes(a.size)})</span>
            </li>
          ))}
        </ul>
      )}
      {m.email && <Delivery e={m.email} />}
      {w.cls === 'note' && <p class="note-tag small">Not sent to the customer</p>}
    </li>
  );
}

function Delivery(props: { e: NonNullable<Message['email']> }) {
  const { e } = props;
  const text = e.delivery === 'sent' ? 'Emailed' : e.delivery === 'queued' ? 'Sending by email…' : 'Email failed';
  return (
    <p class={`delivery delivery-${e.delivery} small`}>
      {text}
      {e.error ? `: ${e.error}` : ''}
    </p>
  );
}

function actorName(actor: string, names: Map<string, string>): string {
  const [kind, id] = actor.split(':', 2);
  if (kind === 'user') return names.get(id) ?? 'a teammate';
  if (kind === 'bot') return 'the chat bot';
  if (kind === 'token') return 'an API token';
  if (kind === 'system' || !id) return 'Baton';
  return actor;
}

function eventText(e: AssistEvent, names: Map<string, string>): string {
  const to = e.data.to;
  const str = (v: unknown) => (typeof v === 'string' ? v : '');
  switch (e.kind) {
    case 'status_changed':
      return `Status set to ${label(str(to))}`;
    case 'priority_changed':
      return `Priority set to ${label(str(to))}`;
    case 'category_changed':
      return `Category set to ${label(str(to))}`;
    case 'tags_changed':
      return Array.isArray(to) && to.length ? `Tags set to ${to.join(', ')}` : 'Tags cleared';
    case 'brand_label_changed':
      return to ? `Label set to ${str(to)}` : 'Label cleared';
    case 'assigned':
      return to ? `Assigned to ${names.get(str(to)) ?? 'a teammate'}` : 'Unassigned';
    case 'closed':
      return `Closed${e.data.resolution ? `: ${str(e.data.resolution)}` : ''}`;
    case 'reopened':
      return e.data.by === 'customer_reply' ? 'Reopened by the customer’s reply' : 'Reopened';
    case 'email_sent':
      return `Emailed ${EMAIL_KINDS[str(e.data.kind)] ?? label(str(e.data.kind)).toLowerCase()}${e.data.to ? ` to ${str(e.data.to)}` : ''}`;
    case 'email_failed':
      return `Email failed (${EMAIL_KINDS[str(e.data.kind)] ?? label(str(e.data.kind)).toLowerCase()})${e.data.error ? `: ${str(e.data.error)}` : ''}`;
    case 'survey_sent':
      return 'Satisfaction survey sent';
    case 'csat_recorded':
      return `The customer rated the help ${String(e.data.score)} out of 5`;
    case 'import_updated':
      return 'Updated from the imported ticket';
    default:
      return label(e.kind);
  }
}

function EventItem(props: { e: AssistEvent; names: Map<string, string> }) {
  const { e } = props;
  return (
    <li class={`item system ${e.kind === 'email_failed' ? 'system-failed' : ''}`} data-kind={e.kind}>
      <span class="sys-text">
        <span class="sys-label">System</span> {eventText(e, props.names)}
        <span class="muted"> · by {actorName(e.actor, props.names)}</span>
      </span>
      <time dateTime={e.at}>{dateTime(e.at)}</time>
    </li>
  );
}
