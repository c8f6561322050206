import { DisconnectOutlined } from '@ant-design/icons';
import { Alert, Button, Descriptions, Modal, Skeleton, Typography, message as antMessage } from 'antd';
import { useTranslation } from 'react-i18next';
import { ErrorAlert, useErrorText } from '@/components/ErrorAlert';
import { formatDateTime } from '@/lib/format';
import { useLinkedSource, useUnlink } from '../api/import';

/** The DuckDB file the server follows: since when, its last sync and last error; unlink it. */
export function LinkedSource({ linking, onShowJob }: { linking: boolean; onShowJob: (jobId: number) => void }) {
  const { t } = useTranslation();
  const describe = useErrorText();
  const link = useLinkedSource();
  const unlink = useUnlink();
  const [modal, modalHolder] = Modal.useModal();
  const [message, messageHolder] = antMessage.useMessage();
  const source = link.data?.linked_source ?? null;

  const confirmUnlink = () => {
    void modal.confirm({
      title: t('importPage.link.confirmTitle'),
      content: t('importPage.link.confirmText'),
      okText: t('importPage.link.unlink'),
      okButtonProps: { danger: true },
      cancelText: t('importPage.link.keep'),
      onOk: () =>
        unlink.mutateAsync().then(
          () => void message.success(t('importPage.link.unlinked')),
          (error: unknown) => void message.error(t('importPage.link.unlinkFailed', { detail: describe(error).detail })),
        ),
    });
  };

  let body;
  if (link.isLoading) body = <Skeleton active paragraph={{ rows: 2 }} title={false} />;
  else if (link.error) body = <ErrorAlert error={link.error} title={t('importPage.link.errorTitle')} onRetry={() => void link.refetch()} />;
  else if (!source) {
    body = (
      <>
        <Typography.Paragraph strong className="link-none">
          {t('importPage.link.none')}
        </Typography.Paragraph>
        <Typography.Paragraph type="secondary">{t('importPage.link.noneText')}</Typography.Paragraph>
      </>
    );
  } else {
    body = (
      <>
        <Descriptions
          size="small"
          column={1}
          bordered
          items={[
            { key: 'path', label: t('importPage.link.path'), children: <span className="mono link-path">{source.path}</span> },
            { key: 'linked_at', label: t('importPage.link.linkedAt'), children: source.linked_at ? formatDateTime(source.linked_at) : t('common.none') },
            { key: 'last_sync', label: t('importPage.link.lastSync'), children: source.last_sync ? formatDateTime(source.last_sync) : t('importPage.link.never') },
            ...(source.last_job_id !== null
              ? [
                  {
                    key: 'last_job',
                    label: t('importPage.link.lastJob'),
                    children: (
                      <Button type="link" size="small" className="link-cell" onClick={() => onShowJob(source.last_job_id!)}>
                        {t('importPage.history.show', { id: source.last_job_id })}
                      </Button>
                    ),
                  },
                ]
              : []),
          ]}
        />
        {source.last_error ? (
          <Alert className="link-error" type="warning" showIcon title={t('importPage.link.lastError')} description={<span className="error-detail">{source.last_error}</span>} />
        ) : null}
        <Button className="link-unlink" danger icon={<DisconnectOutlined aria-hidden />} onClick={confirmUnlink} loading={unlink.isPending}>
          {t('importPage.link.unlink')}
        </Button>
      </>
    );
  }

  return (
    <section className="panel import-link" aria-labelledby="import-link-title">
      {modalHolder}
      {messageHolder}
      <h2 id="import-link-title" className="panel-title">
        {t('importPage.link.title')}
      </h2>
      {body}
      {linking ? <Typography.Paragraph type="secondary" className="link-pending">{t('importPage.job.linking')}</Typography.Paragraph> : null}
    </section>
  );
}
