import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { CONTRACT_STUDIES, FILTERS, FULL_EXAM001, STATISTICS, searchPage, study } from '@/test/fixtures';
import { json, mockApi } from '@/test/mockApi';
import { renderApp } from '@/test/render';

function server(total = 3) {
  return mockApi({
    'GET /api/v1/health': () => json({ status: 'ok', version: '0.1.0', database: 'sqlite', studies: total, linked_source: null }),
    'GET /api/v1/studies/filters/options': () => json(FILTERS),
    'GET /api/v1/studies/statistics': () => json(STATISTICS),
    'GET /api/v1/studies/search': (request) => {
      const page = Number(request.params.get('page'));
      return json(total === 3 ? searchPage(CONTRACT_STUDIES, 3) : searchPage([study(page * 10 + 1), study(page * 10 + 2)], total, page, 2));
    },
    'GET /api/v1/studies/:id/full': (request) => json({ ...FULL_EXAM001, exam_id: decodeURIComponent(request.path.split('/')[4]) }),
    'GET /api/v1/studies/:id/related': () => json({ data: [], total: 0, page: 1, page_size: 20, matched_by: 'medical_record_no' }),
    'GET /api/v1/analysis/options': () => json({ analysis_types: [] }),
  });
}

const selectedRow = () => document.querySelector('tr[aria-selected="true"]');

describe('the keyboard path', () => {
  it('/ focuses the search; ↓ ↑ move the selected row; Enter opens it; Esc closes it', async () => {
    server();
    const { user, location } = renderApp('/');
    await screen.findByText('3 studies');

    await user.keyboard('/');
    const box = screen.getByRole('searchbox', { name: 'Search studies' });
    expect(box).toHaveFocus();
    // Typing / in the box is text, not the shortcut.
    await user.keyboard('/');
    expect(box).toHaveValue('/');
    await user.clear(box);

    // ↓ from the box goes to the rows.
    await user.keyboard('{ArrowDown}');
    expect(selectedRow()).toHaveTextContent('EXAM002');
    await user.keyboard('{ArrowDown}{ArrowDown}');
    expect(selectedRow()).toHaveTextContent('EXAM003');
    await user.keyboard('{ArrowDown}'); // the last row stays selected
    expect(selectedRow()).toHaveTextContent('EXAM003');
    await user.keyboard('{ArrowUp}');
    expect(selectedRow()).toHaveTextContent('EXAM001');

    await user.keyboard('{Enter}');
    const dialog = await screen.findByRole('dialog', { name: /EXAM001/ });
    await waitFor(() => expect(location()).toBe('/?study=EXAM001'));
    await within(dialog).findByText('MR-0001');

    await user.keyboard('{Escape}');
    await waitFor(() => expect(location()).toBe('/'));
    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
    // The selection stays, so ↓ goes on from there.
    await user.keyboard('{ArrowDown}');
    expect(selectedRow()).toHaveTextContent('EXAM003');
  });

  it('turns the page when ↓ passes the last row', async () => {
    server(10);
    const { user, location } = renderApp('/?page_size=2');
    await screen.findByText('10 studies');
    await user.click(document.body);
    await user.keyboard('{ArrowDown}{ArrowDown}');
    expect(selectedRow()).toHaveTextContent(study(12).exam_id);
    await user.keyboard('{ArrowDown}');
    await waitFor(() => expect(location()).toBe('/?page=2&page_size=2'));
    await waitFor(() => expect(selectedRow()).toHaveTextContent(study(21).exam_id));
    await user.keyboard('{ArrowUp}');
    await waitFor(() => expect(location()).toBe('/?page_size=2'));
    await waitFor(() => expect(selectedRow()).toHaveTextContent(study(12).exam_id));
  });
});
