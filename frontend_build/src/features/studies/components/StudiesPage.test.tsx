import { act, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { getPreferences, loadPreferences } from '@/lib/preferences';
import { CONTRACT_STUDIES, FILTERS, STATISTICS, searchPage, study } from '@/test/fixtures';
import { json, mockApi, type Handler } from '@/test/mockApi';
import { renderApp } from '@/test/render';

const HEALTH = { status: 'ok', version: '0.1.0', database: 'sqlite', studies: 3, linked_source: null };

function serverWith(search: Handler, extra: Record<string, Handler> = {}) {
  return mockApi({
    'GET /api/v1/health': () => json(HEALTH),
    'GET /api/v1/studies/filters/options': () => json(FILTERS),
    'GET /api/v1/studies/statistics': () => json(STATISTICS),
    'GET /api/v1/studies/search': search,
    ...extra,
  });
}

const table = () => screen.getByRole('table', { name: 'Studies' });

/** A server whose Excel exports say `shortened` cells were cut (the mock answers JSON only). */
function exportServer(shortened: string) {
  const server = serverWith(() => json(searchPage(CONTRACT_STUDIES, 3)));
  const answerJson = server.fetchMock.getMockImplementation()!;
  server.fetchMock.mockImplementation(async (input, init) => {
    if (!String(input).startsWith('/api/v1/studies/export')) return answerJson(input, init);
    await answerJson(input, init); // recorded like every request
    return new Response('PK', {
      headers: {
        'Content-Type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
        'Content-Disposition': 'attachment; filename="studies_20261127_101500.xlsx"',
        'X-Imaging-Desk-Shortened-Cells': shortened,
      },
    });
  });
  return server;
}

/** Every link the app clicks to download (href and download name), with object URLs stubbed (jsdom has none). */
function recordClicks() {
  const links: string[] = [];
  const original = HTMLAnchorElement.prototype.click;
  HTMLAnchorElement.prototype.click = function click(this: HTMLAnchorElement) {
    links.push(`${this.getAttribute('href')} download=${this.getAttribute('download')}`);
  };
  const { createObjectURL, revokeObjectURL } = URL;
  let made = 0;
  URL.createObjectURL = () => `blob:export-${++made}`;
  URL.revokeObjectURL = () => {};
  const restore = () => {
    HTMLAnchorElement.prototype.click = original;
    Object.assign(URL, { createObjectURL, revokeObjectURL });
  };
  return { links, restore };
}

const bodyRows = () => within(table()).getAllByRole('row').slice(1);

describe('the Studies screen', () => {
  it('shows the studies in a real table, with the total grouped', async () => {
    serverWith(() => json(searchPage(CONTRACT_STUDIES, 2999)));
    renderApp('/');
    expect(await screen.findByText('2,999 studies')).toBeInTheDocument();
    expect(table().tagName).toBe('TABLE');
    expect(bodyRows()).toHaveLength(3);
    const headers = within(table()).getAllByRole('columnheader').map((th) => th.textContent);
    expect(headers).toEqual(['Exam ID', 'Patient', 'Gender', 'Age', 'Status', 'Source', 'Item', 'Ordered', 'Checked in', 'Report certified']);
    // Dates as stored, to the minute; nulls as a dash.
    const zhang = within(bodyRows()[1]).getAllByRole('cell').map((td) => td.textContent);
    expect(zhang).toEqual(['EXAM001', 'Zhang Wei', 'M', '45', 'completed', 'CT', 'Chest CT', '2025-11-06 10:30', '2025-11-06 10:45', '2025-11-06 14:30']);
    expect(screen.getByRole('link', { name: 'Studies' })).toHaveAttribute('aria-current', 'page');
    for (const name of ['Reports', 'Analysis', 'Import']) expect(screen.getByRole('link', { name })).toBeInTheDocument();
  });

  it('says one study in the singular', async () => {
    serverWith(() => json(searchPage([CONTRACT_STUDIES[0]], 1)));
    renderApp('/');
    expect(await screen.findByText('1 study')).toBeInTheDocument();
  });

  it('shows a loading state, then the rows', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    serverWith(async () => {
      await gate;
      return json(searchPage(CONTRACT_STUDIES, 3));
    });
    renderApp('/');
    expect(await screen.findByText('Loading studies…')).toBeInTheDocument();
    act(() => release());
    expect(await screen.findByText('3 studies')).toBeInTheDocument();
    expect(screen.queryByText('Loading studies…')).not.toBeInTheDocument();
  });

  it('says when nothing matches, and clears the filters', async () => {
    const server = serverWith((request) =>
      json(request.params.get('q') ? searchPage([], 0) : searchPage(CONTRACT_STUDIES, 3)),
    );
    const { user, location } = renderApp('/?q=nobody&exam_source=CT');
    expect(await screen.findByText('No studies match')).toBeInTheDocument();
    expect(screen.getByText('0 studies')).toBeInTheDocument();
    const emptyState = screen.getByText('No studies match').closest('.ant-empty') as HTMLElement;
    await user.click(within(emptyState).getByRole('button', { name: 'Clear filters' }));
    expect(await screen.findByText('3 studies')).toBeInTheDocument();
    expect(location()).toBe('/');
    expect(screen.getByRole('searchbox', { name: 'Search studies' })).toHaveValue('');
    const last = server.calls('GET', '/api/v1/studies/search').at(-1)!;
    expect([...last.params.keys()]).toEqual(['page', 'page_size']);
  });

  it("shows the server's error and what to do", async () => {
    serverWith(() => json({ detail: 'Invalid parameter: date_from must not be after date_to (2025-02-01 > 2025-01-01)' }, 400));
    renderApp('/?date_from=2025-01-01');
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('The studies could not be loaded');
    expect(alert).toHaveTextContent('Invalid parameter: date_from must not be after date_to');
    expect(alert).toHaveTextContent('Check the search and filters, or clear them.');
    expect(within(alert).getByRole('button', { name: 'Try again' })).toBeInTheDocument();
    expect(within(alert).getByRole('button', { name: 'Clear filters' })).toBeInTheDocument();
  });

  it('says the session has ended on a 401', async () => {
    serverWith(() => json({ detail: 'Not authenticated' }, 401));
    renderApp('/');
    await waitFor(() => expect(screen.getAllByText('Your session has ended').length).toBeGreaterThan(0));
    expect(screen.getAllByText(/imaging-desk login-link/).length).toBeGreaterThan(0);
  });

  it('pages through the server, up to the last page of a million studies', async () => {
    const server = serverWith((request) => {
      const page = Number(request.params.get('page'));
      const size = Number(request.params.get('page_size'));
      return json(searchPage([study(page)], 1_000_000, page, size));
    });
    const { user, location } = renderApp('/');
    expect(await screen.findByText('1,000,000 studies')).toBeInTheDocument();
    await user.click(screen.getByTitle('50000'));
    await waitFor(() => expect(location()).toBe('/?page=50000'));
    expect(await screen.findByText(study(50000).exam_id)).toBeInTheDocument();
    expect(server.calls('GET', '/api/v1/studies/search').at(-1)!.params.get('page')).toBe('50000');
    // The previous page stays shown while the next loads: the table never empties.
    await user.click(screen.getByTitle('49999'));
    expect(screen.getByRole('table', { name: 'Studies' })).toBeInTheDocument();
    await waitFor(() => expect(location()).toBe('/?page=49999'));
  });

  it('changes the page size, back on page 1, and remembers it', async () => {
    const server = serverWith((request) =>
      json(searchPage(CONTRACT_STUDIES, 300, Number(request.params.get('page')), Number(request.params.get('page_size')))),
    );
    await loadPreferences();
    const { user, location } = renderApp('/?page=3');
    expect(await screen.findByText('300 studies')).toBeInTheDocument();
    await user.click(screen.getByRole('combobox', { name: /page/i }));
    await user.click(await screen.findByText('50 / page'));
    await waitFor(() => expect(location()).toBe('/?page_size=50'));
    expect(server.calls('GET', '/api/v1/studies/search').at(-1)!.params.get('page_size')).toBe('50');
    expect(getPreferences().studies).toMatchObject({ pageSize: 50, lastSearch: 'page_size=50' });
  });

  it('sorts on the server by clicking the Ordered and Patient headers', async () => {
    const server = serverWith(() => json(searchPage(CONTRACT_STUDIES, 3)));
    const { user, location } = renderApp('/');
    await screen.findByText('3 studies');
    const header = (name: string) => within(table()).getByRole('columnheader', { name: new RegExp(`^${name}`) });
    expect(header('Ordered')).toHaveAttribute('aria-sort', 'descending');
    await user.click(header('Ordered'));
    await waitFor(() => expect(location()).toBe('/?sort=order_datetime_asc'));
    expect(header('Ordered')).toHaveAttribute('aria-sort', 'ascending');
    await user.click(header('Patient'));
    await waitFor(() => expect(location()).toBe('/?sort=patient_name_asc'));
    expect(server.calls('GET', '/api/v1/studies/search').at(-1)!.params.get('sort')).toBe('patient_name_asc');
  });

  it('searches after a pause in typing, and highlights the match', async () => {
    const server = serverWith((request) => {
      const q = request.params.get('q');
      return json(searchPage(q ? [CONTRACT_STUDIES[1]] : CONTRACT_STUDIES, q ? 1 : 3));
    });
    const { user, location } = renderApp('/');
    await screen.findByText('3 studies');
    const box = screen.getByRole('searchbox', { name: 'Search studies' });
    await user.type(box, 'zHaNg');
    await waitFor(() => expect(location()).toBe('/?q=zHaNg'));
    expect(await screen.findByText('1 study')).toBeInTheDocument();
    // One search for the whole word, not one per key.
    expect(server.calls('GET', '/api/v1/studies/search').filter((r) => r.params.get('q'))).toHaveLength(1);
    const marks = table().querySelectorAll('mark');
    expect([...marks].map((m) => m.textContent)).toEqual(['Zhang']);
  });

  it('filters by status, source and item with counts, and by gender and age', async () => {
    const server = serverWith(() => json(searchPage(CONTRACT_STUDIES, 3)));
    const { user, location } = renderApp('/');
    await screen.findByText('3 studies');
    await user.click(screen.getByRole('combobox', { name: 'Source' }));
    const option = await screen.findByRole('option', { name: /MRI/ });
    expect(option).toHaveTextContent('MRI1');
    await user.click(option);
    await waitFor(() => expect(location()).toBe('/?exam_source=MRI'));
    await user.click(await screen.findByRole('option', { name: /X-ray/ }));
    await waitFor(() => expect(location()).toBe('/?exam_source=MRI&exam_source=X-ray'));
    const last = server.calls('GET', '/api/v1/studies/search').at(-1)!;
    expect(last.params.getAll('exam_source')).toEqual(['MRI', 'X-ray']);
    expect(server.calls('GET', '/api/v1/studies/statistics').at(-1)!.params.getAll('exam_source')).toEqual(['MRI', 'X-ray']);

    await user.type(screen.getByRole('spinbutton', { name: 'Minimum age' }), '40');
    await waitFor(() => expect(location()).toBe('/?exam_source=MRI&exam_source=X-ray&patient_age_min=40'));
  });

  it('keeps the search in the URL: a link reopens it', async () => {
    const server = serverWith(() => json(searchPage(CONTRACT_STUDIES, 3)));
    renderApp('/studies?q=li&exam_status=pending&patient_gender=F&date_from=2025-11-01&date_to=2025-11-30&page_size=50');
    await screen.findByText('3 studies');
    expect(screen.getByRole('searchbox', { name: 'Search studies' })).toHaveValue('li');
    const request = server.calls('GET', '/api/v1/studies/search')[0];
    expect(request.params.toString()).toBe(
      'q=li&exam_status=pending&patient_gender=F&date_from=2025-11-01&date_to=2025-11-30&page=1&page_size=50',
    );
    expect(screen.getByPlaceholderText('From date')).toHaveValue('2025-11-01');
    expect(screen.getByPlaceholderText('To date')).toHaveValue('2025-11-30');
  });

  it('reopens the last search when the app starts without one', async () => {
    window.localStorage.setItem('imaging-desk.preferences', JSON.stringify({ studies: { lastSearch: 'exam_source=CT&page_size=50' } }));
    serverWith(() => json(searchPage(CONTRACT_STUDIES, 3)));
    await loadPreferences();
    const { location } = renderApp('/');
    await waitFor(() => expect(location()).toBe('/?exam_source=CT&page_size=50'));
    expect(await screen.findByText('3 studies')).toBeInTheDocument();
  });

  it('hides and shows columns, and remembers the choice', async () => {
    serverWith(() => json(searchPage(CONTRACT_STUDIES, 3)));
    await loadPreferences();
    const { user } = renderApp('/');
    await screen.findByText('3 studies');
    await user.click(screen.getByRole('button', { name: /^Columns/ }));
    await user.click(await screen.findByRole('checkbox', { name: 'Age' }));
    await waitFor(() => expect(within(table()).queryByRole('columnheader', { name: 'Age' })).not.toBeInTheDocument());
    expect(getPreferences().studies?.hiddenColumns).toEqual(['patient_age']);
    expect(screen.getByRole('checkbox', { name: 'Exam ID' })).toBeDisabled();
  });

  it('downloads every study of the search as CSV or Excel through the export endpoint', async () => {
    const { requests } = exportServer('0');
    const clicked = recordClicks();
    try {
      const { user } = renderApp('/?q=zh&exam_source=CT&sort=order_datetime_asc&page=2');
      await screen.findByText('3 studies');
      await user.click(screen.getByRole('button', { name: 'Export CSV' }));
      await user.click(screen.getByRole('button', { name: 'Export Excel' }));
      await waitFor(() => expect(clicked.links).toHaveLength(2));
    } finally {
      clicked.restore();
    }
    // CSV streams straight to the browser; Excel is fetched first (its headers say
    // what was shortened), then saved from memory under the server's name.
    expect(clicked.links).toEqual([
      '/api/v1/studies/export?q=zh&exam_source=CT&sort=order_datetime_asc&format=csv download=',
      'blob:export-1 download=studies_20261127_101500.xlsx',
    ]);
    const fetched = requests.filter((r) => r.path === '/api/v1/studies/export');
    expect(fetched.map((r) => r.params.toString())).toEqual(['q=zh&exam_source=CT&sort=order_datetime_asc&format=xlsx']);
    expect(screen.queryByText(/too long for Excel/)).not.toBeInTheDocument();
  });

  it('says when the Excel file shortened texts, and that the CSV holds them whole, in both languages', async () => {
    exportServer('1234');
    const clicked = recordClicks();
    try {
      const { user } = renderApp('/');
      await screen.findByText('3 studies');
      await user.click(screen.getByRole('button', { name: 'Export Excel' }));
      expect(
        await screen.findByText(
          '1,234 cells were too long for Excel (over 32,767 characters) and are shortened; the sheet "Shortened cells" lists them. The CSV export holds the full text.',
        ),
      ).toBeInTheDocument();
      const { i18n } = await import('@/lib/i18n');
      await act(() => i18n.changeLanguage('zh-TW'));
      await user.click(screen.getByRole('button', { name: '匯出 Excel' }));
      expect(await screen.findByText(/^有 1,234 個儲存格超過 Excel 的上限.*CSV 匯出保有完整文字。$/)).toBeInTheDocument();
    } finally {
      clicked.restore();
    }
  });

  it('says why an Excel export failed', async () => {
    serverWith(() => json(searchPage(CONTRACT_STUDIES, 3)), {
      'GET /api/v1/studies/export': () => json({ detail: 'Invalid parameter: format xlsx holds at most 5 studies' }, 400),
    });
    const { user } = renderApp('/');
    await screen.findByText('3 studies');
    await user.click(screen.getByRole('button', { name: 'Export Excel' }));
    expect(
      await screen.findByText('The export could not start: Invalid parameter: format xlsx holds at most 5 studies'),
    ).toBeInTheDocument();
  });

  it('hands the download to the desktop window when it offers one', async () => {
    serverWith(() => json(searchPage(CONTRACT_STUDIES, 3)));
    const saved: string[] = [];
    window.pywebview = {
      api: {
        save_download: async (url: string) => {
          saved.push(url);
          return { saved: saved.length === 1 ? '/home/clinic/studies.xlsx' : null };
        },
      },
    };
    try {
      const { user } = renderApp('/');
      await screen.findByText('3 studies');
      await user.click(screen.getByRole('button', { name: 'Export Excel' }));
      await waitFor(() => expect(saved).toEqual(['http://localhost:3000/api/v1/studies/export?format=xlsx']));
      expect(await screen.findByText('Saved to /home/clinic/studies.xlsx')).toBeInTheDocument();
      // Cancelled in the Save dialog: nothing to say.
      await user.click(screen.getByRole('button', { name: 'Export CSV' }));
      await waitFor(() => expect(saved).toHaveLength(2));
      expect(screen.queryByText(/export of .* has started/)).not.toBeInTheDocument();
    } finally {
      delete window.pywebview;
    }
  });

  it('says why the desktop window could not save an export (a full drive), in words', async () => {
    serverWith(() => json(searchPage(CONTRACT_STUDIES, 3)));
    const why = 'There is not enough room on the drive to save /media/usb/studies.csv. Nothing was saved: free some space or choose another drive, then export again.';
    window.pywebview = { api: { save_download: async () => ({ saved: null, error: why }) } };
    try {
      const { user } = renderApp('/');
      await screen.findByText('3 studies');
      await user.click(screen.getByRole('button', { name: 'Export CSV' }));
      expect(await screen.findByText(`The export was not saved: ${why}`)).toBeInTheDocument();
    } finally {
      delete window.pywebview;
    }
  });

  it('says when the Excel file the desktop window saved shortened texts, in both languages', async () => {
    serverWith(() => json(searchPage(CONTRACT_STUDIES, 3)));
    // The bridge answers the count of the export's header X-Imaging-Desk-Shortened-Cells.
    const answers = [
      { saved: '/home/clinic/studies.xlsx', bytes: 9000, shortened: 1234 },
      { saved: 'C:\\Users\\clinic\\studies.xlsx', bytes: 9000, shortened: 1 },
      { saved: '/home/clinic/full.csv', bytes: 9000, shortened: 0 },
    ];
    window.pywebview = { api: { save_download: async () => answers.shift()! } };
    try {
      const { user } = renderApp('/');
      await screen.findByText('3 studies');
      await user.click(screen.getByRole('button', { name: 'Export Excel' }));
      expect(await screen.findByText('Saved to /home/clinic/studies.xlsx')).toBeInTheDocument();
      expect(
        await screen.findByText(
          '1,234 cells were too long for Excel (over 32,767 characters) and are shortened; the sheet "Shortened cells" lists them. The CSV export holds the full text.',
        ),
      ).toBeInTheDocument();
      const { i18n } = await import('@/lib/i18n');
      await act(() => i18n.changeLanguage('zh-TW'));
      await user.click(screen.getByRole('button', { name: '匯出 Excel' }));
      expect(await screen.findByText('已儲存至 C:\\Users\\clinic\\studies.xlsx')).toBeInTheDocument();
      expect(
        await screen.findByText('有 1 個儲存格超過 Excel 的上限（32,767 個字元），已截短；工作表「Shortened cells」列出這些儲存格。CSV 匯出保有完整文字。'),
      ).toBeInTheDocument();
      // A CSV shortens nothing: only where it went.
      await user.click(screen.getByRole('button', { name: '匯出 CSV' }));
      expect(await screen.findByText('已儲存至 /home/clinic/full.csv')).toBeInTheDocument();
      expect(screen.getAllByText(/CSV 匯出保有完整文字/)).toHaveLength(1);
    } finally {
      delete window.pywebview;
    }
  });

  it("says what the desktop window's File menu saved, and tells the window it did", async () => {
    serverWith(() => json(searchPage(CONTRACT_STUDIES, 3)));
    const { DESKTOP_SAVED_EVENT } = await import('@/lib/download');
    // As desktop/window.py sends it with evaluate_js: cancelled when the app has said so.
    const send = (detail: unknown) =>
      act(() => !window.dispatchEvent(new CustomEvent(DESKTOP_SAVED_EVENT, { detail, cancelable: true })));
    expect(await send({ saved: '/tmp/x.xlsx', shortened: 2 })).toBe(false); // no Studies screen yet
    renderApp('/');
    await screen.findByText('3 studies');
    expect(await send({ saved: '/home/clinic/menu.xlsx', shortened: 2 })).toBe(true);
    expect(await screen.findByText('Saved to /home/clinic/menu.xlsx')).toBeInTheDocument();
    expect(
      await screen.findByText(
        '2 cells were too long for Excel (over 32,767 characters) and are shortened; the sheet "Shortened cells" lists them. The CSV export holds the full text.',
      ),
    ).toBeInTheDocument();
    expect(await send({ saved: null })).toBe(false); // cancelled: nothing to say
  });
});
