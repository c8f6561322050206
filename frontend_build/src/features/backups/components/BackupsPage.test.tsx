import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { i18n } from '@/lib/i18n';
import { json, mockApi, type Handler } from '@/test/mockApi';
import { renderApp } from '@/test/render';
import type { BackupInfoOut, BackupJobOut } from '../api/backups';
import { formatBytes } from './BackupsPage';

const FOLDER = '/home/clinic/.local/share/ImagingDesk/backups';

function backup(name: string, patch: Partial<BackupInfoOut> = {}): BackupInfoOut {
  return {
    name,
    path: `${FOLDER}/${name}`,
    kind: 'daily',
    created_at: '2026-11-30T02:00:00',
    size_bytes: 48_234_496,
    studies: 3000,
    reports: 2950,
    verified: true,
    integrity: 'ok',
    ...patch,
  };
}

const LISTED = [
  backup('imaging-desk-20261130-120501-manual.sqlite3', { kind: 'manual', created_at: '2026-11-30T12:05:01.5', size_bytes: 1536 }),
  backup('imaging-desk-20261130-020000-daily.sqlite3'),
  backup('imaging-desk-20261129-170000-after-import.sqlite3', {
    kind: 'after-import', created_at: '2026-11-29T17:00:00', verified: false, integrity: 'The file is damaged: database disk image is malformed',
  }),
];

function backupsServer(list: BackupInfoOut[] = LISTED, extra: Record<string, Handler> = {}) {
  return mockApi({ 'GET /api/v1/backups': () => json({ folder: FOLDER, backups: list }), ...extra });
}

const table = () => screen.getByRole('table', { name: 'Backups' });
const bodyRows = () => within(table()).getAllByRole('row').slice(1);

describe('the Backups screen', () => {
  it('shows the folder and every backup with its time, kind, size, counts and check', async () => {
    const { user, location } = (backupsServer(), renderApp('/'));
    await user.click(screen.getByRole('link', { name: 'Backups' }));
    await waitFor(() => expect(location()).toBe('/backups'));
    expect(await screen.findByText(FOLDER)).toBeInTheDocument();
    await waitFor(() => expect(bodyRows()).toHaveLength(3));
    expect(bodyRows().map((row) => within(row).getAllByRole('cell').map((cell) => cell.textContent))).toEqual([
      ['2026-11-30 12:05:01', 'Manual', 'imaging-desk-20261130-120501-manual.sqlite3', '1.5 KB', '3,000', '2,950', 'Verified'],
      ['2026-11-30 02:00:00', 'Daily', 'imaging-desk-20261130-020000-daily.sqlite3', '46 MB', '3,000', '2,950', 'Verified'],
      ['2026-11-29 17:00:00', 'After an import', 'imaging-desk-20261129-170000-after-import.sqlite3', '46 MB', '3,000', '2,950',
        'Not verifiedThe file is damaged: database disk image is malformed'],
    ]);
    // Outside the desktop window there is no folder to open.
    expect(screen.queryByRole('button', { name: 'Open backups folder' })).not.toBeInTheDocument();
  });

  it('shows a PostgreSQL dump, which has no counts, with dashes', async () => {
    backupsServer([backup('imaging-desk-20261201-020000-daily.dump', { studies: null, reports: null })]);
    renderApp('/backups');
    await screen.findByText('imaging-desk-20261201-020000-daily.dump');
    const cells = within(bodyRows()[0]).getAllByRole('cell').map((cell) => cell.textContent);
    expect(cells.slice(4, 6)).toEqual(['—', '—']);
  });

  it('says in words when there is no backup yet', async () => {
    backupsServer([]);
    renderApp('/backups');
    expect(await screen.findByText('No backups yet')).toBeInTheDocument();
    expect(screen.getByText(/Choose Back up now to take the first one/)).toBeInTheDocument();
  });

  it('backs up now: the job’s progress, then what it wrote, and the list read afresh', async () => {
    let polls = 0;
    const made = backup('imaging-desk-20261201-100000-manual.sqlite3', { kind: 'manual', created_at: '2026-12-01T10:00:00', studies: 3001 });
    const listed: BackupInfoOut[] = [...LISTED];
    const server = backupsServer(listed, {
      'POST /api/v1/backups': () => json({ job_id: 7, status: 'running' }, 202),
      'GET /api/v1/backups/jobs/:id': (): ReturnType<Handler> => {
        polls += 1;
        if (polls < 3) return json({ job_id: 7, status: 'running', progress: 40, backup: null, error: null } satisfies BackupJobOut);
        listed.unshift(made);
        return json({ job_id: 7, status: 'done', progress: 100, backup: made, error: null } satisfies BackupJobOut);
      },
    });
    const { user } = renderApp('/backups');
    await waitFor(() => expect(bodyRows()).toHaveLength(3));
    await user.click(screen.getByRole('button', { name: 'Back up now' }));
    expect(await screen.findByRole('progressbar', { name: 'Backup progress' })).toBeInTheDocument();
    expect(await screen.findByText('Backed up: imaging-desk-20261201-100000-manual.sqlite3')).toBeInTheDocument();
    expect(screen.getByText(`3,001 studies and 2,950 reports, 46 MB, checked. Saved as ${made.path}`)).toBeInTheDocument();
    expect(screen.queryByRole('progressbar', { name: 'Backup progress' })).not.toBeInTheDocument();
    expect(server.calls('POST', '/api/v1/backups')[0].body).toEqual({ to: null });
    await waitFor(() => expect(bodyRows()).toHaveLength(4));
    expect(within(bodyRows()[0]).getByText(made.name)).toBeInTheDocument();
  });

  it('shows the job the window’s File › Back up now… started (?job=N)', async () => {
    const made = backup('imaging-desk-20261201-100000-manual.sqlite3', { kind: 'manual' });
    backupsServer(LISTED, { 'GET /api/v1/backups/jobs/:id': () => json({ job_id: 9, status: 'done', progress: 100, backup: made, error: null }) });
    renderApp('/backups?job=9');
    expect(await screen.findByText('Backed up: imaging-desk-20261201-100000-manual.sqlite3')).toBeInTheDocument();
  });

  it('tells a failed backup in words', async () => {
    backupsServer(LISTED, {
      'POST /api/v1/backups': () => json({ job_id: 8, status: 'running' }, 202),
      'GET /api/v1/backups/jobs/:id': () =>
        json({ job_id: 8, status: 'failed', progress: 30, backup: null, error: 'No space left on the drive of /mnt/usb: the backup was not written.' }),
    });
    const { user } = renderApp('/backups');
    await user.click(await screen.findByRole('button', { name: 'Back up now' }));
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('The backup failed; the database is unchanged');
    expect(alert).toHaveTextContent('No space left on the drive of /mnt/usb: the backup was not written.');
    expect(screen.getByRole('button', { name: 'Back up now' })).toBeEnabled();
  });

  it('tells why a backup could not start', async () => {
    backupsServer(LISTED, {
      'POST /api/v1/backups': () => json({ detail: 'A backup is already running; wait for it to finish.' }, 409),
    });
    const { user } = renderApp('/backups');
    await user.click(await screen.findByRole('button', { name: 'Back up now' }));
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('The backup could not start');
    expect(alert).toHaveTextContent('A backup is already running; wait for it to finish.');
  });

  it('opens the backups folder through the desktop window', async () => {
    backupsServer();
    let opened = 0;
    window.pywebview = { api: { open_backups_folder: async () => (opened += 1, FOLDER) } };
    try {
      const { user } = renderApp('/backups');
      await user.click(await screen.findByRole('button', { name: 'Open backups folder' }));
      await waitFor(() => expect(opened).toBe(1));
    } finally {
      delete window.pywebview;
    }
  });

  it('speaks Traditional Chinese', async () => {
    backupsServer();
    await i18n.changeLanguage('zh-TW');
    renderApp('/backups');
    expect(await screen.findByRole('heading', { name: '備份', level: 1 })).toBeInTheDocument();
    expect(screen.getByRole('link', { name: '備份' })).toBeInTheDocument();
    expect(screen.getByRole('button', { name: '立即備份' })).toBeInTheDocument();
    const zhTable = screen.getByRole('table', { name: '備份' });
    await waitFor(() => expect(within(zhTable).getByText('匯入後')).toBeInTheDocument());
    expect(within(zhTable).getAllByText('已驗證')).toHaveLength(2);
    expect(within(zhTable).getByText('未通過驗證')).toBeInTheDocument();
  });

  it('gives sizes in B, KB, MB and GB', () => {
    expect([0, 1023, 1536, 48_234_496, 5 * 1024 ** 3].map((n) => formatBytes(n))).toEqual(['0 B', '1,023 B', '1.5 KB', '46 MB', '5 GB']);
  });
});
