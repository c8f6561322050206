import { act, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { DESKTOP_SAVED_EVENT } from '@/lib/download';
import { i18n } from '@/lib/i18n';
import { json, mockApi } from '@/test/mockApi';
import { renderApp } from '@/test/render';

// As desktop/window.py sends it with evaluate_js: cancelled when the app has said so.
const send = (detail: unknown) =>
  act(() => !window.dispatchEvent(new CustomEvent(DESKTOP_SAVED_EVENT, { detail, cancelable: true })));

describe('the shell', () => {
  afterEach(async () => {
    await act(() => i18n.changeLanguage('en'));
  });

  it("says what the window's File > Export… saved on any screen, in the app's language", async () => {
    mockApi({
      'GET /api/v1/preferences': () => json({}),
      'GET /api/v1/health': () => json({ status: 'ok', version: '0.1.0', database: 'sqlite', studies: 0, linked_source: null }),
    });
    renderApp('/no-such-screen');
    await screen.findByRole('heading', { name: 'No such page' });
    await act(() => i18n.changeLanguage('zh-TW'));
    expect(await send({ saved: '/home/clinic/menu.xlsx', shortened: 2 })).toBe(true);
    expect(await screen.findByText('已儲存至 /home/clinic/menu.xlsx')).toBeInTheDocument();
    expect(await screen.findByText(/^有 2 個儲存格超過 Excel 的上限.*CSV 匯出保有完整文字。$/)).toBeInTheDocument();
    expect(await send({ saved: null })).toBe(false); // nothing saved: nothing to say, the window decides
  });
});
