import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { AnalysisTaskOut } from '@/lib/api-types';
import { CONTRACT_STUDIES, FILTERS, FULL_EXAM001, STATISTICS, searchPage } from '@/test/fixtures';
import { json, mockApi, type Handler } from '@/test/mockApi';
import { renderApp } from '@/test/render';

const ANALYSIS_OPTIONS = {
  analysis_types: [
    { name: 'lung_nodule_detection', description: 'Reads the written findings of the study’s reports, never the images.', result_fields: [] },
    { name: 'turnaround_review', description: 'Compares the waits with the clinic’s.', result_fields: [] },
  ],
};

const RELATED = {
  data: [{ ...CONTRACT_STUDIES[1], exam_id: 'EXAM000', order_datetime: '2024-05-01T08:00:00', exam_item: 'Chest X-ray' }],
  total: 1,
  page: 1,
  page_size: 20,
  matched_by: 'medical_record_no',
};

function server(extra: Record<string, Handler> = {}) {
  return mockApi({
    'GET /api/v1/health': () => json({ status: 'ok', version: '0.1.0', database: 'sqlite', studies: 3, linked_source: null }),
    'GET /api/v1/studies/filters/options': () => json(FILTERS),
    'GET /api/v1/studies/statistics': () => json(STATISTICS),
    'GET /api/v1/studies/search': () => json(searchPage(CONTRACT_STUDIES, 3)),
    'GET /api/v1/studies/EXAM001/full': () => json(FULL_EXAM001),
    'GET /api/v1/studies/EXAM001/related': () => json(RELATED),
    'GET /api/v1/studies/EXAM000/full': () => json({ ...FULL_EXAM001, exam_id: 'EXAM000', reports: [] }),
    'GET /api/v1/studies/EXAM000/related': () => json({ ...RELATED, data: [CONTRACT_STUDIES[1]] }),
    'GET /api/v1/analysis/options': () => json(ANALYSIS_OPTIONS),
    ...extra,
  });
}

describe('the study drawer', () => {
  it('is a dialog named by the exam ID, with the full record', async () => {
    server();
    renderApp('/?study=EXAM001');
    const dialog = await screen.findByRole('dialog', { name: /EXAM001/ });
    await within(dialog).findByText('MR-0001');
    expect(dialog).toHaveAccessibleName('Study EXAM001 · Zhang Wei');
    for (const text of ['AO-0001', 'Low-dose chest CT', 'Dr. Chen', '2025-11-06 10:30:00', '2025-11-06 14:30:00']) {
      expect(within(dialog).getAllByText(text).length).toBeGreaterThan(0);
    }
    // The source's extra columns, the import, the reports with their findings.
    expect(within(dialog).getByText('modality_code')).toBeInTheDocument();
    expect(within(dialog).getByText('CT01')).toBeInTheDocument();
    expect(within(dialog).getAllByText(/\/home\/clinic\/exports\/medical_imaging\.duckdb · import 7/)).toHaveLength(2);
    expect(within(dialog).getByText('Report RPT001')).toBeInTheDocument();
    expect(within(dialog).getByText('A 6 mm solid nodule in the right upper lobe.')).toBeInTheDocument();
  });

  it("lists the patient's other studies; clicking one opens it", async () => {
    const api = server();
    const { user, location } = renderApp('/?study=EXAM001');
    const dialog = await screen.findByRole('dialog', { name: /EXAM001/ });
    expect(await within(dialog).findByText('Studies with the same medical record number, newest first.')).toBeInTheDocument();
    expect(api.calls('GET', '/api/v1/studies/EXAM001/related')[0].params.toString()).toBe('page=1&page_size=20');
    await user.click(within(dialog).getByRole('button', { name: 'Open study EXAM000' }));
    await waitFor(() => expect(location()).toBe('/?study=EXAM000'));
    expect(await screen.findByRole('dialog', { name: /EXAM000/ })).toBeInTheDocument();
  });

  it('warns when the other studies are matched by name and age only', async () => {
    server({ 'GET /api/v1/studies/EXAM001/related': () => json({ ...RELATED, matched_by: 'name_and_age' }) });
    renderApp('/?study=EXAM001');
    expect(await screen.findByText(/same name and age, so they may be another person’s/)).toBeInTheDocument();
  });

  it('says why a study cannot be shown', async () => {
    server({ 'GET /api/v1/studies/NOPE/full': () => json({ detail: 'Study not found' }, 404) });
    renderApp('/?study=NOPE');
    const dialog = await screen.findByRole('dialog', { name: /NOPE/ });
    expect(await within(dialog).findByText('Study not found')).toBeInTheDocument();
  });

  it('runs an analysis and shows its progress and result in place', async () => {
    const polls: AnalysisTaskOut[] = [
      { task_id: 9, exam_id: 'EXAM001', analysis_type: 'lung_nodule_detection', status: 'running', progress: 40, results: null, created_at: '2026-11-27T10:02:13', completed_at: null },
      {
        task_id: 9,
        exam_id: 'EXAM001',
        analysis_type: 'lung_nodule_detection',
        status: 'completed',
        progress: 100,
        results: {
          nodules_found: 1,
          confidence: 1.0,
          details: [{ report_id: 'RPT001', sentence: 'A 6 mm solid nodule in the right upper lobe', size_mm: 6.0, count: 1 }],
          largest_size_mm: 6.0,
          recommendation: {
            guideline: 'Fleischner Society 2017',
            category: '6-8 mm',
            size_mm: 6.0,
            low_risk: 'CT at 6-12 months, then consider CT at 18-24 months.',
            high_risk: 'CT at 6-12 months, then CT at 18-24 months.',
          },
          reports_read: 1,
        },
        created_at: '2026-11-27T10:02:13',
        completed_at: '2026-11-27T10:02:14',
      },
    ];
    let poll = 0;
    const api = server({
      'POST /api/v1/analysis/tasks': (request) =>
        json({ task_id: 9, exam_id: (request.body as { exam_id: string }).exam_id, analysis_type: 'lung_nodule_detection', status: 'pending', progress: 0, created_at: '2026-11-27T10:02:13' }, 201),
      'GET /api/v1/analysis/tasks/9': () => json(polls[Math.min(poll++, 1)]),
    });
    const { user } = renderApp('/?study=EXAM001');
    const dialog = await screen.findByRole('dialog', { name: /EXAM001/ });
    const run = await within(dialog).findByRole('button', { name: 'Run analysis' });
    await waitFor(() => expect(run).toBeEnabled());
    await user.click(run);
    const post = api.calls('POST', '/api/v1/analysis/tasks')[0];
    expect(post.body).toEqual({ exam_id: 'EXAM001', analysis_type: 'lung_nodule_detection' });
    expect(post.headers['content-type']).toBe('application/json');
    expect(await within(dialog).findByRole('progressbar')).toHaveAttribute('aria-valuenow', '40');
    expect(await within(dialog).findByText('1 sentence affirms a nodule · 1 report read', {}, { timeout: 3000 })).toBeInTheDocument();
    expect(within(dialog).getByText('A 6 mm solid nodule in the right upper lobe')).toBeInTheDocument();
    expect(within(dialog).getAllByText('6 mm').length).toBeGreaterThan(0);
    expect(within(dialog).getByText('Follow-up: Fleischner Society 2017, 6-8 mm')).toBeInTheDocument();
    expect(within(dialog).getByText('CT at 6-12 months, then consider CT at 18-24 months.')).toBeInTheDocument();
  });

  it('shows a turnaround review with the clinic median, p90 and the outlier flags', async () => {
    server({
      'POST /api/v1/analysis/tasks': () => json({ task_id: 4, exam_id: 'EXAM001', analysis_type: 'turnaround_review', status: 'pending', progress: 0, created_at: '2026-11-27T10:02:13' }, 201),
      'GET /api/v1/analysis/tasks/4': () =>
        json({
          task_id: 4,
          exam_id: 'EXAM001',
          analysis_type: 'turnaround_review',
          status: 'completed',
          progress: 100,
          results: {
            exam_source: 'CT',
            order_to_check_in: { minutes: 15, clinic_median: 45.65, clinic_p90: 101.57, sample_size: 1045, outlier: false },
            check_in_to_certification: { minutes: 2225, clinic_median: 484.46, clinic_p90: 1926.13, sample_size: 996, outlier: true },
            outliers: ['check_in_to_certification'],
          },
          created_at: '2026-11-27T10:02:13',
          completed_at: '2026-11-27T10:02:14',
        }),
    });
    const { user } = renderApp('/?study=EXAM001');
    const dialog = await screen.findByRole('dialog', { name: /EXAM001/ });
    await user.click(await within(dialog).findByRole('combobox', { name: 'Analysis type' }));
    await user.click(await screen.findByText('Turnaround review'));
    await user.click(within(dialog).getByRole('button', { name: 'Run analysis' }));
    expect(await within(dialog).findByText('Compared with the clinic’s studies from CT.')).toBeInTheDocument();
    const rows = within(dialog).getAllByRole('row').filter((row) => /→/.test(row.textContent ?? ''));
    expect(rows.map((row) => within(row).getAllByRole('cell').map((c) => c.textContent))).toEqual([
      ['Order → check-in', '15 min', '46 min', '1 h 42 min', '1,045', 'Usual'],
      ['Check-in → report certified', '1 d 13 h', '8 h 04 min', '1 d 8 h', '996', 'Longer than 90% of the clinic’s'],
    ]);
    expect(within(dialog).getByText('Outliers: Check-in → report certified')).toBeInTheDocument();
  });

  it('shows why an analysis failed', async () => {
    server({
      'POST /api/v1/analysis/tasks': () => json({ task_id: 5, exam_id: 'EXAM001', analysis_type: 'lung_nodule_detection', status: 'pending', progress: 0, created_at: '2026-11-27T10:02:13' }, 201),
      'GET /api/v1/analysis/tasks/5': () =>
        json({ task_id: 5, exam_id: 'EXAM001', analysis_type: 'lung_nodule_detection', status: 'failed', progress: 40, results: { error: 'the study has no report findings' }, created_at: '2026-11-27T10:02:13', completed_at: '2026-11-27T10:02:14' }),
    });
    const { user } = renderApp('/?study=EXAM001');
    const dialog = await screen.findByRole('dialog', { name: /EXAM001/ });
    const run = await within(dialog).findByRole('button', { name: 'Run analysis' });
    await waitFor(() => expect(run).toBeEnabled());
    await user.click(run);
    expect(await within(dialog).findByText('The analysis failed: the study has no report findings')).toBeInTheDocument();
  });
});
