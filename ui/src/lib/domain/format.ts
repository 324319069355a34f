// Display helpers, free of the DOM and the backend.

/** Formats business seconds as "2 h 5 min", or "overdue by 1 h" when negative. */
export function businessTimeLeft(seconds: number | null): string {
  if (seconds === null) return '';
  const overdue = seconds < 0;
  const minutes = Math.floor(Math.abs(seconds) / 60);
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  const text = hours === 0 ? `${rest} min` : rest === 0 ? `${hours} h` : `${hours} h ${rest} min`;
  return overdue ? `overdue by ${text}` : `${text} left`;
}

const EASTERN = new Intl.DateTimeFormat('en-US', {
  timeZone: 'America/New_York',
  weekday: 'short',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
  timeZoneName: 'short',
});

/** Formats an RFC 3339 instant in Eastern Time, as "Fri 2026-12-04 19:04 EST". */
export function formatEastern(instant: string): string {
  const date = new Date(instant);
  if (Number.isNaN(date.getTime())) return instant;
  const part = (type: Intl.DateTimeFormatPartTypes) =>
    EASTERN.formatToParts(date).find((p) => p.type === type)?.value ?? '';
  return `${part('weekday')} ${part('year')}-${part('month')}-${part('day')} ${part('hour')}:${part('minute')} ${part('timeZoneName')}`;
}

const DISPOSITIONS: Record<string, string> = {
  accept: 'Accept',
  'accept-spind': 'Accept (SPIND)',
  'accept-mdufa': 'Accept (MDUFA)',
  'not-accepted': 'Not accepted',
  'redirect-emergency': 'Redirect (emergency use)',
  unreadable: 'Unreadable',
  'request-electronic-media': 'Request electronic media',
  'not-regulatory': 'Not regulatory',
  'accept-internal-record': 'Accept (internal record)',
};

/** The dispositions of SOPP 8119, value and label. */
export const dispositionOptions = Object.entries(DISPOSITIONS).map(([value, label]) => ({
  value,
  label,
}));

/** Returns the label of disposition `value`. */
export function dispositionLabel(value: string | null): string {
  if (value === null) return 'Needs decision';
  return DISPOSITIONS[value] ?? value;
}

const POLICIES: Record<string, string> = {
  close: 'close of business',
  elapsed: '8 h 30 min elapsed',
};

/**
 * Returns the short label of a deadline policy, as shown beside a due time: "close of
 * business" or "8 h 30 min elapsed".
 */
export function policyLabel(policy: string | null): string {
  if (policy === null) return '';
  return POLICIES[policy] ?? policy;
}

/** A piece of text, marked when it is an identifier. */
export interface Segment {
  text: string;
  mark: boolean;
}

/** Splits `text` at the `ranges` (UTF-16 offsets) so the ranges can be highlighted. */
export function highlight(text: string, ranges: { start: number; end: number }[]): Segment[] {
  const sorted = [...ranges]
    .filter((r) => r.start < r.end && r.end <= text.length)
    .sort((a, b) => a.start - b.start);
  const segments: Segment[] = [];
  let at = 0;
  for (const range of sorted) {
    if (range.start < at) continue;
    if (range.start > at) segments.push({ text: text.slice(at, range.start), mark: false });
    segments.push({ text: text.slice(range.start, range.end), mark: true });
    at = range.end;
  }
  if (at < text.length) segments.push({ text: text.slice(at), mark: false });
  return segments;
}

/** Returns the first and last index of the rows to render in a virtual list. */
export function visibleRange(
  scrollTop: number,
  viewportHeight: number,
  rowHeight: number,
  count: number,
  overscan = 8,
): { first: number; last: number } {
  if (count === 0) return { first: 0, last: -1 };
  const first = Math.max(0, Math.floor(scrollTop / rowHeight) - overscan);
  const last = Math.min(count - 1, Math.ceil((scrollTop + viewportHeight) / rowHeight) + overscan);
  return { first, last };
}

/** Formats a byte count as "1.2 MB". */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}
