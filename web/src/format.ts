// Display helpers: relative times, labels for API values.

export function ago(iso: string, now = Date.now()): string {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return '';
  const s = Math.max(0, Math.round((now - t) / 1000));
  if (s < 45) return 'now';
  const m = Math.round(s / 60);
  if (m < 60) return `${m}m`;
  const h = Math.round(m / 60);
  if (h < 24) return `${h}h`;
  const d = Math.round(h / 24);
  if (d < 30) return `${d}d`;
  return new Date(t).toLocaleDateString(undefined, { month: 'short', day: 'numeric', year: d > 300 ? 'numeric' : undefined });
}

export function agoLong(iso: string, now = Date.now()): string {
  const short = ago(iso, now);
  if (short === 'now') return 'just now';
  const m = /^(\d+)([mhd])$/.exec(short);
  if (!m) return short;
  const unit = { m: 'minute', h: 'hour', d: 'day' }[m[2] as 'm' | 'h' | 'd'];
  return `${m[1]} ${unit}${m[1] === '1' ? '' : 's'} ago`;
}

/** A compact time: today's as the hour, this year's without the year. */
export function dateTime(iso: string, now = new Date()): string {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return iso;
  const d = new Date(t);
  if (d.toDateString() === now.toDateString()) return d.toLocaleTimeString(undefined, { hour: 'numeric', minute: '2-digit' });
  if (d.getFullYear() === now.getFullYear())
    return d.toLocaleString(undefined, { month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit' });
  return d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

export const PRIORITIES = ['urgent', 'high', 'medium', 'low'] as const;
export const CATEGORIES = [
  'billing',
  'refund',
  'technical',
  'account_login',
  'order_shipping',
  'sales',
  'cancellation',
  'feedback',
  'general',
] as const;
export const CHANNELS = ['web', 'mobile', 'email', 'sms', 'whatsapp', 'messenger', 'voice', 'voicemail', 'api', 'import'] as const;
export const ROLES = ['owner', 'admin', 'manager', 'support'] as const;
/** The customer languages the built-in AI detects and writes in. */
export const LANGUAGES = ['en', 'es', 'de', 'fr', 'pt', 'it', 'nl'] as const;
const LANGUAGE_NAMES: Record<string, string> = {
  en: 'English',
  es: 'Spanish',
  de: 'German',
  fr: 'French',
  pt: 'Portuguese',
  it: 'Italian',
  nl: 'Dutch',
};

export function languageName(code: string | null | undefined): string {
  return code ? (LANGUAGE_NAMES[code] ?? code) : '';
}
export const PROVIDERS = ['postmark', 'sendgrid', 'brevo', 'resend'] as const;

const LABELS: Record<string, string> = {
  account_login: 'Account & login',
  order_shipping: 'Order & shipping',
  whatsapp: 'WhatsApp',
  sms: 'SMS',
  api: 'API',
  sendgrid: 'SendGrid',
  helpscout: 'Help Scout',
  happyfox: 'HappyFox',
  zendesk: 'Zendesk',
  freshdesk: 'Freshdesk',
  intercom: 'Intercom',
  ringcentral: 'RingCentral',
  low_confidence: 'Low AI confidence',
};

export function label(v: string | null | undefined): string {
  if (!v) return '';
  return LABELS[v] ?? v.charAt(0).toUpperCase() + v.slice(1).replace(/_/g, ' ');
}

export function initials(name: string): string {
  const parts = name.trim().split(/\s+/).filter(Boolean);
  const letters = parts.length > 1 ? parts[0][0] + parts[parts.length - 1][0] : (parts[0] ?? '?').slice(0, 2);
  return letters.toUpperCase();
}

export function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(0)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

export function percent(x: number | undefined): string {
  return x === undefined ? '' : `${Math.round(x * 100)}%`;
}
