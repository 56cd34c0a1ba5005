// The inbox API client: JSON in and out, the session token as a bearer
// token, and every failure as an ApiError carrying the problem's detail.

export type Role = 'owner' | 'admin' | 'manager' | 'support';

export interface User {
  id: string;
  name: string;
  email: string;
  role: Role;
  availability: 'available' | 'offline';
  can_set_own_availability: boolean;
  created_at: string;
}

export interface Session {
  token: string;
  expires_at: string;
  user: User;
}

export interface AssistRow {
  id: string;
  reference: string;
  customer: { name: string; email: string | null };
  summary: string;
  priority: string;
  category: string;
  status: string;
  channel: string;
  language?: string;
  brand_label: string | null;
  tags: string[];
  assignee: { id: string; name: string } | null;
  created_at: string;
  updated_at: string;
  unread: boolean;
}

export interface Counts {
  open: number;
  pending: number;
  closed: number;
}

export interface Attachment {
  filename: string;
  content_type: string;
  size: number;
}

export interface Message {
  id: string;
  role: string; // customer | assistant | agent | note
  text: string;
  author: { id: string; name: string } | null;
  created_at: string;
  channel?: string;
  email?: { delivery: 'queued' | 'sent' | 'failed'; error: string | null };
  attachments?: Attachment[];
  subject?: string;
  from?: { email: string; name: string | null };
  draft_origin?: string;
}

export interface AssistEvent {
  kind: string;
  actor: string;
  data: Record<string, unknown>;
  at: string;
}

export interface Scored {
  value: string;
  confidence: number;
  factors: string[];
  source?: string;
}

export interface Analysis {
  summary?: string;
  /** The summary in the team's language when the customer writes another. */
  summary_team?: string | null;
  language?: Scored;
  /** Judgements this workspace's own corrections changed. */
  team_adjusted?: string[];
  details?: {
    name?: string | null;
    email?: string | null;
    phone?: string | null;
    emails?: string[];
    phones?: string[];
    order_numbers?: string[];
    identifiers?: { kind: string; value: string }[];
  };
  category?: Scored;
  priority?: Scored;
  sentiment?: Scored;
  tags?: { name: string; confidence: number; factors: string[] }[];
  escalation?: {
    escalate: boolean;
    confidence: number;
    reason: string;
    trigger: { kind: string; phrase: string | null; topic: string | null } | null;
  };
  suggested_reply?: { text: string; draft?: string; source?: string; variant?: number };
  source?: string;
}

export interface PreviousAssist {
  assist_id: string;
  reference: string;
  status: string;
  summary: string;
  resolution: string | null;
  category: string;
  created_at: string;
  closed_at: string | null;
}

/** Another member on the same Assist (from the presence heartbeat). */
export interface Presence {
  user: { id: string; name: string };
  typing: boolean;
}

export interface AssistDetail {
  id: string;
  presence?: Presence[];
  reference: string;
  version: number;
  status: string;
  priority: string;
  category: string;
  channel: string;
  language?: string;
  brand_label: string | null;
  tags: string[];
  assignee: { id: string; name: string } | null;
  resolution: string | null;
  unread: boolean;
  metadata: Record<string, unknown>;
  created_at: string;
  updated_at: string;
  closed_at: string | null;
  transcript: Message[];
  activity: Message[];
  ai: Analysis;
  customer: {
    name: string;
    email: string | null;
    phone: string | null;
    identifiers: { kind: string; value: string }[];
    previous_assists: PreviousAssist[];
  };
  events: AssistEvent[];
  csat?: { score: number | null; sent_at?: string; answered_at: string | null; training_signal?: boolean } | null;
}

export interface BotEmail {
  team_name?: string | null;
  from_email: string | null;
  from_name: string | null;
  provider: 'brevo' | 'sendgrid' | 'postmark' | 'resend' | null;
  api_key_set: boolean;
  notify_emails: string[];
  footer_address: string | null;
  inbound_domain: string | null;
  ready?: boolean;
}

export interface Bot {
  id: string;
  name: string;
  key_prefix: string;
  allowed_origins: string[];
  trigger_phrases: string[];
  confidence_threshold: number;
  support_team_name: string;
  created_at: string;
  updated_at: string;
  public_key?: string;
  email?: BotEmail;
}

export interface Invitation {
  id: string;
  email: string;
  name: string;
  role: Role;
  created_at: string;
  expires_at: string;
  accept_url?: string;
  /** Whether Baton emailed the link (some bot's email is ready). */
  emailed?: boolean;
  token?: string;
}

export interface ApiToken {
  id: string;
  name: string;
  role: Role;
  prefix: string;
  created_at: string;
  last_used_at: string | null;
  token?: string;
}

/** A failed request: the problem document's fields, always with a detail to show. */
export class ApiError extends Error {
  constructor(
    public status: number,
    public detail: string,
    public errors: { field: string; message: string }[] = [],
    public title = '',
    /** The whole problem document, for extension members such as `code`. */
    public body: Record<string, unknown> = {},
  ) {
    super(detail);
  }

  /** The detail plus each offending field, for display. */
  describe(): string {
    // Validation details already name their fields: never say them twice.
    if (this.errors.every((e) => this.detail.includes(e.message))) return this.detail;
    return `${this.detail} ${this.errors.map((e) => `${e.field}: ${e.message}.`).join(' ')}`.trim();
  }
}

const TOKEN_KEY = 'baton.session';

interface Stored {
  token: string;
  expires_at: string;
}

export function storedToken(): string | null {
  try {
    const raw = localStorage.getItem(TOKEN_KEY);
    if (!raw) return null;
    const s = JSON.parse(raw) as Stored;
    if (!s.token || Date.parse(s.expires_at) <= Date.now()) {
      localStorage.removeItem(TOKEN_KEY);
      return null;
    }
    return s.token;
  } catch {
    return null;
  }
}

export function storeSession(s: Session | null): void {
  try {
    if (s) localStorage.setItem(TOKEN_KEY, JSON.stringify({ token: s.token, expires_at: s.expires_at }));
    else localStorage.removeItem(TOKEN_KEY);
  } catch {
    // Storage may be unavailable (private mode); the session then lasts for this page.
  }
  memoryToken = s ? s.token : null;
}

let memoryToken: string | null = null;
let onUnauthorized: (() => void) | null = null;

/** Called when a request with a token answers 401: the session ended. */
export function setUnauthorizedHandler(f: () => void): void {
  onUnauthorized = f;
}

export interface Options {
  method?: string;
  body?: unknown;
  ifMatch?: number;
  signal?: AbortSignal;
}

export async function request<T>(path: string, opts: Options = {}): Promise<{ data: T; etag: string | null }> {
  const headers: Record<string, string> = { accept: 'application/json' };
  const token = memoryToken ?? storedToken();
  if (token) headers.authorization = `Bearer ${token}`;
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  if (opts.ifMatch !== undefined) headers['if-match'] = `"${opts.ifMatch}"`;
  let res: Response;
  try {
    res = await fetch(path, {
      method: opts.method ?? (opts.body === undefined ? 'GET' : 'POST'),
      headers,
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
      signal: opts.signal,
      cache: 'no-store',
      credentials: 'omit',
    });
  } catch (e) {
    if ((e as Error).name === 'AbortError') throw e;
    throw new ApiError(0, 'Baton cannot be reached. Check your connection; it will retry.');
  }
  const text = await res.text();
  let body: unknown = null;
  if (text) {
    try {
      body = JSON.parse(text);
    } catch {
      body = null;
    }
  }
  if (!res.ok) {
    const p = (body ?? {}) as { detail?: string; title?: string; errors?: { field: string; message: string }[] };
    if (res.status === 401 && token && onUnauthorized) onUnauthorized();
    let detail = p.detail || p.title || `The request failed (HTTP ${res.status}).`;
    if (res.status === 429) {
      const wait = res.headers.get('retry-after');
      if (wait) detail += ` Try again in ${wait} seconds.`;
    }
    throw new ApiError(
      res.status,
      detail,
      Array.isArray(p.errors) ? p.errors : [],
      p.title ?? '',
      (body ?? {}) as Record<string, unknown>,
    );
  }
  return { data: body as T, etag: res.headers.get('etag') };
}

export async function get<T>(path: string, signal?: AbortSignal): Promise<T> {
  return (await request<T>(path, { signal })).data;
}

export async function post<T>(path: string, body: unknown = {}, ifMatch?: number): Promise<T> {
  return (await request<T>(path, { method: 'POST', body, ifMatch })).data;
}

export async function patch<T>(path: string, body: unknown, ifMatch?: number): Promise<T> {
  return (await request<T>(path, { method: 'PATCH', body, ifMatch })).data;
}

export async function del(path: string): Promise<void> {
  await request<unknown>(path, { method: 'DELETE' });
}

/** A query string from the set values of an object. */
export function query(params: Record<string, string | number | undefined | null>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  }
  const s = q.toString();
  return s ? `?${s}` : '';
}

export const assistPath = (id: string, rest = '') => `/v1/assists/${encodeURIComponent(id)}${rest}`;

export interface Importer {
  id: string;
  provider: string;
  account: Record<string, unknown>;
  brand_label: string | null;
  imported: number;
  running: boolean;
  last_run: { started_at: string; error: string | null; done: boolean } | null;
  created_at: string;
}

export interface ImportRun {
  run_id: string;
  imported: number;
  updated: number;
  skipped: number;
  failed: number;
  failures: unknown[];
  remaining_estimate: number | null;
  done: boolean;
  error: string | null;
  retry_after: number | null;
}

export interface VoiceLine {
  id: string;
  provider: string;
  account: Record<string, unknown>;
  phone_number: string;
  brand_label: string | null;
  number_filter: string | null;
  status: 'active' | 'warning' | 'error';
  last_error: string | null;
  webhook_url: string;
  webhook_registered: boolean;
  subscription_expires_at: string | null;
  created_at: string;
  updated_at: string;
}
