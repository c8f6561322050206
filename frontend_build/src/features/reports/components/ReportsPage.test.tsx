import { act, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { i18n } from '@/lib/i18n';
import { CONTRACT_REPORTS, FILTERS, reportPage } from '@/test/fixtures';
import { json, mockApi, type Handler } from '@/test/mockApi';
import { renderApp } from '@/test/render';

function serverWith(search: Handler, extra: Record<string, Handler> = {}) {
  return mockApi({
    'GET /api/v1/reports/search': search,
    'GET /api/v1/studies/filters/options': () => json(FILTERS),
    'GET /api/v1/reports/:id': (request) => {
      const id = decodeURIComponent(request.path.split('/').at(-1)!);
      const report = CONTRACT_REPORTS.find((r) => r.report_id === id);
      return report ? json(report) : json({ detail: 'Report not found' }, 404);
    },
    'GET /api/v1/studies/:id': () => json({ detail: 'Study not found' }, 404),
    ...extra,
  });
}

const table = () => screen.getByRole('table', { name: 'Reports' });
const bodyRows = () => within(table()).getAllByRole('row').slice(1);

describe('the Reports screen', () => {
  it('lists the reports in a table named Reports, with the total, dates as stored and blanks as a dash', async () => {
    const server = serverWith(() => json(reportPage(CONTRACT_REPORTS, 3)));
    renderApp('/reports');
    expect(await screen.findByText('3 reports')).toBeInTheDocument();
    expect(screen.getByRole('searchbox', { name: 'Search reports' })).toBeInTheDocument();
    const headers = within(table()).getAllByRole('columnheader').map((th) => th.textContent);
    expect(headers).toEqual(['Report ID', 'Exam ID', 'Patient', 'Item', 'Findings', 'Radiologist', 'Created', 'Status']);
    expect(within(bodyRows()[1]).getAllByRole('cell').map((td) => td.textContent)).toEqual([
      'RPT001',
      'EXAM001',
      'Zhang Wei',
      'Chest CT',
      'A 6 mm solid nodule in the right upper lobe.',
      'Dr. Chen',
      '2025-11-06 14:30',
      'final',
    ]);
    expect(within(bodyRows()[2]).getAllByRole('cell').map((td) => td.textContent)).toEqual([
      'RPT003',
      'OLD-0042',
      '—',
      '—',
      'No pulmonary nodules.',
      '—',
      '—',
      'final',
    ]);
    expect(screen.getByRole('link', { name: 'Reports' })).toHaveAttribute('aria-current', 'page');
    expect(server.calls('GET', '/api/v1/reports/search')[0].params.toString()).toBe('page=1&page_size=20');
  });

  it('shows a loading state, then the rows', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    serverWith(async () => {
      await gate;
      return json(reportPage(CONTRACT_REPORTS, 3));
    });
    renderApp('/reports');
    expect(await screen.findByText('Loading reports…')).toBeInTheDocument();
    act(() => release());
    expect(await screen.findByText('3 reports')).toBeInTheDocument();
  });

  it('searches after a pause in typing and highlights the match in the findings, whatever its case', async () => {
    const server = serverWith((request) =>
      json(request.params.get('q') ? reportPage([CONTRACT_REPORTS[1], CONTRACT_REPORTS[2]], 2) : reportPage(CONTRACT_REPORTS, 3)),
    );
    const { user, location } = renderApp('/reports');
    await screen.findByText('3 reports');
    await user.type(screen.getByRole('searchbox', { name: 'Search reports' }), 'NODULE');
    await waitFor(() => expect(location()).toBe('/reports?q=NODULE'));
    expect(await screen.findByText('2 reports')).toBeInTheDocument();
    expect(server.calls('GET', '/api/v1/reports/search').filter((r) => r.params.get('q'))).toHaveLength(1);
    expect([...table().querySelectorAll('mark')].map((m) => m.textContent)).toEqual(['nodule', 'nodule']);
  });

  it('shortens long findings around the match', async () => {
    const long = `${'The heart is normal in size. '.repeat(8)}There is a 9 mm spiculated nodule in the left lower lobe.`;
    serverWith(() => json(reportPage([{ ...CONTRACT_REPORTS[1], findings: long }], 1)));
    renderApp('/reports?q=spiculated');
    await screen.findByText('1 report');
    const cell = within(bodyRows()[0]).getAllByRole('cell')[4];
    expect(cell.textContent!.length).toBeLessThan(long.length);
    expect(cell.textContent).toMatch(/^….*spiculated nodule/);
    expect(cell.querySelector('mark')).toHaveTextContent('spiculated');
  });

  it('filters by the report status the server offers, and by the study status', async () => {
    const server = serverWith(() => json(reportPage(CONTRACT_REPORTS, 3)));
    const { user, location } = renderApp('/reports?page=2');
    await screen.findByText('3 reports');
    await user.click(screen.getByRole('combobox', { name: 'Report status' }));
    await user.click(await screen.findByRole('option', { name: 'preliminary' }));
    await waitFor(() => expect(location()).toBe('/reports?status=preliminary'));
    await user.click(screen.getByRole('combobox', { name: 'Study status' }));
    await user.click(await screen.findByRole('option', { name: 'pending' }));
    await waitFor(() => expect(location()).toBe('/reports?status=preliminary&exam_status=pending'));
    expect(server.calls('GET', '/api/v1/reports/search').at(-1)!.params.toString()).toBe(
      'status=preliminary&exam_status=pending&page=1&page_size=20',
    );
  });

  it('keeps the search in the URL: a link reopens it', async () => {
    const server = serverWith(() => json(reportPage(CONTRACT_REPORTS, 300, 3, 50)));
    renderApp('/reports?q=nodule&status=final&page=3&page_size=50');
    await screen.findByText('300 reports');
    expect(screen.getByRole('searchbox', { name: 'Search reports' })).toHaveValue('nodule');
    expect(server.calls('GET', '/api/v1/reports/search')[0].params.toString()).toBe('q=nodule&status=final&page=3&page_size=50');
    expect(screen.getByTitle('3')).toHaveClass('ant-pagination-item-active');
  });

  it('pages through the server', async () => {
    const server = serverWith((request) => {
      const page = Number(request.params.get('page'));
      return json(reportPage([{ ...CONTRACT_REPORTS[1], report_id: `RPT-P${page}` }], 4302, page, 20));
    });
    const { user, location } = renderApp('/reports?q=a');
    expect(await screen.findByText('4,302 reports')).toBeInTheDocument();
    await user.click(screen.getByTitle('2'));
    await waitFor(() => expect(location()).toBe('/reports?q=a&page=2'));
    expect(await screen.findByText('RPT-P2')).toBeInTheDocument();
    expect(server.calls('GET', '/api/v1/reports/search').at(-1)!.params.get('page')).toBe('2');
  });

  it('says when nothing matches, and clears the filters', async () => {
    serverWith((request) => json(request.params.get('q') ? reportPage([], 0) : reportPage(CONTRACT_REPORTS, 3)));
    const { user, location } = renderApp('/reports?q=nobody&status=final');
    expect(await screen.findByText('No reports match')).toBeInTheDocument();
    const emptyState = screen.getByText('No reports match').closest('.ant-empty') as HTMLElement;
    await user.click(within(emptyState).getByRole('button', { name: 'Clear filters' }));
    expect(await screen.findByText('3 reports')).toBeInTheDocument();
    expect(location()).toBe('/reports');
  });

  it('says where reports come from when none is stored', async () => {
    serverWith(() => json(reportPage([], 0)));
    const { user, location } = renderApp('/reports');
    expect(await screen.findByText('No reports are stored yet')).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Go to Import' }));
    await waitFor(() => expect(location()).toBe('/import'));
  });

  it("shows the server's error and what to do", async () => {
    serverWith(() => json({ detail: 'Invalid parameter: page_size must be at most 1000' }, 400));
    renderApp('/reports?q=x');
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('The reports could not be loaded');
    expect(alert).toHaveTextContent('Invalid parameter: page_size must be at most 1000');
    expect(within(alert).getByRole('button', { name: 'Try again' })).toBeInTheDocument();
  });

  it('opens a report in full in a dialog named by its ID, with a link to its study', async () => {
    const long = 'A 6 mm solid nodule in the right upper lobe.\nNo pleural effusion.\nImpression: follow-up CT.';
    serverWith(() => json(reportPage([{ ...CONTRACT_REPORTS[1], findings: long }], 1)), {
      'GET /api/v1/reports/RPT001': () => json({ ...CONTRACT_REPORTS[1], findings: long }),
    });
    const { user, location } = renderApp('/reports?q=nodule');
    await screen.findByText('1 report');
    await user.click(screen.getByRole('button', { name: 'Open report RPT001' }));
    await waitFor(() => expect(location()).toBe('/reports?q=nodule&report=RPT001'));
    const dialog = await screen.findByRole('dialog', { name: /RPT001/ });
    expect(dialog).toHaveAccessibleName('Report RPT001 · Zhang Wei');
    const findings = within(dialog).getByText(/Impression: follow-up CT\./);
    expect(findings.closest('p')!.textContent).toBe(long);
    expect(within(dialog).getByText('2025-11-06 14:30:00')).toBeInTheDocument();
    const link = within(dialog).getByRole('link', { name: 'Open study EXAM001' });
    expect(link).toHaveAttribute('href', '/studies?study=EXAM001');

    await user.keyboard('{Escape}');
    await waitFor(() => expect(location()).toBe('/reports?q=nodule'));
  });

  it('says that an orphan report has no study to open', async () => {
    const server = serverWith(() => json(reportPage(CONTRACT_REPORTS, 3)));
    renderApp('/reports?report=RPT003');
    const dialog = await screen.findByRole('dialog', { name: 'Report RPT003' });
    expect(await within(dialog).findByText(/Study OLD-0042 is not stored/)).toBeInTheDocument();
    expect(within(dialog).queryByRole('link')).not.toBeInTheDocument();
    expect(server.calls('GET', '/api/v1/studies/OLD-0042')).toHaveLength(1);
  });

  it('links a report without patient and item once the server has its study', async () => {
    serverWith(() => json(reportPage(CONTRACT_REPORTS, 3)), {
      'GET /api/v1/studies/OLD-0042': () => json({ exam_id: 'OLD-0042' }),
    });
    renderApp('/reports?report=RPT003');
    const dialog = await screen.findByRole('dialog', { name: 'Report RPT003' });
    expect(await within(dialog).findByRole('link', { name: 'Open study OLD-0042' })).toHaveAttribute('href', '/studies?study=OLD-0042');
  });

  it('speaks Traditional Chinese', async () => {
    await i18n.changeLanguage('zh-TW');
    serverWith(() => json(reportPage(CONTRACT_REPORTS, 3)));
    renderApp('/reports');
    expect(await screen.findByText('共 3 份報告')).toBeInTheDocument();
    expect(screen.getByRole('searchbox', { name: '搜尋報告' })).toBeInTheDocument();
    const zhTable = screen.getByRole('table', { name: '報告清單' });
    expect(within(zhTable).getAllByRole('columnheader').map((th) => th.textContent)).toEqual([
      '報告編號',
      '檢查編號',
      '病患',
      '檢查項目',
      '所見',
      '放射科醫師',
      '建立時間',
      '狀態',
    ]);
    expect(screen.getByRole('combobox', { name: '報告狀態' })).toBeInTheDocument();
  });
});
