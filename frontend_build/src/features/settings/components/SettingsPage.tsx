import { ApiOutlined, DatabaseOutlined, SaveOutlined } from '@ant-design/icons';
import { Alert, Button, Input, Typography } from 'antd';
import { useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorAlert, useErrorText } from '@/components/ErrorAlert';
import { formatNumber } from '@/lib/format';
import {
  useChooseDatabase,
  useDatabaseSettings,
  useTestDatabase,
  type DatabaseConnectIn,
  type DatabaseOut,
  type DatabaseTestOut,
} from '../api/database';
import '../settings.css';

const PROBLEMS = ['unreachable', 'password', 'no_database', 'no_user', 'no_create', 'too_new', 'other'] as const;
type Problem = (typeof PROBLEMS)[number];
const DEFAULT_PORT = 5432;

interface Fields {
  host: string;
  port: string;
  database: string;
  user: string;
  password: string;
}

/** The window's restart, when the page runs in the desktop window (its bridge). */
function useRestartInWindow() {
  const find = () => {
    const restart = typeof window === 'undefined' ? undefined : window.pywebview?.api?.restart_on_saved_database;
    return typeof restart === 'function' ? restart : null;
  };
  const [restart, setRestart] = useState(() => find());
  useEffect(() => {
    const check = () => setRestart(() => find());
    check();
    window.addEventListener('pywebviewready', check);
    return () => window.removeEventListener('pywebviewready', check);
  }, []);
  return restart;
}

function fieldsOf(database: DatabaseOut | undefined): Fields {
  if (database?.vendor !== 'postgresql') return { host: '', port: String(DEFAULT_PORT), database: '', user: '', password: '' };
  return { host: database.host ?? '', port: String(database.port ?? DEFAULT_PORT), database: database.name ?? '', user: database.user ?? '', password: '' };
}

/** "this PC's own database" or "the PostgreSQL database imaging on db:5432", in the user's language. */
function useDatabaseWords(): (database: DatabaseOut) => string {
  const { t } = useTranslation();
  return (database) =>
    database.vendor === 'postgresql'
      ? t('settings.postgresWhat', { name: database.name ?? '', host: database.host ?? '', port: database.port ?? DEFAULT_PORT })
      : t('settings.localWhat');
}

function TestOutcome({ result }: { result: DatabaseTestOut }) {
  const { t, i18n } = useTranslation();
  const facts = {
    host: result.database.host ?? '',
    port: result.database.port ?? DEFAULT_PORT,
    name: result.database.name ?? '',
    user: result.database.user ?? t('settings.defaultUser'),
  };
  if (result.ok) {
    const text = result.studies === null
      ? t('settings.okEmpty', facts)
      : t('settings.okData', { ...facts, studies: formatNumber(result.studies, i18n.language) });
    return <Alert type="success" showIcon role="status" title={t('settings.okTitle')} description={text} />;
  }
  const problem: Problem = (PROBLEMS as readonly string[]).includes(result.problem ?? '') ? (result.problem as Problem) : 'other';
  return (
    <Alert
      type="error"
      showIcon
      role="alert"
      title={t('settings.failedTitle')}
      description={
        <>
          <div>{t(`settings.problems.${problem}`, facts)}</div>
          {problem === 'too_new' || problem === 'other' ? <div className="error-detail">{result.message}</div> : null}
        </>
      }
    />
  );
}

/** The Settings screen: the database in use, and a PostgreSQL database tried, then chosen. */
export function SettingsPage() {
  const { t } = useTranslation();
  const describe = useErrorText();
  const words = useDatabaseWords();
  const settings = useDatabaseSettings();
  const test = useTestDatabase();
  const choose = useChooseDatabase();
  const restartInWindow = useRestartInWindow();
  const [fields, setFields] = useState<Fields | null>(null);
  const [invalid, setInvalid] = useState<string | null>(null);
  const [outcome, setOutcome] = useState<DatabaseTestOut | null>(null);
  const [restarting, setRestarting] = useState<string | null>(null);
  const [restartError, setRestartError] = useState<string | null>(null);
  const data = settings.data;

  // The fields start from the PostgreSQL database in use (or the one the next start uses).
  useEffect(() => {
    if (data && fields === null) setFields(fieldsOf(data.in_use.vendor === 'postgresql' ? data.in_use : data.next_start));
  }, [data, fields]);
  const shown = fields ?? fieldsOf(undefined);
  const set = (name: keyof Fields) => (event: { target: { value: string } }) => {
    setFields({ ...shown, [name]: event.target.value });
    setOutcome(null);
    choose.reset();
    setInvalid(null);
  };

  const body = (): DatabaseConnectIn | null => {
    const port = shown.port.trim() === '' ? DEFAULT_PORT : Number(shown.port.trim());
    if (!shown.host.trim() || !shown.database.trim()) {
      setInvalid(t('settings.required'));
      return null;
    }
    if (!Number.isInteger(port) || port < 1 || port > 65535) {
      setInvalid(t('settings.portInvalid'));
      return null;
    }
    setInvalid(null);
    return { host: shown.host.trim(), port, database: shown.database.trim(), user: shown.user.trim(), password: shown.password };
  };

  const busy = test.isPending || choose.isPending || restarting !== null;

  const tryIt = (event?: FormEvent) => {
    event?.preventDefault();
    const sent = body();
    if (!sent || busy) return;
    setOutcome(null);
    choose.reset();
    test.mutate(sent, { onSuccess: setOutcome });
  };

  const restart = async (what: string) => {
    setRestartError(null);
    if (!restartInWindow) return;
    setRestarting(what);
    try {
      const answer = await restartInWindow();
      if (answer && answer.ok === false) {
        setRestarting(null);
        setRestartError(answer.error ?? '');
      }
    } catch (error) {
      setRestarting(null);
      setRestartError(error instanceof Error ? error.message : String(error));
    }
  };

  const save = async () => {
    const sent = body();
    if (!sent || busy) return;
    setOutcome(null);
    // Tested first, so that a refusal is said in the user's language; the server tests again.
    const tested = await test.mutateAsync(sent).catch(() => null);
    if (!tested) return;
    if (!tested.ok) {
      setOutcome(tested);
      return;
    }
    choose.mutate(sent, { onSuccess: (next) => void restart(words(next.next_start)) });
  };

  const chooseLocal = () => {
    if (busy) return;
    setOutcome(null);
    choose.mutate('local', { onSuccess: (next) => void restart(words(next.next_start)) });
  };

  const field = (name: keyof Fields, extra: Record<string, unknown> = {}) => ({
    id: `database-${name}`,
    value: shown[name],
    onChange: set(name),
    disabled: restarting !== null,
    ...extra,
  });

  const localChosen = data ? data.in_use.vendor !== 'postgresql' && data.next_start.vendor !== 'postgresql' : true;

  return (
    <section className="settings-page" aria-labelledby="settings-title">
      <h1 id="settings-title" className="page-title">
        {t('settings.title')}
      </h1>
      <section className="panel settings-in-use" aria-labelledby="settings-in-use-title">
        <h2 id="settings-in-use-title" className="panel-title">
          <DatabaseOutlined aria-hidden /> {t('settings.inUseTitle')}
        </h2>
        {settings.error ? <ErrorAlert error={settings.error} title={t('settings.errorTitle')} onRetry={() => void settings.refetch()} /> : null}
        {data ? (
          <>
            <dl className="settings-facts">
              <dt>{t('settings.kind')}</dt>
              <dd>{data.in_use.vendor === 'postgresql' ? t('settings.kindPostgres') : t('settings.kindLocal')}</dd>
              {data.in_use.vendor === 'postgresql' ? (
                <>
                  <dt>{t('settings.server')}</dt>
                  <dd className="mono">{`${data.in_use.host ?? ''}:${data.in_use.port ?? DEFAULT_PORT}`}</dd>
                  <dt>{t('settings.databaseName')}</dt>
                  <dd className="mono">{data.in_use.name}</dd>
                  <dt>{t('settings.user')}</dt>
                  <dd className="mono">{data.in_use.user ?? t('settings.defaultUser')}</dd>
                </>
              ) : (
                <>
                  <dt>{t('settings.file')}</dt>
                  <dd className="mono settings-file">{data.in_use.file}</dd>
                </>
              )}
            </dl>
            <Typography.Paragraph type="secondary" className="settings-note">
              {t(`settings.source.${data.source === 'environment' ? 'environment' : data.source === 'settings.json' ? 'chosen' : 'default'}`)}
            </Typography.Paragraph>
            {data.restart_needed && restarting === null ? (
              <Alert
                type="warning"
                showIcon
                role="status"
                className="settings-restart"
                title={t('settings.restartLine', { next: t('settings.nextStart', { what: words(data.next_start) }), restart: restartInWindow ? t('settings.restartWindowText') : t('settings.restartBrowserText') })}
                action={
                  restartInWindow && data.can_change ? (
                    <Button size="small" onClick={() => void restart(words(data.next_start))}>
                      {t('settings.restartNow')}
                    </Button>
                  ) : null
                }
              />
            ) : null}
          </>
        ) : settings.isLoading ? (
          <Typography.Text type="secondary">{t('common.loading')}</Typography.Text>
        ) : null}
      </section>

      {data && data.can_change ? (
        <section className="panel settings-form" aria-labelledby="settings-form-title">
          <h2 id="settings-form-title" className="panel-title">
            {t('settings.formTitle')}
          </h2>
          <Typography.Paragraph type="secondary" className="settings-note">
            {t('settings.formNote')}
          </Typography.Paragraph>
          <form onSubmit={tryIt} noValidate aria-describedby={invalid ? 'database-invalid' : undefined}>
            <div className="settings-fields">
              <label htmlFor="database-host">{t('settings.host')}</label>
              <Input {...field('host', { placeholder: t('settings.hostPlaceholder'), autoComplete: 'off', spellCheck: false })} />
              <label htmlFor="database-port">{t('settings.port')}</label>
              <Input {...field('port', { inputMode: 'numeric', className: 'settings-port', autoComplete: 'off' })} />
              <label htmlFor="database-database">{t('settings.databaseName')}</label>
              <Input {...field('database', { autoComplete: 'off', spellCheck: false })} />
              <label htmlFor="database-user">{t('settings.user')}</label>
              <Input {...field('user', { autoComplete: 'username', spellCheck: false })} />
              <label htmlFor="database-password">{t('settings.password')}</label>
              <Input.Password {...field('password', { autoComplete: 'current-password', visibilityToggle: false })} />
            </div>
            {invalid ? (
              <Alert id="database-invalid" type="error" showIcon role="alert" title={invalid} className="settings-invalid" />
            ) : null}
            <div className="settings-actions">
              {/* Loading, not disabled, while it runs: a disabled button would drop the keyboard's focus. */}
              <Button htmlType="submit" icon={<ApiOutlined aria-hidden />} loading={test.isPending && !choose.isPending} disabled={restarting !== null}>
                {t('settings.test')}
              </Button>
              <Button type="primary" icon={<SaveOutlined aria-hidden />} onClick={() => void save()} loading={choose.isPending} disabled={restarting !== null}>
                {t('settings.save')}
              </Button>
              {!localChosen ? (
                <Button onClick={chooseLocal} disabled={restarting !== null}>
                  {t('settings.useLocal')}
                </Button>
              ) : null}
            </div>
          </form>
          <div className="settings-outcome" aria-live="polite">
            {test.isPending ? <Typography.Text type="secondary">{t('settings.testing')}</Typography.Text> : null}
            {outcome ? <TestOutcome result={outcome} /> : null}
            {test.error ? <ErrorAlert error={test.error} title={t('settings.testFailed')} /> : null}
            {choose.error ? (
              <Alert type="error" showIcon role="alert" title={t('settings.notSaved')} description={<span className="error-detail">{describe(choose.error).detail}</span>} />
            ) : null}
            {choose.isSuccess && !restartInWindow && restarting === null ? (
              <Alert
                type="success"
                showIcon
                role="status"
                title={t('settings.savedBrowserTitle')}
                description={t('settings.savedBrowserText', { what: words(choose.data.next_start) })}
              />
            ) : null}
            {restarting !== null ? <Alert type="info" showIcon role="status" title={t('settings.restarting', { what: restarting })} /> : null}
            {restartError !== null ? <Alert type="error" showIcon role="alert" title={t('settings.restartFailed', { detail: restartError })} /> : null}
          </div>
        </section>
      ) : null}
    </section>
  );
}
