import { describe, expect, it } from 'vitest';
import { businessTimeLeft, dispositionLabel, formatBytes, formatEastern, highlight, policyLabel, visibleRange } from './format';

describe('businessTimeLeft', () => {
  it('formats hours and minutes left', () => {
    expect(businessTimeLeft(2 * 3600 + 5 * 60)).toBe('2 h 5 min left');
    expect(businessTimeLeft(45 * 60)).toBe('45 min left');
    expect(businessTimeLeft(3 * 3600)).toBe('3 h left');
  });
  it('says overdue for negative time', () => {
    expect(businessTimeLeft(-90 * 60)).toBe('overdue by 1 h 30 min');
  });
  it('is empty without a due time', () => {
    expect(businessTimeLeft(null)).toBe('');
  });
});

describe('highlight', () => {
  it('marks the ranges and keeps the text between', () => {
    const segments = highlight('Re: STN 125742/0 amendment', [{ start: 4, end: 16 }]);
    expect(segments).toEqual([
      { text: 'Re: ', mark: false },
      { text: 'STN 125742/0', mark: true },
      { text: ' amendment', mark: false },
    ]);
  });
  it('ignores overlapping and out-of-range ranges', () => {
    const segments = highlight('abcdef', [
      { start: 0, end: 3 },
      { start: 2, end: 4 },
      { start: 5, end: 99 },
    ]);
    expect(segments.filter((s) => s.mark).map((s) => s.text)).toEqual(['abc']);
  });
});

describe('visibleRange', () => {
  it('covers the viewport with overscan', () => {
    expect(visibleRange(0, 400, 40, 100_000, 2)).toEqual({ first: 0, last: 12 });
    expect(visibleRange(40_000, 400, 40, 100_000, 2)).toEqual({ first: 998, last: 1012 });
  });
  it('stops at the last row', () => {
    expect(visibleRange(3_999_600, 400, 40, 100_000, 2)).toEqual({ first: 99_988, last: 99_999 });
  });
  it('is empty for no rows', () => {
    expect(visibleRange(0, 400, 40, 0)).toEqual({ first: 0, last: -1 });
  });
});

describe('labels', () => {
  it('names dispositions and undecided messages', () => {
    expect(dispositionLabel('accept')).toBe('Accept');
    expect(dispositionLabel(null)).toBe('Needs decision');
  });
  it('formats sizes', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(2048)).toBe('2.0 KB');
  });
});

describe('policyLabel', () => {
  it('names both deadline policies', () => {
    expect(policyLabel('close')).toBe('close of business');
    expect(policyLabel('elapsed')).toBe('8 h 30 min elapsed');
  });
  it('is empty without a policy', () => {
    expect(policyLabel(null)).toBe('');
  });
});

describe('formatEastern', () => {
  const cases: [string, string][] = [
    ['2026-12-05T00:04:33.681543509Z', 'Fri 2026-12-04 19:04 EST'],
    ['2025-07-04T16:30:00Z', 'Fri 2025-07-04 12:30 EDT'],
    ['not a time', 'not a time'],
  ];
  for (const [instant, expected] of cases) {
    it(`formats ${instant}`, () => {
      expect(formatEastern(instant)).toBe(expected);
    });
  }
});
