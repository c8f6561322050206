import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import type { AnalysisTaskListItem, StudyStatisticsOut } from '@/lib/api-types';
import { FILTERS, STATISTICS } from '@/test/fixtures';
import { json, mockApi, type Handler } from '@/test/mockApi';
import { renderApp } from '@/test/render';
import type { EChartProps } from './EChart';

// jsdom has no canvas: the chart is an image named as the real one, its option kept for a look.
vi.mock('./EChart', () => ({
  default: ({ label, option }: EChartProps) => <div role="img" aria-label={label} data-option={JSON.stringify(option)} />,
}));

function days(from: string, count: number): { date: string; count: number }[] {
  const start = Date.UTC(Number(from.slice(0, 4)), Number(from.slice(5, 7)) - 1, Number(from.slice(8, 10)));
  return Array.from({ length: count }, (_, i) => ({ date: new Date(start + i * 86_400_000).toISOString().slice(0, 10), count: (i % 7) + 1 }));
}

const CLINIC: StudyStatisticsOut = {
  ...STATISTICS,
  total: 5000,
  by_source: [
    { value: 'X-ray', count: 1279 },
    { value: 'CT', count: 1233 },
    { value: null, count: 2488 },
  ],
  by_item: { top: [{ value: 'Chest X-ray', count: 534 }], other: 4466 },
  daily_volume: days('2025-11-01', 30),
  turnaround_minutes: {
    order_to_check_in: { count: 4194, median: 29.38, p90: 97.8, max: 240.0 },
    check_in_to_certification: { count: 3958, median: 477.62, p90: 1760.57, max: 4320.0 },
    order_to_certification: { count: 0, median: null, p90: null, max: null },
  },
  by_physician: [
    { value: null, count: 1042 },
    { value: '王丽华', count: 486 },
  ],
};

const LUNG: AnalysisTaskListItem = {
  task_id: 7,
  exam_id: 'EXAM001',
  patient_name: 'Zhang Wei',
  analysis_type: 'lung_nodule_detection',
  status: 'completed',
  progress: 100,
  results: {
    nodules_found: 1,
    confidence: 1.0,
    details: [{ report_id: 'RPT001', sentence: 'A 6 mm solid nodule in the right upper lobe', size_mm: 6.0, count: 1 }],
    largest_size_mm: 6.0,
    recommendation: { guideline: 'Fleischner Society 2017', category: '6-8 mm' },
    reports_read: 1,
  },
  created_at: '2025-11-06T15:00:00',
  completed_at: '2025-11-06T15:00:01.250000',
};

const FAILED: AnalysisTaskListItem = {
  task_id: 8,
  exam_id: 'EXAM002',
  patient_name: '李娜',
  analysis_type: 'turnaround_review',
  status: 'failed',
  progress: 40,
  results: { error: 'interrupted' },
  created_at: '2025-11-07T12:00:00',
  completed_at: '2025-11-07T12:05:00',
};

const TASK_STATISTICS = { total_tasks: 2, completed_tasks: 1, running_tasks: 0, failed_tasks: 1, average_duration_seconds: 1.0, success_rate: 0.5 };

function taskPage(data: AnalysisTaskListItem[], total = data.length, page = 1) {
  return { data, total, page, page_size: 10, filters: { statuses: ['pending', 'running', 'completed', 'failed'] } };
}

function serverWith(handlers: Record<string, Handler> = {}) {
  return mockApi({
    'GET /api/v1/studies/statistics': () => json(CLINIC),
    'GET /api/v1/studies/filters/options': () => json(FILTERS),
    'GET /api/v1/analysis/tasks': () => json(taskPage([FAILED, LUNG])),
    'GET /api/v1/analysis/statistics': () => json(TASK_STATISTICS),
    ...handlers,
  });
}

const cellsOf = (table: HTMLElement) =>
  within(table)
    .getAllByRole('row')
    .slice(1)
    .map((row) => within(row).getAllByRole('cell').map((cell) => cell.textContent));

describe('the Analysis screen', () => {
  it('shows the clinic statistics: the totals, the turnaround, and each chart with its table', async () => {
    serverWith();
    renderApp('/analysis');
    const region = await screen.findByRole('region', { name: 'Clinic statistics' });
    expect(within(region).getByRole('heading', { name: 'Clinic statistics' })).toBeInTheDocument();
    expect(await within(region).findByText('5,000 studies')).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Analysis' })).toHaveAttribute('aria-current', 'page');

    expect(cellsOf(screen.getByRole('table', { name: 'By source' }))).toEqual([
      ['X-ray', '1,279', '25.6%'],
      ['CT', '1,233', '24.7%'],
      ['(none)', '2,488', '49.8%'],
    ]);
    expect(cellsOf(screen.getByRole('table', { name: 'By item (20 largest and the rest)' }))).toEqual([
      ['Chest X-ray', '534', '10.7%'],
      ['All other items', '4,466', '89.3%'],
    ]);
    expect(cellsOf(screen.getByRole('table', { name: 'By gender' }))).toEqual([
      ['Female', '1', '0%'],
      ['Male', '1', '0%'],
      ['(none)', '1', '0%'],
    ]);
    expect(cellsOf(screen.getByRole('table', { name: 'By age band' }))[4]).toEqual(['Unknown age', '1', '0%']);
    expect(cellsOf(screen.getByRole('table', { name: 'Certifying physicians' }))).toEqual([
      ['(none)', '1,042', '20.8%'],
      ['王丽华', '486', '9.7%'],
    ]);
    expect(cellsOf(screen.getByRole('table', { name: 'Turnaround' }))).toEqual([
      ['Order → check-in', '4,194', '29 min', '1 h 38 min', '4 h 00 min'],
      ['Check-in → report certified', '3,958', '7 h 58 min', '1 d 5 h', '3 d 0 h'],
      ['Order → report certified', '0', '–', '–', '–'],
    ]);
    // The headline numbers.
    expect(within(region).getAllByText('29 min').length).toBeGreaterThan(1);
    expect(within(region).getByText('median; 90% within 1 h 38 min')).toBeInTheDocument();
    expect(within(region).getByText('no study has both times')).toBeInTheDocument();

    // Every chart is named and points to its table; its tooltips hold the same numbers.
    const chart = await screen.findByRole('img', { name: 'Chart: By source. Its numbers are in the table “By source”.' });
    const option = JSON.parse(chart.getAttribute('data-option')!);
    expect(option.yAxis.data).toEqual(['X-ray', 'CT', '(none)']);
    expect(option.series[0].data).toEqual([1279, 1233, 2488]);
    expect(screen.getAllByRole('img', { name: /^Chart:/ })).toHaveLength(8);
  });

  it('groups the volume by day, week or month, newest first in its table', async () => {
    serverWith();
    const { user } = renderApp('/analysis');
    const byDay = await screen.findByRole('table', { name: 'Volume by day' });
    expect(cellsOf(byDay)[0]).toEqual(['2025-11-30', '2']);
    expect(screen.getByText(/3.8 a day on average · Busiest day: 2025-11-07 \(7\)/)).toBeInTheDocument();
    await user.click(screen.getByRole('radio', { name: 'Week' }).closest('label')!);
    const byWeek = await screen.findByRole('table', { name: 'Volume by week' });
    expect(cellsOf(byWeek)[0]).toEqual(['Week of 2025-11-24', '28']);
    await user.click(screen.getByRole('radio', { name: 'Month' }).closest('label')!);
    expect(cellsOf(await screen.findByRole('table', { name: 'Volume by month' }))).toEqual([['2025-11', '115']]);
  });

  it('keeps the filters in the URL with the studies search’s names, and links to those studies', async () => {
    const server = serverWith();
    const { user, location } = renderApp('/analysis?exam_source=CT&date_from=2025-11-01&date_to=2025-11-30');
    await screen.findByText('5,000 studies');
    expect(server.calls('GET', '/api/v1/studies/statistics')[0].params.toString()).toBe('exam_source=CT&date_from=2025-11-01&date_to=2025-11-30');
    expect(screen.getByRole('group', { name: 'Filters for the clinic statistics' })).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Show these studies' })).toHaveAttribute('href', '/studies?exam_source=CT&date_from=2025-11-01&date_to=2025-11-30');

    await user.click(screen.getByRole('combobox', { name: 'Source' }));
    await user.click(await screen.findByRole('option', { name: /MRI/ }));
    await waitFor(() => expect(location()).toBe('/analysis?exam_source=CT&exam_source=MRI&date_from=2025-11-01&date_to=2025-11-30'));
    await waitFor(() => expect(server.calls('GET', '/api/v1/studies/statistics').at(-1)!.params.getAll('exam_source')).toEqual(['CT', 'MRI']));

    await user.type(screen.getByRole('searchbox', { name: 'Filter studies by text' }), 'chest{Enter}');
    await waitFor(() => expect(location()).toBe('/analysis?q=chest&exam_source=CT&exam_source=MRI&date_from=2025-11-01&date_to=2025-11-30'));
    await user.click(within(screen.getByRole('group', { name: 'Filters for the clinic statistics' })).getByRole('button', { name: 'Clear filters' }));
    await waitFor(() => expect(location()).toBe('/analysis'));
  });

  it('offers the date presets of the Studies screen', async () => {
    serverWith();
    const { user, location } = renderApp('/analysis');
    await screen.findByText('5,000 studies');
    await user.click(screen.getByPlaceholderText('From date'));
    await user.click(await screen.findByText('Last 7 days'));
    await waitFor(() => expect(location()).toMatch(/^\/analysis\?date_from=\d{4}-\d{2}-\d{2}&date_to=\d{4}-\d{2}-\d{2}$/));
  });

  it('says when no study matches, and when none is stored', async () => {
    serverWith({ 'GET /api/v1/studies/statistics': (request) => json({ ...CLINIC, total: 0, daily_volume: [], by_source: [], ...(request.params.get('q') ? {} : {}) }) });
    const { user, location } = renderApp('/analysis?q=nobody');
    expect(await screen.findByText('No studies match these filters')).toBeInTheDocument();
    const empty = screen.getByText('No studies match these filters').closest('.ant-empty') as HTMLElement;
    await user.click(within(empty).getByRole('button', { name: 'Clear filters' }));
    await waitFor(() => expect(location()).toBe('/analysis'));
    expect(await screen.findByText('No studies are stored yet')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Go to Import' })).toBeInTheDocument();
  });

  it('says why the statistics could not be loaded', async () => {
    serverWith({ 'GET /api/v1/studies/statistics': () => json({ detail: 'Invalid parameter: the date range spans more than 100 years' }, 400) });
    renderApp('/analysis?date_from=1800-01-01');
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('The statistics could not be loaded');
    expect(alert).toHaveTextContent('Invalid parameter: the date range spans more than 100 years');
    expect(within(alert).getByRole('button', { name: 'Clear filters' })).toBeInTheDocument();
  });

  it('lists the analysis tasks with their results in a few words, and the task statistics', async () => {
    serverWith();
    renderApp('/analysis');
    const table = await screen.findByRole('table', { name: 'Analysis tasks' });
    await within(table).findByText('EXAM001');
    expect(cellsOf(table).map((cells) => cells.slice(0, 2))).toEqual([
      ['#8 Turnaround reviewEXAM002 · 李娜2025-11-07 12:00', 'FailedFailed: interrupted'],
      ['#7 Lung nodules in the report textEXAM001 · Zhang Wei2025-11-06 15:00', 'Done1 nodule sentence · largest 6 mm'],
    ]);
    expect(within(table).getByRole('link', { name: 'Open study EXAM001' })).toHaveAttribute('href', '/studies?study=EXAM001');
    const stats = screen.getByRole('region', { name: 'Task statistics' });
    const pairs = [...stats.querySelectorAll('.task-stat')].map((node) => [node.querySelector('dt')!.textContent, node.querySelector('dd')!.textContent]);
    expect(pairs).toEqual([
      ['Tasks', '2'],
      ['Done', '1'],
      ['Running', '0'],
      ['Failed', '1'],
      ['Average time', '1 s'],
      ['Success rate', '50%'],
    ]);
    expect(screen.getByText('2 tasks')).toBeInTheDocument();
  });

  it('shows a running task’s progress live, and stops asking once none runs', async () => {
    const running = { ...LUNG, status: 'running' as const, progress: 40, results: null, completed_at: null };
    let done = false;
    const server = serverWith({ 'GET /api/v1/analysis/tasks': () => json(taskPage([done ? LUNG : running])) });
    renderApp('/analysis');
    const bar = await screen.findByRole('progressbar', { name: 'Lung nodules in the report text · task 7' });
    expect(bar).toHaveAttribute('aria-valuenow', '40');
    expect(screen.getByText('Live: updating while a task runs')).toBeInTheDocument();
    done = true;
    expect(await screen.findByText('1 nodule sentence · largest 6 mm', {}, { timeout: 3000 })).toBeInTheDocument();
    expect(screen.queryByRole('progressbar')).not.toBeInTheDocument();
    const calls = server.calls('GET', '/api/v1/analysis/tasks').length;
    await new Promise((resolve) => setTimeout(resolve, 1300));
    expect(server.calls('GET', '/api/v1/analysis/tasks').length).toBe(calls);
  });

  it('shows a task’s result in full', async () => {
    serverWith();
    const { user } = renderApp('/analysis');
    await user.click(await screen.findByRole('button', { name: 'Show the result of task 7' }));
    const dialog = await screen.findByRole('dialog', { name: 'Task 7 · Lung nodules in the report text' });
    expect(within(dialog).getByText('A 6 mm solid nodule in the right upper lobe')).toBeInTheDocument();
    expect(within(dialog).getAllByText('6 mm').length).toBeGreaterThan(0);
    expect(within(dialog).getByText('Follow-up: Fleischner Society 2017, 6-8 mm')).toBeInTheDocument();
    expect(within(dialog).getByText('1.3 s')).toBeInTheDocument();
  });

  it('deletes a task after a confirmation, and cancels a running one', async () => {
    const running = { ...LUNG, task_id: 9, status: 'running' as const, progress: 10, results: null, completed_at: null };
    let tasks = [running, FAILED, LUNG];
    const server = serverWith({
      'GET /api/v1/analysis/tasks': () => json(taskPage(tasks)),
      'DELETE /api/v1/analysis/tasks/:id': (request) => {
        const id = Number(request.path.split('/').at(-1));
        tasks = tasks.filter((task) => task.task_id !== id);
        return { status: 204 };
      },
    });
    const { user } = renderApp('/analysis');
    await user.click(await screen.findByRole('button', { name: 'Delete task 8' }));
    const confirm = await screen.findByRole('dialog', { name: 'Delete task 8?' });
    await user.click(within(confirm).getByRole('button', { name: 'Keep it' }));
    expect(server.calls('DELETE', '/api/v1/analysis/tasks/8')).toHaveLength(0);
    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());

    await user.click(screen.getByRole('button', { name: 'Delete task 8' }));
    await user.click(within(await screen.findByRole('dialog', { name: 'Delete task 8?' })).getByRole('button', { name: 'Delete' }));
    expect(await screen.findByText('Task 8 was deleted.')).toBeInTheDocument();
    await waitFor(() => expect(screen.queryByRole('button', { name: 'Delete task 8' })).not.toBeInTheDocument());

    await user.click(screen.getByRole('button', { name: 'Cancel task 9' }));
    const stop = await screen.findByRole('dialog', { name: 'Cancel task 9?' });
    expect(stop).toHaveTextContent('It stops at its next step, and its record is deleted.');
    await user.click(within(stop).getByRole('button', { name: 'Stop and delete' }));
    await waitFor(() => expect(screen.queryByRole('button', { name: 'Cancel task 9' })).not.toBeInTheDocument());
    expect(server.calls('DELETE', '/api/v1/analysis/tasks/9')).toHaveLength(1);
    expect(server.calls('GET', '/api/v1/analysis/statistics').length).toBeGreaterThan(1);
  }, 60_000); // two confirmations while a task polls: about 18 s in jsdom on a 2-core machine

  it('filters the tasks by status and says when none is there', async () => {
    const server = serverWith({
      'GET /api/v1/analysis/tasks': (request) => json(request.params.get('status') ? taskPage([]) : taskPage([])),
    });
    const { user } = renderApp('/analysis');
    expect(await screen.findByText('No analysis tasks yet')).toBeInTheDocument();
    await user.click(screen.getByRole('combobox', { name: 'Task status' }));
    // antd's accessible list holds only the options near the active one; click the shown item.
    await user.click(await screen.findByTitle('Failed'));
    expect(await screen.findByText('No task has this status.')).toBeInTheDocument();
    expect(server.calls('GET', '/api/v1/analysis/tasks').at(-1)!.params.toString()).toBe('status=failed&page=1&page_size=10');
  });
});
