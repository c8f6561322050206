import { describe, expect, it, vi } from 'vitest';
import { json, mockApi } from '@/test/mockApi';
import { STORAGE_KEY, flushPreferences, getPreferences, loadPreferences, preferencesBackend, updatePreferences, updateSection } from './preferences';

describe('preferences', () => {
  it('loads them from the server and saves the whole object back', async () => {
    const server = mockApi({
      'GET /api/v1/preferences': json({ language: 'zh-TW', reports: { pageSize: 50 } }),
      'PUT /api/v1/preferences': (request) => json(request.body),
    });
    await loadPreferences();
    expect(preferencesBackend()).toBe('server');
    expect(getPreferences()).toEqual({ language: 'zh-TW', reports: { pageSize: 50 } });
    updateSection('studies', { pageSize: 100 });
    updateSection('studies', { hiddenColumns: ['patient_age'] });
    await flushPreferences();
    const puts = server.calls('PUT', '/api/v1/preferences');
    expect(puts).toHaveLength(1);
    expect(puts[0].body).toEqual({ language: 'zh-TW', reports: { pageSize: 50 }, studies: { pageSize: 100, hiddenColumns: ['patient_age'] } });
    expect(JSON.parse(window.localStorage.getItem(STORAGE_KEY)!)).toEqual(puts[0].body);
  });

  it('falls back to this browser’s storage when the server has no preferences endpoint', async () => {
    window.localStorage.setItem(STORAGE_KEY, JSON.stringify({ language: 'en' }));
    const server = mockApi({});
    await loadPreferences();
    expect(preferencesBackend()).toBe('local');
    expect(getPreferences()).toEqual({ language: 'en' });
    updatePreferences((p) => ({ ...p, language: 'zh-TW' }));
    await flushPreferences();
    expect(server.calls('PUT', '/api/v1/preferences')).toHaveLength(0);
    expect(JSON.parse(window.localStorage.getItem(STORAGE_KEY)!)).toEqual({ language: 'zh-TW' });
  });

  it('falls back when the server does not answer, and survives damaged storage', async () => {
    window.localStorage.setItem(STORAGE_KEY, '{not json');
    vi.stubGlobal('fetch', vi.fn(async () => Promise.reject(new TypeError('Failed to fetch'))));
    await loadPreferences();
    expect(preferencesBackend()).toBe('local');
    expect(getPreferences()).toEqual({});
  });

  it('carries this browser’s preferences over to an empty server store', async () => {
    window.localStorage.setItem(STORAGE_KEY, JSON.stringify({ language: 'zh-TW' }));
    const server = mockApi({ 'GET /api/v1/preferences': json({}), 'PUT /api/v1/preferences': (r) => json(r.body) });
    await loadPreferences();
    await flushPreferences();
    expect(getPreferences()).toEqual({ language: 'zh-TW' });
    expect(server.calls('PUT', '/api/v1/preferences')[0].body).toEqual({ language: 'zh-TW' });
  });
});
