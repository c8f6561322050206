import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { i18n } from '@/lib/i18n';
import { json, mockApi } from '@/test/mockApi';
import { renderApp } from '@/test/render';
import type { AuditEntryOut } from '../api/audit';
import { detailText } from './AuditPage';

const ENTRIES: AuditEntryOut[] = [
  {
    id: 3,
    at: '2026-11-30T16:05:09.120000',
    action: 'export',
    user: 'API token',
    summary: 'Exported 120 studies as CSV to studies_20261130.csv',
    details: { format: 'csv', rows: 120, filename: 'studies_20261130.csv', filters: { exam_source: ['CT'] } },
  },
  {
    id: 2,
    at: '2026-11-30T09:12:00',
    action: 'import',
    user: 'clinic',
    summary: 'Imported clinic.duckdb: 3,000 new studies',
    details: { file: '/home/clinic/clinic.duckdb', sha256: 'ab12', inserted: 3000 },
  },
  { id: 1, at: '2026-11-29T08:00:00', action: 'token_reset', user: 'clinic', summary: 'A new API token was issued', details: null },
];
const OPTIONS = { actions: ['export', 'import', 'token_reset'], users: ['API token', 'clinic'] };

function auditServer(entries: AuditEntryOut[] = ENTRIES, total = entries.length) {
  return mockApi({
    'GET /api/v1/audit': (request) =>
      json({ data: entries, total, page: Number(request.params.get('page') ?? 1), page_size: Number(request.params.get('page_size') ?? 20) }),
    'GET /api/v1/audit/options': () => json(OPTIONS),
  });
}

const table = () => screen.getByRole('table', { name: 'Audit trail' });
const bodyRows = () => within(table()).getAllByRole('row').slice(1);

/** Every link the app clicks to download (href and download name). */
function recordClicks() {
  const links: string[] = [];
  const original = HTMLAnchorElement.prototype.click;
  HTMLAnchorElement.prototype.click = function click(this: HTMLAnchorElement) {
    links.push(`${this.getAttribute('href')} download=${this.getAttribute('download')}`);
  };
  return { links, restore: () => (HTMLAnchorElement.prototype.click = original) };
}

describe('the Audit trail screen', () => {
  it('is in the navigation and lists each entry with its time, action, user and summary, newest first', async () => {
    auditServer();
    const { user, location } = renderApp('/');
    await user.click(screen.getByRole('link', { name: 'Audit trail' }));
    await waitFor(() => expect(location()).toBe('/audit'));
    expect(await screen.findByRole('heading', { name: 'Audit trail' })).toBeInTheDocument();
    expect(await screen.findByText('3 entries')).toBeInTheDocument();
    const cells = bodyRows().map((row) => within(row).getAllByRole('cell').slice(1).map((cell) => cell.textContent));
    expect(cells).toEqual([
      ['2026-11-30 16:05:09', 'Export', 'API token', 'Exported 120 studies as CSV to studies_20261130.csv'],
      ['2026-11-30 09:12:00', 'Import', 'clinic', 'Imported clinic.duckdb: 3,000 new studies'],
      ['2026-11-29 08:00:00', 'Token reset', 'clinic', 'A new API token was issued'],
    ]);
  });

  it('shows an entry’s details when asked, by the keyboard too', async () => {
    auditServer();
    const { user } = renderApp('/audit');
    await screen.findByText('3 entries');
    const show = screen.getByRole('button', { name: 'Show the details of entry 2' });
    expect(show).toHaveAttribute('aria-expanded', 'false');
    show.focus();
    await user.keyboard('{Enter}');
    const list = await screen.findByLabelText('Details of entry 2');
    expect(within(list).getAllByRole('term').map((term) => term.textContent)).toEqual(['file', 'sha256', 'inserted']);
    expect(within(list).getAllByRole('definition').map((value) => value.textContent)).toEqual(['/home/clinic/clinic.duckdb', 'ab12', '3000']);
    expect(screen.getByRole('button', { name: 'Hide the details of entry 2' })).toHaveAttribute('aria-expanded', 'true');
    await user.click(screen.getByRole('button', { name: 'Show the details of entry 1' }));
    expect(await screen.findByText('No further details.')).toBeInTheDocument();
  });

  it('shows structured details compactly', () => {
    expect(detailText({ exam_source: ['CT', 'MR'], q: 'chest' })).toBe('exam_source: CT, MR; q: chest');
    expect(detailText(['a', 1])).toBe('a, 1');
    expect(detailText({})).toBe('—');
    expect(detailText({ before: { studies: 3 } })).toBe('{"before":{"studies":3}}');
    expect(detailText(null)).toBe('—');
  });

  it('says in words when nothing has been recorded yet', async () => {
    auditServer([]);
    renderApp('/audit');
    expect(await screen.findByText('Nothing has been recorded yet')).toBeInTheDocument();
    expect(screen.getByText(/are listed here as they happen/)).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Export CSV' })).toBeDisabled();
  });

  it('filters by action, user, dates and words, and says when nothing matches', async () => {
    const server = auditServer();
    const { user, location } = renderApp('/audit?since=2026-11-01&until=2026-11-30');
    await screen.findByText('3 entries');
    await user.click(screen.getByRole('combobox', { name: 'Action' }));
    await user.click(await screen.findByRole('option', { name: 'Import' }));
    await waitFor(() => expect(location()).toBe('/audit?action=import&since=2026-11-01&until=2026-11-30'));
    await user.click(screen.getByRole('combobox', { name: 'User' }));
    await user.click(await screen.findByRole('option', { name: 'clinic' }));
    await user.type(screen.getByRole('searchbox', { name: 'Search the audit trail' }), 'duckdb{Enter}');
    await waitFor(() => expect(location()).toBe('/audit?action=import&user=clinic&since=2026-11-01&until=2026-11-30&q=duckdb'));
    const last = server.calls('GET', '/api/v1/audit').at(-1)!;
    expect(Object.fromEntries(last.params)).toEqual({
      action: 'import', user: 'clinic', since: '2026-11-01', until: '2026-11-30', q: 'duckdb', page: '1', page_size: '20',
    });

    auditServer([]);
    await user.type(screen.getByRole('searchbox', { name: 'Search the audit trail' }), 'x{Enter}');
    expect(await screen.findByText('No entries match')).toBeInTheDocument();
    const emptyState = screen.getByText('No entries match').closest('.ant-empty')! as HTMLElement;
    await user.click(within(emptyState).getByRole('button', { name: 'Clear filters' }));
    await waitFor(() => expect(location()).toBe('/audit'));
  });

  it('pages through the entries', async () => {
    const server = auditServer(ENTRIES, 45);
    const { user, location } = renderApp('/audit?action=export');
    await screen.findByText('45 entries');
    await user.click(screen.getByTitle('3'));
    await waitFor(() => expect(location()).toBe('/audit?action=export&page=3'));
    expect(server.calls('GET', '/api/v1/audit').at(-1)!.params.get('page')).toBe('3');
  });

  it('exports every entry that matches the filters as CSV, the filters in the link', async () => {
    auditServer();
    const clicks = recordClicks();
    try {
      const { user } = renderApp('/audit?action=export&user=API+token&since=2026-11-01&q=CT');
      await screen.findByText('3 entries');
      await user.click(screen.getByRole('button', { name: 'Export CSV' }));
      expect(clicks.links).toEqual(['/api/v1/audit/export?format=csv&action=export&user=API+token&since=2026-11-01&q=CT download=']);
    } finally {
      clicks.restore();
    }
  });

  it('hands the audit export to the desktop window’s Save dialog when it offers one', async () => {
    auditServer();
    const saved: string[] = [];
    window.pywebview = { api: { save_download: async (url: string) => (saved.push(url), { saved: '/home/clinic/audit.csv' }) } };
    try {
      const { user } = renderApp('/audit?until=2026-11-30');
      await screen.findByText('3 entries');
      await user.click(screen.getByRole('button', { name: 'Export CSV' }));
      await waitFor(() => expect(saved).toEqual(['http://localhost:3000/api/v1/audit/export?format=csv&until=2026-11-30']));
      expect(await screen.findByText('Saved to /home/clinic/audit.csv')).toBeInTheDocument();
    } finally {
      delete window.pywebview;
    }
  });

  it('says so when the desktop window could not save the export (a full drive)', async () => {
    auditServer();
    const why = 'There is not enough room on the drive to save /media/usb/audit.csv. Nothing was saved: free some space or choose another drive, then export again.';
    window.pywebview = { api: { save_download: async () => ({ saved: null, error: why }) } };
    try {
      const { user } = renderApp('/audit');
      await screen.findByText('3 entries');
      await user.click(screen.getByRole('button', { name: 'Export CSV' }));
      expect(await screen.findByText(`The export was not saved: ${why}`)).toBeInTheDocument();
    } finally {
      delete window.pywebview;
    }
  });

  it('never offers to change or delete an entry', async () => {
    auditServer();
    renderApp('/audit');
    await screen.findByText('3 entries');
    expect(screen.queryByRole('button', { name: /delete|remove|edit|clear the audit/i })).not.toBeInTheDocument();
    expect(screen.getByText(/nothing here can be changed or deleted/)).toBeInTheDocument();
  });

  it('says why the entries could not be loaded', async () => {
    mockApi({
      'GET /api/v1/audit': () => json({ detail: 'Invalid parameter: since is not a date (YYYY-MM-DD)' }, 400),
      'GET /api/v1/audit/options': () => json(OPTIONS),
    });
    renderApp('/audit');
    expect(await screen.findByRole('alert')).toHaveTextContent('The audit trail could not be loaded');
    expect(screen.getByRole('alert')).toHaveTextContent('Invalid parameter: since is not a date (YYYY-MM-DD)');
  });

  it('speaks Traditional Chinese', async () => {
    auditServer();
    await i18n.changeLanguage('zh-TW');
    renderApp('/audit');
    expect(await screen.findByText('共 3 筆紀錄')).toBeInTheDocument();
    expect(screen.getByRole('link', { name: '稽核紀錄' })).toBeInTheDocument();
    expect(screen.getByRole('table', { name: '稽核紀錄' })).toBeInTheDocument();
    expect(screen.getByRole('searchbox', { name: '搜尋稽核紀錄' })).toBeInTheDocument();
    expect(screen.getByRole('combobox', { name: '動作' })).toBeInTheDocument();
    expect(screen.getByRole('combobox', { name: '使用者' })).toBeInTheDocument();
    expect(screen.getByRole('button', { name: '匯出 CSV' })).toBeInTheDocument();
    expect(screen.getByRole('button', { name: '顯示第 3 筆紀錄的詳細資料' })).toBeInTheDocument();
    expect(within(screen.getByRole('table', { name: '稽核紀錄' })).getByText('重設權杖')).toBeInTheDocument();
  });
});
