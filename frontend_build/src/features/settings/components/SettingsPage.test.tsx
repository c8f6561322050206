import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { i18n } from '@/lib/i18n';
import { json, mockApi, type Handler } from '@/test/mockApi';
import { renderApp } from '@/test/render';
import type { DatabaseOut, DatabaseSettingsOut, DatabaseTestOut } from '../api/database';

const FILE = '/home/clinic/.local/share/ImagingDesk/db.sqlite3';
const LOCAL: DatabaseOut = { vendor: 'sqlite', file: FILE, host: null, port: null, name: null, user: null };
const SHARED: DatabaseOut = { vendor: 'postgresql', file: null, host: 'db.clinic.local', port: 5432, name: 'imaging', user: 'desk' };

function settings(patch: Partial<DatabaseSettingsOut> = {}): DatabaseSettingsOut {
  return { in_use: LOCAL, source: 'default', can_change: true, next_start: LOCAL, next_start_source: 'default', restart_needed: false, ...patch };
}

function tested(patch: Partial<DatabaseTestOut> = {}): DatabaseTestOut {
  return { ok: true, problem: null, message: 'PostgreSQL at db.clinic.local:5432 answers', database: SHARED, set_up: false, has_data: false, studies: null, ...patch };
}

function settingsServer(current: DatabaseSettingsOut = settings(), extra: Record<string, Handler> = {}) {
  return mockApi({ 'GET /api/v1/settings/database': () => json(current), ...extra });
}

async function fillIn(user: ReturnType<typeof renderApp>['user'], fields: Record<string, string>) {
  for (const [name, value] of Object.entries(fields)) {
    const box = name === 'Password' ? screen.getByLabelText('Password') : screen.getByRole('textbox', { name });
    await user.clear(box);
    if (value) await user.type(box, value);
  }
}

const FIELDS = { Server: 'db.clinic.local', Port: '5432', 'Database name': 'imaging', User: 'desk', Password: 'pw-secret' };
const BODY = { host: 'db.clinic.local', port: 5432, database: 'imaging', user: 'desk', password: 'pw-secret' };

describe('the Settings screen', () => {
  it('shows the database in use and where it comes from, every field named', async () => {
    const { user, location } = (settingsServer(), renderApp('/'));
    await user.click(screen.getByRole('link', { name: 'Settings' }));
    await waitFor(() => expect(location()).toBe('/settings'));
    expect(await screen.findByRole('heading', { name: 'Settings', level: 1 })).toBeInTheDocument();
    expect(await screen.findByText(FILE)).toBeInTheDocument();
    expect(screen.getByText('This PC’s own database')).toBeInTheDocument();
    expect(screen.getByText('The database in the data folder of this PC.')).toBeInTheDocument();
    for (const name of ['Server', 'Port', 'Database name', 'User']) expect(screen.getByRole('textbox', { name })).toBeInTheDocument();
    expect(screen.getByLabelText('Password')).toHaveAttribute('type', 'password');
    expect(screen.getByRole('textbox', { name: 'Port' })).toHaveValue('5432');
    expect(screen.getByRole('button', { name: 'Test connection' })).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Save and restart' })).toBeInTheDocument();
    // This PC's own database is the one in use: nothing to go back to.
    expect(screen.queryByRole('button', { name: "Use this PC's database" })).not.toBeInTheDocument();
  });

  it('tests the connection and says what is wrong in words, with Enter from a field', async () => {
    const server = settingsServer(settings(), {
      'POST /api/v1/settings/database/test': () =>
        json(tested({ ok: false, problem: 'unreachable', message: 'PostgreSQL at db.clinic.local:5432 cannot be reached: check that' })),
    });
    const { user } = renderApp('/settings');
    await screen.findByText(FILE);
    await fillIn(user, FIELDS);
    await user.type(screen.getByRole('textbox', { name: 'User' }), '{Enter}');
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('This database cannot be used');
    expect(alert).toHaveTextContent('The server db.clinic.local:5432 cannot be reached. Check that it runs');
    expect(server.calls('POST', '/api/v1/settings/database/test')[0].body).toEqual(BODY);
  });

  it.each([
    ['password', 'The server refused the password of the user desk. Check the password.'],
    ['no_database', 'The server db.clinic.local:5432 has no database imaging. Create it, or correct the name.'],
    ['no_create', 'The user desk may not create the tables Imaging Desk needs in the database imaging.'],
  ])('names the failure %s', async (problem, words) => {
    settingsServer(settings(), { 'POST /api/v1/settings/database/test': () => json(tested({ ok: false, problem, message: 'English words' })) });
    const { user } = renderApp('/settings');
    await screen.findByText(FILE);
    await fillIn(user, FIELDS);
    await user.click(screen.getByRole('button', { name: 'Test connection' }));
    expect(await screen.findByRole('alert')).toHaveTextContent(words);
  });

  it('says how many studies a database already holds', async () => {
    settingsServer(settings(), { 'POST /api/v1/settings/database/test': () => json(tested({ set_up: true, has_data: true, studies: 120512 })) });
    const { user } = renderApp('/settings');
    await screen.findByText(FILE);
    await fillIn(user, FIELDS);
    await user.click(screen.getByRole('button', { name: 'Test connection' }));
    const status = await screen.findByText(/holds Imaging Desk data/);
    expect(status).toHaveTextContent('The database imaging on db.clinic.local:5432 holds Imaging Desk data: 120,512 studies.');
  });

  it('asks for the server and the database name before it tries', async () => {
    const server = settingsServer();
    const { user } = renderApp('/settings');
    await screen.findByText(FILE);
    await user.click(screen.getByRole('button', { name: 'Test connection' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('Fill in the server and the database name.');
    await fillIn(user, { Server: 'db', 'Database name': 'x', Port: '99999' });
    await user.click(screen.getByRole('button', { name: 'Test connection' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('The port must be a number from 1 to 65535.');
    expect(server.calls('POST', '/api/v1/settings/database/test')).toHaveLength(0);
  });

  it('saves in a browser and asks to restart Imaging Desk', async () => {
    const server = settingsServer(settings(), {
      'POST /api/v1/settings/database/test': () => json(tested()),
      'PUT /api/v1/settings/database': () => json(settings({ next_start: SHARED, next_start_source: 'settings.json', restart_needed: true })),
    });
    const { user } = renderApp('/settings');
    await screen.findByText(FILE);
    await fillIn(user, FIELDS);
    await user.click(screen.getByRole('button', { name: 'Save and restart' }));
    expect(await screen.findByText('Saved. Restart Imaging Desk to use it')).toBeInTheDocument();
    expect(screen.getByText('Stop imaging-desk serve and start it again: it then uses the PostgreSQL database imaging on db.clinic.local:5432.')).toBeInTheDocument();
    expect(screen.getByText(/^From the next start, Imaging Desk uses the PostgreSQL database imaging on db\.clinic\.local:5432\. Restart Imaging Desk to use it: stop imaging-desk serve/)).toBeInTheDocument();
    expect(server.calls('PUT', '/api/v1/settings/database')[0].body).toEqual(BODY);
  });

  it('does not save a database its test refuses', async () => {
    const server = settingsServer(settings(), {
      'POST /api/v1/settings/database/test': () => json(tested({ ok: false, problem: 'no_user', message: 'no user' })),
    });
    const { user } = renderApp('/settings');
    await screen.findByText(FILE);
    await fillIn(user, FIELDS);
    await user.click(screen.getByRole('button', { name: 'Save and restart' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('The server db.clinic.local:5432 has no user desk.');
    expect(server.calls('PUT', '/api/v1/settings/database')).toHaveLength(0);
  });

  it('in the window, saves and has the window restart on the new database', async () => {
    let restarts = 0;
    window.pywebview = { api: { restart_on_saved_database: async () => ((restarts += 1), { ok: true }) } };
    try {
      settingsServer(settings(), {
        'POST /api/v1/settings/database/test': () => json(tested()),
        'PUT /api/v1/settings/database': () => json(settings({ next_start: SHARED, restart_needed: true })),
      });
      const { user } = renderApp('/settings');
      await screen.findByText(FILE);
      await fillIn(user, FIELDS);
      await user.click(screen.getByRole('button', { name: 'Save and restart' }));
      expect(await screen.findByText('Restarting Imaging Desk on the PostgreSQL database imaging on db.clinic.local:5432…')).toBeInTheDocument();
      expect(restarts).toBe(1);
      expect(screen.queryByText('Saved. Restart Imaging Desk to use it')).not.toBeInTheDocument();
    } finally {
      delete window.pywebview;
    }
  });

  it('goes back to this PC’s own database', async () => {
    const current = settings({ in_use: SHARED, source: 'settings.json', next_start: SHARED, next_start_source: 'settings.json' });
    const server = settingsServer(current, { 'DELETE /api/v1/settings/database': () => json(settings({ in_use: SHARED, restart_needed: true })) });
    const { user } = renderApp('/settings');
    const facts = await screen.findByText('PostgreSQL, shared with other PCs');
    expect(within(facts.closest('dl')!).getByText('db.clinic.local:5432')).toBeInTheDocument();
    expect(screen.getByText('Chosen on this screen, and kept in settings.json in the data folder.')).toBeInTheDocument();
    // The fields start from the database in use, without its password.
    expect(screen.getByRole('textbox', { name: 'Server' })).toHaveValue('db.clinic.local');
    expect(screen.getByLabelText('Password')).toHaveValue('');
    await user.click(screen.getByRole('button', { name: "Use this PC's database" }));
    expect(await screen.findByText('Stop imaging-desk serve and start it again: it then uses this PC’s own database.')).toBeInTheDocument();
    expect(server.calls('DELETE', '/api/v1/settings/database')).toHaveLength(1);
  });

  it('cannot change a database the environment sets, and says so', async () => {
    settingsServer(settings({ in_use: SHARED, source: 'environment', can_change: false, next_start: SHARED, next_start_source: 'environment' }));
    renderApp('/settings');
    expect(await screen.findByText(/Set on this PC by IMAGING_DESK_DATABASE_URL/)).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Save and restart' })).not.toBeInTheDocument();
    expect(screen.queryByRole('textbox', { name: 'Server' })).not.toBeInTheDocument();
  });

  it('speaks Traditional Chinese', async () => {
    settingsServer(settings(), { 'POST /api/v1/settings/database/test': () => json(tested({ ok: false, problem: 'unreachable' })) });
    await i18n.changeLanguage('zh-TW');
    const { user } = renderApp('/settings');
    expect(await screen.findByRole('heading', { name: '設定', level: 1 })).toBeInTheDocument();
    expect(screen.getByRole('link', { name: '設定' })).toBeInTheDocument();
    await screen.findByRole('textbox', { name: '伺服器' });
    for (const name of ['伺服器', '連接埠', '資料庫名稱', '使用者']) expect(screen.getByRole('textbox', { name })).toBeInTheDocument();
    expect(screen.getByLabelText('密碼')).toHaveAttribute('type', 'password');
    await user.type(screen.getByRole('textbox', { name: '伺服器' }), 'db.clinic.local');
    await user.type(screen.getByRole('textbox', { name: '資料庫名稱' }), 'imaging');
    await user.click(screen.getByRole('button', { name: '測試連線' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('無法連上伺服器 db.clinic.local:5432');
    expect(screen.getByRole('button', { name: '儲存並重新啟動' })).toBeInTheDocument();
  });
});
