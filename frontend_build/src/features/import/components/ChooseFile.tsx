import { CloudUploadOutlined, ExperimentOutlined, FolderOpenOutlined, LinkOutlined } from '@ant-design/icons';
import { Alert, Button, Input, Space, Typography } from 'antd';
import { useId, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useErrorText } from '@/components/ErrorAlert';
import { isApiError } from '@/lib/api';
import { chooseDuckdbFile, useCanChooseDuckdbFile } from '@/lib/chooseFile';
import type { StartRequest } from '../api/import';

interface Props {
  /** A job is running: starting another would be refused. */
  busy: boolean;
  starting: StartRequest['action'] | null;
  /** Why the last start was refused (the server's detail, shown as it is). */
  startError: { action: StartRequest['action']; error: unknown } | null;
  onStart: (request: StartRequest) => void;
}

/** The DuckDB file to import or link: a path field, the desktop window's file dialog, and the actions. */
export function ChooseFile({ busy, starting, startError, onStart }: Props) {
  const { t } = useTranslation();
  const describe = useErrorText();
  const canChoose = useCanChooseDuckdbFile();
  const [path, setPath] = useState('');
  const [missing, setMissing] = useState(false);
  const [chooseError, setChooseError] = useState<string | null>(null);
  const inputId = useId();
  const hintId = useId();
  const errorId = useId();

  const start = (action: 'import' | 'link') => {
    const trimmed = path.trim();
    if (!trimmed) {
      setMissing(true);
      document.getElementById(inputId)?.focus();
      return;
    }
    onStart({ action, path: trimmed });
  };

  const choose = async () => {
    setChooseError(null);
    try {
      const chosen = await chooseDuckdbFile();
      if (chosen) {
        setPath(chosen);
        setMissing(false);
      }
    } catch (error) {
      setChooseError(error instanceof Error ? error.message : String(error));
    }
  };

  const refusal = startError ? describe(startError.error) : null;
  const refusalTitle =
    startError?.action === 'link' ? t('importPage.linkFailed') : startError?.action === 'demo' ? t('importPage.demoFailed') : t('importPage.startFailed');
  // The server's own refusals (400, 409) say what to do; other failures get the usual hint.
  const refusalHint = startError && isApiError(startError.error) && [400, 409].includes(startError.error.status) ? null : refusal?.hint;

  return (
    <section className="panel import-choose" aria-labelledby="import-choose-title">
      <h2 id="import-choose-title" className="panel-title">
        {t('importPage.chooseTitle')}
      </h2>
      <Typography.Paragraph type="secondary" className="panel-text">
        {t('importPage.chooseText')}
      </Typography.Paragraph>
      <form
        className="import-form"
        noValidate
        onSubmit={(event: FormEvent) => {
          event.preventDefault();
          start('import');
        }}
      >
        <label htmlFor={inputId} className="field-label">
          {t('importPage.pathLabel')}
        </label>
        <div className="import-path-row">
          <Input
            id={inputId}
            className="import-path mono"
            value={path}
            onChange={(event) => {
              setPath(event.target.value);
              if (event.target.value.trim()) setMissing(false);
            }}
            placeholder={t('importPage.pathPlaceholder')}
            aria-describedby={missing ? `${errorId} ${hintId}` : hintId}
            aria-invalid={missing || undefined}
            status={missing ? 'error' : undefined}
            autoComplete="off"
            spellCheck={false}
            allowClear
          />
          {canChoose ? (
            <Button icon={<FolderOpenOutlined aria-hidden />} onClick={() => void choose()}>
              {t('importPage.chooseFile')}
            </Button>
          ) : null}
        </div>
        {missing ? (
          <div id={errorId} className="field-error" role="alert">
            {t('importPage.pathRequired')}
          </div>
        ) : null}
        <div id={hintId} className="field-hint">
          {t('importPage.pathHint')} {t('importPage.linkHint')}
        </div>
        <Space wrap className="import-actions">
          <Button type="primary" htmlType="submit" icon={<CloudUploadOutlined aria-hidden />} disabled={busy} loading={starting === 'import'}>
            {t('importPage.import')}
          </Button>
          <Button icon={<LinkOutlined aria-hidden />} onClick={() => start('link')} disabled={busy} loading={starting === 'link'}>
            {t('importPage.linkButton')}
          </Button>
        </Space>
      </form>
      {busy ? <Typography.Paragraph type="secondary" className="import-busy">{t('importPage.busy')}</Typography.Paragraph> : null}
      {chooseError ? <Alert type="error" showIcon title={t('importPage.chooseFailed', { detail: chooseError })} /> : null}
      {refusal ? (
        <Alert
          type="error"
          showIcon
          role="alert"
          className="import-refusal"
          title={refusalTitle}
          description={
            <>
              <div className="error-detail">{refusal.detail}</div>
              {refusalHint ? <div>{refusalHint}</div> : null}
            </>
          }
        />
      ) : null}
      <div className="import-demo">
        <Typography.Text type="secondary">{t('importPage.demoNote')}</Typography.Text>
        <Button size="small" icon={<ExperimentOutlined aria-hidden />} onClick={() => onStart({ action: 'demo' })} disabled={busy} loading={starting === 'demo'}>
          {t('importPage.demo')}
        </Button>
      </div>
    </section>
  );
}
