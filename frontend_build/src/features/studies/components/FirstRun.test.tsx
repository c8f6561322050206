import { screen, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { ImportJobOut } from '@/lib/api-types';
import { CONTRACT_STUDIES, FILTERS, STATISTICS, searchPage } from '@/test/fixtures';
import { json, mockApi } from '@/test/mockApi';
import { renderApp } from '@/test/render';

describe('the first run', () => {
  it('explains the app and loads demo data with a progress bar, then shows the studies', async () => {
    let studies = 0;
    const jobs: ImportJobOut[] = [
      { state: 'running', phase: 'importing', rows_done: 500, rows_total: 2000, report: null, error: null },
      { state: 'running', phase: 'verifying', rows_done: 2000, rows_total: 2000, report: null, error: null },
    ];
    let poll = 0;
    const server = mockApi({
      'GET /api/v1/health': () => json({ status: 'ok', version: '0.1.0', database: 'sqlite', studies, linked_source: null }),
      'GET /api/v1/studies/filters/options': () => json(FILTERS),
      'GET /api/v1/studies/statistics': () => json(STATISTICS),
      'GET /api/v1/studies/search': () => json(studies ? searchPage(CONTRACT_STUDIES, 2000) : searchPage([], 0)),
      'POST /api/v1/import/demo': () => json({ job_id: 3 }, 202),
      'GET /api/v1/import/jobs/3': () => {
        poll += 1;
        if (poll <= jobs.length) return json(jobs[poll - 1]);
        studies = 2000;
        return json({ state: 'done', phase: 'done', rows_done: 2000, rows_total: 2000, report: null, error: null });
      },
    });
    const { user, location } = renderApp('/');
    expect(await screen.findByRole('heading', { name: 'Welcome to Imaging Desk' })).toBeInTheDocument();
    expect(screen.getByText(/finds and reviews your clinic’s imaging examinations/)).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Import DuckDB file' })).toBeInTheDocument();

    await user.click(screen.getByRole('button', { name: 'Load demo data' }));
    expect(server.calls('POST', '/api/v1/import/demo')[0].body).toEqual({ rows: 2000 });
    const bar = await screen.findByRole('progressbar', { name: 'Loading demo data' });
    await waitFor(() => expect(bar).toHaveAttribute('aria-valuenow', '25'));
    expect(await screen.findByText('2,000 studies', {}, { timeout: 4000 })).toBeInTheDocument();
    expect(location()).toBe('/');
  });

  it('shows why the demo data could not be loaded', async () => {
    mockApi({
      'GET /api/v1/health': () => json({ status: 'ok', version: '0.1.0', database: 'sqlite', studies: 0, linked_source: null }),
      'POST /api/v1/import/demo': () => json({ detail: 'An import is already running (job 6); wait for it to finish' }, 409),
    });
    const { user } = renderApp('/');
    await user.click(await screen.findByRole('button', { name: 'Load demo data' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('An import is already running (job 6); wait for it to finish');
  });

  it('goes to the Import screen for a DuckDB file', async () => {
    mockApi({ 'GET /api/v1/health': () => json({ status: 'ok', version: '0.1.0', database: 'sqlite', studies: 0, linked_source: null }) });
    const { user, location } = renderApp('/');
    await user.click(await screen.findByRole('button', { name: 'Import DuckDB file' }));
    await waitFor(() => expect(location()).toBe('/import'));
    expect(await screen.findByRole('heading', { name: 'Import' })).toBeInTheDocument();
  });
});
