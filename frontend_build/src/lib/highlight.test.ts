import { describe, expect, it } from 'vitest';
import { fold, highlightParts, matchRanges, snippet } from './highlight';

describe('highlight', () => {
  it('finds every case-insensitive occurrence', () => {
    expect(matchRanges('Zhang Wei, zhang', 'ZHANG')).toEqual([
      { start: 0, end: 5 },
      { start: 11, end: 16 },
    ]);
  });

  it('folds as the server does: É/é, Σ/σ/ς, ß/ss', () => {
    expect(highlightParts('Émile Durand', 'émi')).toEqual([
      { text: 'Émi', match: true },
      { text: 'le Durand', match: false },
    ]);
    expect(matchRanges('ΟΔΥΣΣΕΥΣ', 'ς')).toHaveLength(3);
    expect(highlightParts('Straße 5', 'STRASSE')).toEqual([
      { text: 'Straße', match: true },
      { text: ' 5', match: false },
    ]);
    expect(fold('Straße')).toBe('strasse');
  });

  it('matches Chinese text and literal %, _ and \\', () => {
    expect(highlightParts('李娜', '娜')).toEqual([
      { text: '李', match: false },
      { text: '娜', match: true },
    ]);
    expect(matchRanges('50%_off\\x', '%_off\\')).toEqual([{ start: 2, end: 8 }]);
  });

  it('keeps the whole character when a match starts inside its folding', () => {
    expect(highlightParts('Maß', 's')).toEqual([
      { text: 'Ma', match: false },
      { text: 'ß', match: true },
    ]);
  });

  it('returns the text unmarked without a query or a match', () => {
    expect(highlightParts('Zhang', '')).toEqual([{ text: 'Zhang', match: false }]);
    expect(highlightParts('Zhang', 'li')).toEqual([{ text: 'Zhang', match: false }]);
  });

  it('shortens long text around the first match, in one line', () => {
    expect(snippet('Short\ntext', 'x', 40)).toBe('Short text');
    const long = 'The lungs are clear. ' + 'No effusion. '.repeat(10) + 'A 6 mm solid NODULE in the right upper lobe.';
    expect(snippet(long, 'xyz', 40)).toBe('The lungs are clear. No effusion. No ef…');
    const around = snippet(long, 'nodule', 40);
    expect(around.startsWith('…')).toBe(true);
    expect(around).toContain('NODULE');
    expect(around.length).toBeLessThanOrEqual(42);
    expect(snippet('A nodule at the start, then ' + 'more words '.repeat(20), 'NODULE', 30)).toBe('A nodule at the start, then m…');
  });
});
