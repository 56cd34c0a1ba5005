// The inbox: the Assist list on the left (tabs with counts, filters,
// search, keyboard navigation, live refresh) and the open Assist's
// conversation and AI panel beside it.
import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { get, query } from './api';
import type { AssistRow, Counts } from './api';
import { AssistView } from './assist';
import { CATEGORIES, CHANNELS, LANGUAGES, PRIORITIES, ago, label, languageName } from './format';
import { linkClick, navigate } from './router';
import { TopBar } from './topbar';
import { Checklist } from './checklist';
import { PriorityBadge, errorText, seesSettings, useMe, useTick, useTitle } from './ui';

const PAGE = 40;
const POLL_MS = 5000;
const STATUSES = ['open', 'pending', 'closed'] as const;
type Status = (typeof STATUSES)[number];

export interface Filters {
  status: Status;
  priority: string;
  category: string;
  tag: string;
  label: string;
  channel: string;
  language: string;
  assignee: string; // '', 'me' or 'none'
  q: string;
}

const FILTER_KEYS = ['priority', 'category', 'tag', 'label', 'channel', 'language', 'assignee', 'q'] as const;

export function filtersFrom(params: URLSearchParams): Filters {
  const status = params.get('status') as Status;
  const f: Filters = {
    status: STATUSES.includes(status) ? status : 'open',
    priority: '',
    category: '',
    tag: '',
    label: '',
    channel: '',
    language: '',
    assignee: '',
    q: '',
  };
  for (const k of FILTER_KEYS) f[k] = params.get(k) ?? '';
  return f;
}

/** The filters as this page's query string (status only when not the default). */
export function filtersQuery(f: Filters): string {
  return query({
    status: f.status === 'open' ? undefined : f.status,
    priority: f.priority,
    category: f.category,
    tag: f.tag,
    label: f.label,
    channel: f.channel,
    language: f.language,
    assignee: f.assignee,
    q: f.q,
  });
}

function apiParams(f: Filters) {
  return {
    priority: f.priority,
    category: f.category,
    tag: f.tag.trim().toLowerCase(),
    brand_label: f.label.trim(),
    channel: f.channel,
    language: f.language,
    assignee: f.assignee,
    q: f.q.trim(),
  };
}

interface ListState {
  key: string;
  items: AssistRow[];
  next: string | null;
  loading: boolean;
  error: string | null;
  extraPages: boolean;
}

/** Newest first, ties by id: the API's default order. */
function before(a: AssistRow, b: AssistRow): boolean {
  return a.created_at === b.created_at ? a.id > b.id : a.created_at > b.created_at;
}

type Top = [{ assists: AssistRow[]; next_cursor: string | null }, { counts: Counts }];

function fetchTopPage(f: Filters): Promise<Top> {
  const p = apiParams(f);
  return Promise.all([
    get<{ assists: AssistRow[]; next_cursor: string | null }>(`/v1/assists${query({ ...p, status: f.status, limit: PAGE })}`),
    get<{ counts: Counts }>(`/v1/assists/counts${query(p)}`),
  ]);
}

let prefetched: { key: string; top: Promise<Top> } | null = null;

/** Starts loading the list at boot, beside the session check, to save a round trip. */
export function prefetchList(params: URLSearchParams): void {
  const f = filtersFrom(params);
  const top = fetchTopPage(f);
  top.catch(() => undefined);
  prefetched = { key: JSON.stringify(f), top };
}

function useAssistList(f: Filters) {
  const key = JSON.stringify(f);
  const [state, setState] = useState<ListState>({ key, items: [], next: null, loading: true, error: null, extraPages: false });
  const [counts, setCounts] = useState<Counts | null>(null);
  const seq = useRef(0);
  const stateRef = useRef(state);
  stateRef.current = state;

  const fetchTop = useCallback(
    async (reset: boolean) => {
      const mine = ++seq.current;
      if (reset) setState({ key, items: [], next: null, loading: true, error: null, extraPages: false });
      const early = prefetched?.key === key ? prefetched.top : null;
      prefetched = null;
      try {
        const [page, c] = await (early ?? fetchTopPage(f));
        if (mine !== seq.current) return;
        setCounts(c.counts);
        const old = stateRef.current;
        if (!reset && old.key === key && old.extraPages && page.assists.length) {
          // Keep the further pages already loaded, below the fresh first page.
          const last = page.assists[page.assists.length - 1];
          const ids = new Set(page.assists.map((a) => a.id));
          const rest = old.items.filter((a) => !ids.has(a.id) && before(last, a));
          setState({ key, items: [...page.assists, ...rest], next: old.next, loading: false, error: null, extraPages: true });
        } else {
          setState({ key, items: page.assists, next: page.next_cursor, loading: false, error: null, extraPages: false });
        }
      } catch (e) {
        if (mine !== seq.current) return;
        setState((s) => ({ ...s, loading: false, error: errorText(e) }));
      }
    },
    [key],
  );

  useLayoutEffect(() => {
    fetchTop(true);
    const timer = setInterval(() => {
      if (!document.hidden) fetchTop(false);
    }, POLL_MS);
    const onVisible = () => {
      if (!document.hidden) fetchTop(false);
    };
    document.addEventListener('visibilitychange', onVisible);
    return () => {
      clearInterval(timer);
      document.removeEventListener('visibilitychange', onVisible);
    };
  }, [fetchTop]);

  async function loadMore() {
    const s = stateRef.current;
    if (!s.next || s.loading) return;
    const mine = seq.current;
    setState({ ...s, loading: true });
    try {
      const page = await get<{ assists: AssistRow[]; next_cursor: string | null }>(
        `/v1/assists${query({ ...apiParams(f), status: f.status, limit: PAGE, cursor: s.next })}`,
      );
      if (mine !== seq.current) return;
      const ids = new Set(s.items.map((a) => a.id));
      setState({
        key,
        items: [...s.items, ...page.assists.filter((a) => !ids.has(a.id))],
        next: page.next_cursor,
        loading: false,
        error: null,
        extraPages: true,
      });
    } catch (e) {
      setState((x) => ({ ...x, loading: false, error: errorText(e) }));
    }
  }

  function update(id: string, change: Partial<AssistRow>) {
    setState((s) => ({ ...s, items: s.items.map((a) => (a.id === id ? { ...a, ...change } : a)) }));
  }

  return { ...state, counts, loadMore, refresh: () => fetchTop(false), update };
}

/** Counts as 1,234 below ten thousand, then 25K, 1.2M. */
function compact(n: number): string {
  return n < 10000 ? n.toLocaleString() : new Intl.NumberFormat(undefined, { notation: 'compact', maximumFractionDigits: 1 }).format(n);
}

function isTyping(t: EventTarget | null): boolean {
  const el = t as HTMLElement | null;
  if (!el) return false;
  return el.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName);
}

export function Inbox(props: { selectedId: string | null; params: URLSearchParams }) {
  const f = filtersFrom(props.params);
  const list = useAssistList(f);
  const qs = filtersQuery(f);
  const listRef = useRef<HTMLUListElement>(null);
  const searchRef = useRef<HTMLInputElement>(null);
  const [showFilters, setShowFilters] = useState(() => FILTER_KEYS.some((k) => k !== 'q' && f[k]));
  const [search, setSearch] = useState(f.q);
  const now = useTick(30000);

  function setFilters(change: Partial<Filters>) {
    const next = { ...f, ...change };
    const base = props.selectedId ? `/assists/${encodeURIComponent(props.selectedId)}` : '/';
    navigate(base + filtersQuery(next), true);
  }

  // The address changed (a link, Back): show its search unless someone is typing.
  useEffect(() => {
    if (document.activeElement !== searchRef.current) setSearch(f.q);
  }, [f.q]);

  // Search as you type, a quarter second after the last key.
  useEffect(() => {
    if (search === f.q) return;
    const t = setTimeout(() => setFilters({ q: search }), 250);
    return () => clearTimeout(t);
  }, [search]);

  // j / k move through the list, Enter opens (the rows are links), / searches.
  useEffect(() => {
    function onKey(e: KeyboardEvent) {
      if (e.metaKey || e.ctrlKey || e.altKey || isTyping(e.target)) return;
      if (e.key === '/') {
        e.preventDefault();
        searchRef.current?.focus();
        return;
      }
      if (e.key !== 'j' && e.key !== 'k') return;
      const rows = Array.from(listRef.current?.querySelectorAll<HTMLAnchorElement>('a.assist-row') ?? []);
      if (!rows.length) return;
      e.preventDefault();
      let i = rows.indexOf(document.activeElement as HTMLAnchorElement);
      if (i < 0) i = rows.findIndex((r) => r.getAttribute('aria-current') === 'true');
      const next = i < 0 ? 0 : Math.min(rows.length - 1, Math.max(0, i + (e.key === 'j' ? 1 : -1)));
      rows[next].focus();
      rows[next].scrollIntoView({ block: 'nearest' });
      if (next === rows.length - 1 && list.next) list.loadMore();
    }
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  });

  // Loads the next page when the end of the list scrolls into view.
  const sentinel = useRef<HTMLLIElement>(null);
  useEffect(() => {
    const el = sentinel.current;
    if (!el || !list.next) return;
    const io = new IntersectionObserver((entries) => {
      if (entries.some((x) => x.isIntersecting)) list.loadMore();
    });
    io.observe(el);
    return () => io.disconnect();
  }, [list.next, list.items.length]);

  const n = list.counts?.[f.status];
  useTitle(props.selectedId ? null : `${label(f.status)}${n !== undefined ? ` (${n.toLocaleString()})` : ''}`);
  const active = FILTER_KEYS.filter((k) => k !== 'q' && f[k]).length;
  const me = useMe();
  // No Assist at all yet: an Owner or Admin sees what to connect.
  const c = list.counts;
  const firstRun = !f.q && !active && c !== null && c.open + c.pending + c.closed === 0 && seesSettings(me.user);
  const selectedRow = list.items.find((a) => a.id === props.selectedId) ?? null;

  return (
    <div class="app-shell">
      <TopBar current="inbox" />
      <div class={`inbox ${props.selectedId ? 'has-selection' : 'no-selection'}`}>
        <section class="pane list-pane" aria-label="Assists">
          <div class="list-head">
            <div class="search">
              <label for="search" class="sr-only">
                Search Assists
              </label>
              <input
                id="search"
                ref={searchRef}
                type="search"
                placeholder="Search Assists"
                value={search}
                maxLength={200}
                onInput={(e) => setSearch(e.currentTarget.value)}
              />
              <button
                type="button"
                class={`filter-toggle ${active ? 'has-active' : ''}`}
                aria-expanded={showFilters}
                aria-controls="filters"
                onClick={() => setShowFilters(!showFilters)}
              >
                Filters{active ? ` (${active})` : ''}
              </button>
            </div>
            {showFilters && <FilterBar f={f} setFilters={setFilters} />}
            <div
              class="tabs"
              role="tablist"
              aria-label="Status"
              onKeyDown={(e) => {
                if (e.key !== 'ArrowRight' && e.key !== 'ArrowLeft') return;
                e.preventDefault();
                const i = STATUSES.indexOf(f.status) + (e.key === 'ArrowRight' ? 1 : -1);
                const next = STATUSES[(i + STATUSES.length) % STATUSES.length];
                setFilters({ status: next });
                document.getElementById(`tab-${next}`)?.focus();
              }}
            >
              {STATUSES.map((s) => (
                <button
                  type="button"
                  role="tab"
                  id={`tab-${s}`}
                  aria-selected={f.status === s}
                  tabIndex={f.status === s ? 0 : -1}
                  aria-controls="assist-list"
                  class="tab"
                  onClick={() => setFilters({ status: s })}
                >
                  {label(s)}{' '}
                  <span class="count" title={list.counts ? list.counts[s].toLocaleString() : undefined}>
                    {list.counts ? compact(list.counts[s]) : '–'}
                  </span>
                </button>
              ))}
            </div>
          </div>
          <div class="list-body" id="assist-list" role="tabpanel" aria-labelledby={`tab-${f.status}`}>
            {list.error && (
              <p class="form-error" role="alert">
                {list.error}{' '}
                <button type="button" class="link" onClick={() => list.refresh()}>
                  Retry
                </button>
              </p>
            )}
            <ul class="rows" ref={listRef}>
              {list.items.map((a) => (
                <Row key={a.id} a={a} selected={a.id === props.selectedId} qs={qs} now={now} />
              ))}
              {list.next && (
                <li ref={sentinel} class="more">
                  <button type="button" class="link" onClick={() => list.loadMore()} disabled={list.loading}>
                    {list.loading ? 'Loading…' : 'Load more'}
                  </button>
                </li>
              )}
            </ul>
            {list.loading && !list.items.length && (
              <p class="empty" role="status">
                Loading Assists…
              </p>
            )}
            {!list.loading && !list.error && !list.items.length && (
              <p class="empty">{f.q || active ? 'No Assists match these filters.' : `No ${f.status} Assists.`}</p>
            )}
          </div>
          <p class="kbd-help muted small" aria-hidden="true">
            <kbd>j</kbd>/<kbd>k</kbd> move · <kbd>Enter</kbd> open · <kbd>/</kbd> search
          </p>
        </section>
        {props.selectedId ? (
          <AssistView
            key={props.selectedId}
            id={props.selectedId}
            backHref={`/${qs}`}
            rowUpdatedAt={selectedRow?.updated_at ?? null}
            onChanged={(id, change) => {
              if (change) list.update(id, change);
              list.refresh();
            }}
          />
        ) : (
          <main class="pane convo-pane empty-state" id="main" tabIndex={-1}>
            <div>
              <h1>Select an Assist</h1>
              <p class="muted">Choose one from the list, or press j and Enter.</p>
              {firstRun && <Checklist />}
            </div>
          </main>
        )}
      </div>
    </div>
  );
}

function Row(props: { a: AssistRow; selected: boolean; qs: string; now: number }) {
  const { a } = props;
  const href = `/assists/${encodeURIComponent(a.id)}${props.qs}`;
  return (
    <li>
      <a
        class={`assist-row ${a.unread ? 'unread' : ''}`}
        href={href}
        aria-current={props.selected ? 'true' : undefined}
        data-id={a.id}
        data-unread={a.unread ? 'true' : 'false'}
        onClick={(e) => linkClick(e, href)}
      >
        <span class="row-top">
          {a.unread ? (
            <span class="dot" title="Unread customer reply">
              <span class="sr-only">Unread customer reply. </span>
            </span>
          ) : null}
          <span class="name">{a.customer.name || a.customer.email || a.reference}</span>
          <time class="ago" dateTime={a.created_at} title={new Date(a.created_at).toLocaleString()}>
            {ago(a.created_at, props.now)}
          </time>
        </span>
        <span class="summary">{a.summary}</span>
        <span class="row-meta">
          <PriorityBadge value={a.priority} />
          <span class="chip">{label(a.category)}</span>
          {a.language && a.language !== 'en' && (
            <span class="chip lang" title={languageName(a.language)}>
              {a.language.toUpperCase()}
            </span>
          )}
          {a.brand_label && <span class="chip">{a.brand_label}</span>}
          <span class="ref">{a.reference}</span>
          {a.assignee && <span class="assignee">{a.assignee.name}</span>}
        </span>
      </a>
    </li>
  );
}

function FilterBar(props: { f: Filters; setFilters: (c: Partial<Filters>) => void }) {
  const { f, setFilters } = props;
  const [tag, setTag] = useState(f.tag);
  const [brand, setBrand] = useState(f.label);
  useEffect(() => {
    if (tag === f.tag && brand === f.label) return;
    const t = setTimeout(() => setFilters({ tag, label: brand }), 400);
    return () => clearTimeout(t);
  }, [tag, brand]);
  const select = (id: string, text: string, value: string, options: readonly string[], key: keyof Filters, any = 'Any') => (
    <div class="filter">
      <label for={id}>{text}</label>
      <select id={id} value={value} onChange={(e) => setFilters({ [key]: e.currentTarget.value })}>
        <option value="">{any}</option>
        {options.map((o) => (
          <option value={o}>{label(o)}</option>
        ))}
      </select>
    </div>
  );
  return (
    <div class="filters" id="filters">
      {select('f-priority', 'Priority', f.priority, PRIORITIES, 'priority')}
      {select('f-category', 'Category', f.category, CATEGORIES, 'category')}
      {select('f-channel', 'Channel', f.channel, CHANNELS, 'channel')}
      <div class="filter">
        <label for="f-language">Language</label>
        <select id="f-language" value={f.language} onChange={(e) => setFilters({ language: e.currentTarget.value })}>
          <option value="">Any</option>
          {LANGUAGES.map((l) => (
            <option value={l}>{languageName(l)}</option>
          ))}
        </select>
      </div>
      <div class="filter">
        <label for="f-assignee">Assignee</label>
        <select id="f-assignee" value={f.assignee} onChange={(e) => setFilters({ assignee: e.currentTarget.value })}>
          <option value="">Anyone</option>
          <option value="me">Me</option>
          <option value="none">Unassigned</option>
        </select>
      </div>
      <div class="filter">
        <label for="f-tag">Tag</label>
        <input id="f-tag" value={tag} maxLength={40} onInput={(e) => setTag(e.currentTarget.value)} />
      </div>
      <div class="filter">
        <label for="f-label">Label</label>
        <input id="f-label" value={brand} maxLength={60} onInput={(e) => setBrand(e.currentTarget.value)} />
      </div>
      <button
        type="button"
        class="link"
        onClick={() => {
          setTag('');
          setBrand('');
          setFilters({ priority: '', category: '', channel: '', language: '', assignee: '', tag: '', label: '' });
        }}
      >
        Clear filters
      </button>
    </div>
  );
}
