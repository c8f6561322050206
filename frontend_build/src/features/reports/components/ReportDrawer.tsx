import { FileSearchOutlined } from '@ant-design/icons';
import { Alert, Descriptions, Drawer, Skeleton, Typography } from 'antd';
import { useId, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { ErrorAlert, useErrorText } from '@/components/ErrorAlert';
import { Highlight } from '@/components/Highlight';
import { StatusTag } from '@/components/StatusTag';
import type { ReportOut } from '@/lib/api-types';
import { formatDateTimeFull } from '@/lib/format';
import { studyHref } from '@/lib/links';
import { useReport, useStudyStored } from '../api/reports';

export const REPORT_DRAWER_WIDTH = 680;

function Value({ children }: { children: ReactNode }) {
  const { t } = useTranslation();
  return children === null || children === undefined || children === '' ? <span className="null-value">{t('common.none')}</span> : <>{children}</>;
}

/**
 * A link to the report's study, or why there is none. A report that names its
 * study's patient or item has a stored study; without either, the server is asked,
 * since an orphan report (its study not stored) looks just like that.
 */
function StudyLink({ report }: { report: ReportOut }) {
  const { t } = useTranslation();
  const describe = useErrorText();
  const known = report.patient_name !== null || report.exam_item !== null;
  const stored = useStudyStored(report.exam_id, !known);
  const examId = report.exam_id;
  if (!known && stored.isLoading) return <Typography.Text type="secondary">{t('reports.checkingStudy', { examId })}</Typography.Text>;
  if (!known && stored.error) {
    return <Alert type="warning" showIcon title={t('reports.studyCheckFailed', { examId, detail: describe(stored.error).detail })} />;
  }
  if (!known && stored.data === false) return <Alert type="info" showIcon title={t('reports.orphan', { examId })} />;
  return (
    <Link to={studyHref(examId)} className="study-link">
      <FileSearchOutlined aria-hidden /> {t('reports.openStudy', { examId })}
    </Link>
  );
}

function ReportBody({ reportId, row, q }: { reportId: string; row: ReportOut | undefined; q: string }) {
  const { t } = useTranslation();
  const query = useReport(reportId, row);
  const report = query.data;
  if (!report && query.isLoading) {
    return (
      <div aria-busy="true" aria-label={t('reports.loadingReport')}>
        <Skeleton active paragraph={{ rows: 6 }} />
      </div>
    );
  }
  if (!report) return <ErrorAlert error={query.error} title={t('reports.reportError')} onRetry={() => void query.refetch()} />;
  const hl = (value: string | null) => (value === null ? null : <Highlight text={value} query={q} />);
  return (
    <div className="detail-body">
      <Descriptions
        size="small"
        bordered
        column={2}
        items={[
          { key: 'exam_id', label: t('reports.columns.exam_id'), children: <span className="mono">{report.exam_id}</span> },
          { key: 'status', label: t('reports.columns.status'), children: report.status === null ? null : <StatusTag value={report.status} /> },
          { key: 'patient_name', label: t('reports.columns.patient_name'), children: hl(report.patient_name) },
          { key: 'exam_item', label: t('reports.columns.exam_item'), children: report.exam_item },
          { key: 'radiologist', label: t('reports.columns.radiologist'), children: hl(report.radiologist) },
          { key: 'created_at', label: t('reports.columns.created_at'), children: formatDateTimeFull(report.created_at) },
        ].map((item) => ({ ...item, children: <Value>{item.children}</Value> }))}
      />
      <section className="detail-section report-full" aria-labelledby="report-findings-title">
        <h3 id="report-findings-title" className="detail-heading">
          {t('reports.findings')}
        </h3>
        {report.findings ? (
          <p className="report-findings report-findings-full">
            <Highlight text={report.findings} query={q} />
          </p>
        ) : (
          <Typography.Text type="secondary">{t('reports.noFindings')}</Typography.Text>
        )}
      </section>
      <section className="detail-section" aria-labelledby="report-study-title">
        <h3 id="report-study-title" className="detail-heading">
          {t('reports.study')}
        </h3>
        <StudyLink report={report} />
      </section>
      {query.error ? <ErrorAlert error={query.error} title={t('reports.reportError')} onRetry={() => void query.refetch()} /> : null}
    </div>
  );
}

/** A report in full over the list: a dialog named by its report ID. */
export function ReportDrawer({ reportId, row, q, onClose }: { reportId: string | null; row: ReportOut | undefined; q: string; onClose: () => void }) {
  const { t } = useTranslation();
  const titleId = useId();
  const full = useReport(reportId, row);
  const name = full.data?.patient_name ?? row?.patient_name ?? null;
  return (
    <Drawer
      aria-labelledby={titleId}
      open={reportId !== null}
      onClose={onClose}
      size={REPORT_DRAWER_WIDTH}
      destroyOnHidden
      className="report-drawer"
      title={
        reportId ? (
          <span id={titleId}>
            {name ? `${t('reports.dialogTitle', { reportId })} · ${name}` : t('reports.dialogTitle', { reportId })}
          </span>
        ) : null
      }
      closable={{ 'aria-label': t('common.close') }}
    >
      {reportId ? <ReportBody key={reportId} reportId={reportId} row={row} q={q} /> : null}
    </Drawer>
  );
}
