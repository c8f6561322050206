import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { ImportHistoryRow, ImportIssueRow, ImportJobOut, LinkedSourceDetail } from '@/lib/api-types';
import { json, mockApi, type Handler } from '@/test/mockApi';
import { renderApp } from '@/test/render';

const PATH = '/home/clinic/exports/medical_imaging.duckdb';

const DONE: ImportJobOut = {
  state: 'done',
  phase: 'done',
  rows_done: 6,
  rows_total: 6,
  report: {
    source_rows: 6,
    inserted: 3,
    updated: 1,
    unchanged: 0,
    duplicates: 1,
    quarantined: 1,
    not_in_source: 2,
    ignored_columns: ['modality_code'],
    issues: [{ source_row: 5, exam_id: 'EX0005', reason: "order_datetime is not a valid date and time (not an ISO date and time): '06/11/2025 10:30'" }],
    duration_s: 0.142,
    reports: { source_rows: 4, inserted: 4, updated: 0, unchanged: 0, duplicates: 0, quarantined: 0, not_in_source: 0, orphaned: 1, ignored_columns: [], issues: [] },
  },
  error: null,
};

const ISSUE: ImportIssueRow = {
  source_row: 5,
  exam_id: 'EX0005',
  report_id: null,
  reason: "order_datetime is not a valid date and time (not an ISO date and time): '06/11/2025 10:30'",
  source_table: 'medical_examinations_fact',
  raw: { exam_id: 'EX0005', patient_name: '王芳', order_datetime: '06/11/2025 10:30', modality_code: 'CT01' },
};

function historyRow(job_id: number, overrides: Partial<ImportHistoryRow> = {}): ImportHistoryRow {
  return {
    job_id,
    kind: 'import',
    path: PATH,
    size: 1323008,
    sha256: 'ab'.repeat(32),
    started_at: '2026-11-27T09:14:03.120554',
    finished_at: '2026-11-27T09:14:03.268112',
    outcome: 'done',
    source_rows: 6,
    inserted: 3,
    updated: 1,
    unchanged: 0,
    duplicates: 1,
    quarantined: 1,
    not_in_source: 2,
    error: null,
    ...overrides,
  };
}

const LINKED: LinkedSourceDetail = {
  path: PATH,
  linked_at: '2026-11-27T09:14:03.268112',
  last_sync: '2026-11-27T09:14:03.268112',
  last_error: null,
  last_job_id: 7,
};

function page<T>(data: T[], total = data.length, pageNumber = 1, page_size = 10) {
  return { data, total, page: pageNumber, page_size };
}

function serverWith(handlers: Record<string, Handler> = {}) {
  return mockApi({
    'GET /api/v1/import/history': () => json(page([historyRow(6, { kind: 'sync', path: '/old/a.duckdb' })])),
    'GET /api/v1/import/link': () => json({ linked_source: null }),
    'GET /api/v1/import/jobs/:id/issues': () => json(page([ISSUE], 1, 1, 10)),
    ...handlers,
  });
}

/** Answers the polls of a job in turn; the last one from then on. */
function polls(answers: ImportJobOut[]): (request: Parameters<Handler>[0]) => ReturnType<typeof json> {
  let index = 0;
  return () => json(answers[Math.min(index++, answers.length - 1)]);
}

const running = (rows_done: number, phase: ImportJobOut['phase'] = 'importing'): ImportJobOut => ({
  state: 'running',
  phase,
  rows_done,
  rows_total: 6,
  report: null,
  error: null,
});

describe('the Import screen', () => {
  it('offers the path field, the actions, the linked file and the history', async () => {
    serverWith();
    renderApp('/import');
    expect(await screen.findByRole('heading', { name: 'Import', level: 1 })).toBeInTheDocument();
    expect(screen.getByRole('textbox', { name: 'DuckDB file path' })).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Import' })).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Link file' })).toBeInTheDocument();
    // In a browser there is no native file dialog.
    expect(screen.queryByRole('button', { name: 'Choose file…' })).not.toBeInTheDocument();
    expect(await screen.findByText('No file is linked.')).toBeInTheDocument();
    const history = await screen.findByRole('table', { name: 'Import history' });
    await within(history).findByText('/old/a.duckdb');
    const cells = within(within(history).getAllByRole('row')[1]).getAllByRole('cell').map((c) => c.textContent);
    expect(cells).toEqual([
      '#6',
      'Sync',
      '/old/a.duckdb',
      '2026-11-27 09:14',
      '2026-11-27 09:14',
      'Done',
      '6',
      '3 new · 1 changed · 0 same · 1 dup. · 1 held back · 2 gone from file',
    ]);
  });

  it('asks for a path before importing', async () => {
    const server = serverWith();
    const { user } = renderApp('/import');
    await user.click(await screen.findByRole('button', { name: 'Import' }));
    expect(await screen.findByText('Type the path of the DuckDB file first.')).toBeInTheDocument();
    expect(screen.getByRole('textbox', { name: 'DuckDB file path' })).toHaveAttribute('aria-invalid', 'true');
    expect(server.calls('POST', '/api/v1/import/duckdb')).toHaveLength(0);
  });

  it('imports a file: progress, then the reconciliation and the quarantined rows', async () => {
    let state: 'idle' | 'running' | 'done' = 'idle';
    const server = serverWith({
      'POST /api/v1/import/duckdb': () => {
        state = 'running';
        return json({ job_id: 7 }, 202);
      },
      'GET /api/v1/import/jobs/7': () => json(state === 'done' ? DONE : running(3)),
      'GET /api/v1/import/history': () =>
        json(page(state === 'idle' ? [historyRow(6)] : [historyRow(7, state === 'running' ? { outcome: 'running', finished_at: null } : {}), historyRow(6)])),
    });
    const { user, location } = renderApp('/import');
    await user.type(await screen.findByRole('textbox', { name: 'DuckDB file path' }), `  ${PATH} `);
    await user.click(screen.getByRole('button', { name: 'Import' }));
    expect(server.calls('POST', '/api/v1/import/duckdb')[0].body).toEqual({ path: PATH });
    await waitFor(() => expect(location()).toBe('/import?job=7'));

    const bar = await screen.findByRole('progressbar', { name: /Import/ });
    await waitFor(() => expect(bar).toHaveAttribute('aria-valuenow', '50'));
    expect(screen.getByRole('button', { name: 'Cancel' })).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Import' })).toBeDisabled();
    expect(screen.getByText('Importing · 3 of 6 rows')).toBeInTheDocument();

    state = 'done';
    const reconciliation = await screen.findByRole('table', { name: 'Reconciliation' }, { timeout: 4000 });
    expect(screen.getByRole('progressbar', { name: /Import/ })).toHaveAttribute('aria-valuenow', '100');
    expect(screen.queryByRole('button', { name: 'Cancel' })).not.toBeInTheDocument();
    expect(screen.getByText('Imported in 0.1 s.')).toBeInTheDocument();
    const row = (name: string) => within(reconciliation).getByRole('row', { name: new RegExp(`^${name}`) });
    const numbers = (name: string) => within(row(name)).getAllByRole('cell').map((c) => c.textContent);
    expect(within(reconciliation).getAllByRole('columnheader').map((c) => c.textContent)).toEqual(['Rows', 'Studies', 'Reports']);
    expect(numbers('In the file')).toEqual(['6', '4']);
    expect(numbers('Inserted')).toEqual(['3', '4']);
    expect(numbers('Updated')).toEqual(['1', '0']);
    expect(numbers('Unchanged')).toEqual(['0', '0']);
    expect(numbers('Duplicates')).toEqual(['1', '0']);
    expect(numbers('Quarantined')).toEqual(['1', '0']);
    expect(numbers('Not in source')).toEqual(['2', '0']);
    expect(numbers('Orphaned reports')).toEqual(['—', '1']);
    expect(screen.getByText('modality_code')).toBeInTheDocument();

    const issues = screen.getByRole('table', { name: 'Quarantined rows' });
    expect(await within(issues).findByText(ISSUE.reason)).toBeInTheDocument();
    expect(within(issues).getByText('EX0005')).toBeInTheDocument();
    expect(server.calls('GET', '/api/v1/import/jobs/7/issues')[0].params.toString()).toBe('page=1&page_size=10');
    // The source row, verbatim, on expanding it.
    await user.click(within(issues).getByRole('button', { name: /expand/i }));
    expect(await screen.findByText('06/11/2025 10:30')).toBeInTheDocument();
    expect(screen.getByText('王芳')).toBeInTheDocument();

    // The history shows the finished job.
    const history = screen.getByRole('table', { name: 'Import history' });
    await waitFor(() => expect(within(history).getAllByText('Done')).toHaveLength(2));
  });

  it('cancels a running import', async () => {
    const server = serverWith({
      'POST /api/v1/import/duckdb': () => json({ job_id: 8 }, 202),
      'GET /api/v1/import/jobs/8': () => json({ ...running(3), rows_total: 1_000_000, rows_done: 120_000 }),
      'DELETE /api/v1/import/jobs/8': () =>
        json({
          state: 'cancelled',
          phase: 'cancelled',
          rows_done: 120000,
          rows_total: 1000000,
          report: null,
          error: 'cancelled: the import was stopped before it finished; nothing of it was kept',
        }),
    });
    const { user } = renderApp('/import');
    await user.type(await screen.findByRole('textbox', { name: 'DuckDB file path' }), PATH);
    await user.keyboard('{Enter}');
    expect(await screen.findByText('Importing · 120,000 of 1,000,000 rows')).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Cancel' }));
    expect(await screen.findByText('The import was cancelled')).toBeInTheDocument();
    expect(screen.getByText(/nothing of it was kept/)).toBeInTheDocument();
    expect(server.calls('DELETE', '/api/v1/import/jobs/8')).toHaveLength(1);
    expect(screen.queryByRole('button', { name: 'Cancel' })).not.toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Import' })).toBeEnabled();
  });

  it("shows the server's refusal as it is", async () => {
    serverWith({
      'POST /api/v1/import/duckdb': () =>
        json({ detail: '/home/clinic/old.duckdb has no table medical_examinations_fact; its tables are: patients, visits' }, 400),
    });
    const { user } = renderApp('/import');
    await user.type(await screen.findByRole('textbox', { name: 'DuckDB file path' }), '/home/clinic/old.duckdb');
    await user.click(screen.getByRole('button', { name: 'Import' }));
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('The import could not start');
    expect(alert).toHaveTextContent('/home/clinic/old.duckdb has no table medical_examinations_fact; its tables are: patients, visits');
    expect(alert).not.toHaveTextContent('search');
  });

  it("follows another PC's import after being refused because of it", async () => {
    let refused = false;
    const other = '/mnt/share/ward-b.duckdb';
    serverWith({
      'POST /api/v1/import/duckdb': () => {
        refused = true;
        return json({ detail: `Another import is running on this database: ${other} (import 12, since 2026-12-01 21:02); try again when it has finished` }, 409);
      },
      'GET /api/v1/import/history': () =>
        json(page(refused ? [historyRow(12, { outcome: 'running', finished_at: null, path: other }), historyRow(6)] : [historyRow(6)])),
      'GET /api/v1/import/jobs/12': () => json({ ...running(3), rows_total: 1_000_000, rows_done: 250_000 }),
    });
    const { user } = renderApp('/import');
    await user.type(await screen.findByRole('textbox', { name: 'DuckDB file path' }), PATH);
    await user.click(screen.getByRole('button', { name: 'Import' }));
    expect(await screen.findByRole('alert')).toHaveTextContent(`Another import is running on this database: ${other}`);
    expect(await screen.findByRole('heading', { name: 'Import 12' })).toBeInTheDocument();
    expect(await screen.findByText('Importing · 250,000 of 1,000,000 rows')).toBeInTheDocument();
    expect(screen.getByRole('progressbar', { name: /Import/ })).toHaveAttribute('aria-valuenow', '25');
  });

  it('shows why a job failed', async () => {
    serverWith({
      'GET /api/v1/import/jobs/9': () =>
        json({ state: 'failed', phase: 'failed', rows_done: 0, rows_total: null, report: null, error: 'The file crashed the DuckDB reader (its process ended with SIGSEGV); nothing of the import was kept' }),
    });
    renderApp('/import?job=9');
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('The import failed, and nothing of it was kept');
    expect(alert).toHaveTextContent('SIGSEGV');
  });

  it('follows an import that is already running', async () => {
    serverWith({
      'GET /api/v1/import/history': () => json(page([historyRow(11, { outcome: 'running', finished_at: null, path: '/data/demo/demo-2000-0.duckdb' })])),
      'GET /api/v1/import/jobs/11': () => json(running(3)),
    });
    renderApp('/import');
    expect(await screen.findByRole('heading', { name: 'Import 11' })).toBeInTheDocument();
    expect(await screen.findByRole('progressbar', { name: /Import/ })).toHaveAttribute('aria-valuenow', '50');
    expect(screen.getByRole('button', { name: 'Cancel' })).toBeInTheDocument();
  });

  it('shows an earlier job from the history, and pages the history', async () => {
    const server = serverWith({
      'GET /api/v1/import/history': (request) => {
        const n = Number(request.params.get('page'));
        return json(page([historyRow(30 - n), historyRow(20 - n, { outcome: 'failed', error: 'File not found: /x.duckdb', source_rows: null })], 25, n));
      },
      'GET /api/v1/import/jobs/29': () => json(DONE),
    });
    const { user, location } = renderApp('/import');
    const history = await screen.findByRole('table', { name: 'Import history' });
    expect(await within(history).findByText('File not found: /x.duckdb')).toBeInTheDocument();
    await user.click(within(history).getByRole('button', { name: 'Show job 29' }));
    await waitFor(() => expect(location()).toBe('/import?job=29'));
    expect(await screen.findByRole('table', { name: 'Reconciliation' })).toBeInTheDocument();
    await user.click(within(screen.getByRole('region', { name: 'Import history' })).getByTitle('2'));
    await waitFor(() => expect(server.calls('GET', '/api/v1/import/history').at(-1)!.params.toString()).toBe('page=2&page_size=10'));
    expect(await within(history).findByRole('button', { name: 'Show job 28' })).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Close this import' }));
    await waitFor(() => expect(location()).toBe('/import'));
  });

  it('pages the quarantined rows', async () => {
    const server = serverWith({
      'GET /api/v1/import/jobs/7': () => json({ ...DONE, report: { ...DONE.report!, quarantined: 25 } }),
      'GET /api/v1/import/jobs/7/issues': (request) => {
        const n = Number(request.params.get('page'));
        return json(page([{ ...ISSUE, source_row: n * 100 }], 25, n));
      },
    });
    const { user } = renderApp('/import?job=7');
    const issues = await screen.findByRole('table', { name: 'Quarantined rows' });
    expect(await within(issues).findByText('100')).toBeInTheDocument();
    expect(screen.getByText('25 quarantined rows: fix them in the source and import again.')).toBeInTheDocument();
    await user.click(within(screen.getByRole('region', { name: 'Quarantined rows' })).getByTitle('3'));
    expect(await within(issues).findByText('300')).toBeInTheDocument();
    expect(server.calls('GET', '/api/v1/import/jobs/7/issues').at(-1)!.params.toString()).toBe('page=3&page_size=10');
  });

  it('links a file: its sync shows progress, then the link with its last sync; unlinks it', async () => {
    let linked: LinkedSourceDetail | null = null;
    const job = polls([running(3), DONE]);
    const server = serverWith({
      'POST /api/v1/import/link': () => json({ job_id: 7 }, 202),
      'GET /api/v1/import/jobs/7': (request) => {
        const answer = job(request);
        if ((answer as { body: ImportJobOut }).body.state === 'done') linked = LINKED;
        return answer;
      },
      'GET /api/v1/import/link': () => json({ linked_source: linked }),
      'DELETE /api/v1/import/link': () => {
        linked = null;
        return { status: 204 };
      },
    });
    const { user } = renderApp('/import');
    await user.type(await screen.findByRole('textbox', { name: 'DuckDB file path' }), PATH);
    await user.click(screen.getByRole('button', { name: 'Link file' }));
    expect(server.calls('POST', '/api/v1/import/link')[0].body).toEqual({ path: PATH });
    expect(await screen.findByRole('heading', { name: 'Sync 7 of the linked file' })).toBeInTheDocument();
    expect(await screen.findByRole('progressbar', { name: /Import/ })).toBeInTheDocument();
    const panel = screen.getByRole('region', { name: 'Linked file' });
    expect(await within(panel).findByText(PATH, {}, { timeout: 4000 })).toBeInTheDocument();
    expect(within(panel).getAllByText('2026-11-27 09:14')).toHaveLength(2);
    expect(within(panel).getByRole('button', { name: 'Show job 7' })).toBeInTheDocument();

    await user.click(within(panel).getByRole('button', { name: 'Unlink' }));
    const confirm = await screen.findByRole('dialog', { name: 'Stop following this file?' });
    await user.click(within(confirm).getByRole('button', { name: 'Unlink' }));
    expect(await within(panel).findByText('No file is linked.')).toBeInTheDocument();
    expect(server.calls('DELETE', '/api/v1/import/link')).toHaveLength(1);
  });

  it("shows the linked file's last error", async () => {
    serverWith({
      'GET /api/v1/import/link': () =>
        json({ linked_source: { ...LINKED, last_error: '/home/clinic/exports/medical_imaging.duckdb is open in another program' } }),
    });
    renderApp('/import');
    const panel = await screen.findByRole('region', { name: 'Linked file' });
    expect(await within(panel).findByText('The last sync did not work')).toBeInTheDocument();
    expect(within(panel).getByText(/is open in another program/)).toBeInTheDocument();
  });

  it("fills the path from the desktop window's file dialog", async () => {
    serverWith();
    window.pywebview = { api: { choose_duckdb: async () => 'C:\\Exports\\clinic.duckdb' } };
    try {
      const { user } = renderApp('/import');
      await user.click(await screen.findByRole('button', { name: 'Choose file…' }));
      await waitFor(() => expect(screen.getByRole('textbox', { name: 'DuckDB file path' })).toHaveValue('C:\\Exports\\clinic.duckdb'));
    } finally {
      delete window.pywebview;
    }
  });

  it('loads demo data as an ordinary job', async () => {
    const server = serverWith({
      'POST /api/v1/import/demo': () => json({ job_id: 12 }, 202),
      'GET /api/v1/import/jobs/12': () => json(DONE),
    });
    const { user, location } = renderApp('/import');
    await user.click(await screen.findByRole('button', { name: 'Load demo data' }));
    expect(server.calls('POST', '/api/v1/import/demo')[0].body).toEqual({ rows: 2000 });
    await waitFor(() => expect(location()).toBe('/import?job=12'));
    expect(await screen.findByRole('table', { name: 'Reconciliation' })).toBeInTheDocument();
  });
});
