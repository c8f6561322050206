import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { flushPreferences, loadPreferences } from '@/lib/preferences';
import { i18n, systemLanguage } from '@/lib/i18n';
import { CONTRACT_STUDIES, FILTERS, STATISTICS, searchPage } from '@/test/fixtures';
import { json, mockApi } from '@/test/mockApi';
import { renderApp } from '@/test/render';

describe('the language', () => {
  it('follows the system at first: any Chinese is Traditional Chinese', () => {
    expect(systemLanguage(['zh-CN', 'en'])).toBe('zh-TW');
    expect(systemLanguage(['zh-Hant-TW'])).toBe('zh-TW');
    expect(systemLanguage(['de-DE', 'zh-TW'])).toBe('en');
    expect(systemLanguage([])).toBe('en');
  });

  it('switches between English and 繁體中文, texts, antd and numbers alike, and is remembered', async () => {
    const server = mockApi({
      'GET /api/v1/preferences': () => json({}),
      'PUT /api/v1/preferences': (request) => json(request.body),
      'GET /api/v1/health': () => json({ status: 'ok', version: '0.1.0', database: 'sqlite', studies: 2999, linked_source: null }),
      'GET /api/v1/studies/filters/options': () => json(FILTERS),
      'GET /api/v1/studies/statistics': () => json(STATISTICS),
      'GET /api/v1/studies/search': () => json(searchPage(CONTRACT_STUDIES, 2999)),
    });
    await loadPreferences();
    const { user } = renderApp('/');
    await screen.findByText('2,999 studies');
    const switcher = screen.getByRole('radiogroup', { name: 'Language' });
    expect(within(switcher).getByRole('radio', { name: 'English' })).toBeChecked();

    await user.click(within(switcher).getByRole('radio', { name: '繁體中文' }));
    expect(await screen.findByText('共 2,999 項檢查')).toBeInTheDocument();
    expect(screen.getByRole('link', { name: '報告' })).toBeInTheDocument();
    expect(screen.getByRole('searchbox', { name: '搜尋檢查' })).toBeInTheDocument();
    expect(screen.getByRole('button', { name: '匯出 CSV' })).toBeInTheDocument();
    expect(screen.getByText('20 條/頁')).toBeInTheDocument();
    expect(document.documentElement.lang).toBe('zh-TW');
    // The switch keeps its name in every language.
    expect(screen.getByRole('radiogroup', { name: 'Language' })).toBeInTheDocument();

    await flushPreferences();
    expect(server.calls('PUT', '/api/v1/preferences').at(-1)!.body).toMatchObject({ language: 'zh-TW' });

    await user.click(screen.getByRole('radio', { name: 'English' }));
    expect(await screen.findByText('2,999 studies')).toBeInTheDocument();
    await waitFor(() => expect(i18n.language).toBe('en'));
  });
});
