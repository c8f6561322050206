// Where a search matched, for highlighting: case-insensitively in any script, as the
// server matches q (Unicode case folding, so É/é, Σ/σ/ς and ß/ss compare equal).

export interface Range {
  start: number;
  end: number;
}

/** Case folding close to Python's str.casefold for one code point. */
function foldChar(char: string): string {
  return char.toUpperCase().toLowerCase().normalize('NFC');
}

export function fold(text: string): string {
  let out = '';
  for (const char of text.normalize('NFC')) out += foldChar(char);
  return out;
}

/** The ranges of `text` (UTF-16 offsets) where `query` occurs, without overlaps. */
export function matchRanges(text: string, query: string): Range[] {
  if (!text || !query) return [];
  const needle = fold(query);
  if (!needle) return [];
  // The folded text, and for each of its UTF-16 units the original code point's span.
  let folded = '';
  const starts: number[] = [];
  const ends: number[] = [];
  let offset = 0;
  for (const char of text) {
    const f = foldChar(char);
    for (let i = 0; i < f.length; i += 1) {
      starts.push(offset);
      ends.push(offset + char.length);
    }
    folded += f;
    offset += char.length;
  }
  const ranges: Range[] = [];
  let from = 0;
  for (;;) {
    const at = folded.indexOf(needle, from);
    if (at < 0) break;
    const start = starts[at];
    const end = ends[at + needle.length - 1];
    const last = ranges[ranges.length - 1];
    if (last && start < last.end) last.end = Math.max(last.end, end);
    else ranges.push({ start, end });
    from = at + needle.length;
  }
  return ranges;
}

/** `text` cut into parts, each marked whether it matched. */
export function highlightParts(text: string, query: string): { text: string; match: boolean }[] {
  const ranges = matchRanges(text, query);
  if (ranges.length === 0) return [{ text, match: false }];
  const parts: { text: string; match: boolean }[] = [];
  let at = 0;
  for (const { start, end } of ranges) {
    if (start > at) parts.push({ text: text.slice(at, start), match: false });
    parts.push({ text: text.slice(start, end), match: true });
    at = end;
  }
  if (at < text.length) parts.push({ text: text.slice(at), match: false });
  return parts;
}

/**
 * A shortened `text` of at most about `max` characters that shows the first match of
 * `query` (with some words before it), for a table cell; `…` marks what is cut.
 * Whitespace runs (line breaks too) become one space.
 */
export function snippet(text: string, query: string, max = 120): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat.length <= max) return flat;
  const first = matchRanges(flat, query)[0];
  if (!first || first.end <= max - 1) return `${flat.slice(0, max - 1).trimEnd()}…`;
  // Start a word or so before the match, so that it reads in context.
  let start = Math.max(0, first.start - Math.floor(max / 4));
  const space = flat.lastIndexOf(' ', start);
  if (space > 0 && start - space < 16) start = space + 1;
  const end = Math.min(flat.length, start + max - 2);
  return `${start > 0 ? '…' : ''}${flat.slice(start, end).trim()}${end < flat.length ? '…' : ''}`;
}
