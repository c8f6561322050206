import { describe, expect, it } from 'vitest';
import { en } from './en';
import { zhTW } from './zh-TW';

function keys(value: unknown, prefix = ''): string[] {
  if (typeof value !== 'object' || value === null) return [prefix];
  return Object.entries(value).flatMap(([key, child]) => keys(child, prefix ? `${prefix}.${key}` : key));
}

describe('the texts', () => {
  it('have the same keys in both languages, none empty', () => {
    expect(keys(zhTW).sort()).toEqual(keys(en).sort());
    for (const key of keys(zhTW)) {
      const value = key.split('.').reduce<unknown>((node, part) => (node as Record<string, unknown>)[part], zhTW);
      expect(typeof value === 'string' && value.length > 0, key).toBe(true);
    }
  });

  it('keep the English test hooks exact', () => {
    expect(en.nav).toMatchObject({ studies: 'Studies', reports: 'Reports', analysis: 'Analysis', import: 'Import' });
    expect(en.studies.searchLabel).toBe('Search studies');
    expect(en.nav).toMatchObject({ audit: 'Audit trail', backups: 'Backups', settings: 'Settings' });
    expect(en.settings).toMatchObject({ test: 'Test connection', save: 'Save and restart', useLocal: "Use this PC's database" });
    expect(en.audit).toMatchObject({ searchLabel: 'Search the audit trail', tableLabel: 'Audit trail', exportCsv: 'Export CSV' });
    expect(en.backups).toMatchObject({ backUpNow: 'Back up now', openFolder: 'Open backups folder', tableLabel: 'Backups' });
    expect(en.studies.total_other).toBe('{{total}} studies');
    expect(en.export).toMatchObject({ csv: 'Export CSV', xlsx: 'Export Excel' });
    expect(zhTW.studies.total_other).toBe('共 {{total}} 項檢查');
  });
});
