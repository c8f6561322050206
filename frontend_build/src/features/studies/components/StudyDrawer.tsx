import { Alert, Button, Descriptions, Drawer, Empty, Skeleton, Table, Typography } from 'antd';
import { useId, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorAlert, useErrorText } from '@/components/ErrorAlert';
import { Highlight } from '@/components/Highlight';
import { StatusTag } from '@/components/StatusTag';
import type { ReportOut, SourceValue, StudyFullOut, StudyOut } from '@/lib/api-types';
import { formatDateTime, formatDateTimeFull, formatNumber } from '@/lib/format';
import { useRelatedStudies, useStudyFull } from '../api/studies';
import { AnalysisRunner } from './AnalysisRunner';

export const DRAWER_WIDTH = 760;

function Section({ id, title, children }: { id: string; title: ReactNode; children: ReactNode }) {
  return (
    <section className="detail-section" aria-labelledby={id}>
      <h3 id={id} className="detail-heading">
        {title}
      </h3>
      {children}
    </section>
  );
}

function sourceText(value: SourceValue): string {
  if (value === null) return '';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

function Value({ children }: { children: ReactNode }) {
  const { t } = useTranslation();
  return children === null || children === undefined || children === '' ? <span className="null-value">{t('common.none')}</span> : <>{children}</>;
}

function Details({ study, q }: { study: StudyFullOut; q: string }) {
  const { t } = useTranslation();
  const hl = (value: string | null) => (value === null ? null : <Highlight text={value} query={q} />);
  const items: { key: string; label: string; children: ReactNode; span?: number }[] = [
    { key: 'exam_id', label: t('columns.exam_id'), children: <span className="mono">{hl(study.exam_id)}</span> },
    { key: 'patient_name', label: t('columns.patient_name'), children: hl(study.patient_name) },
    { key: 'medical_record_no', label: t('columns.medical_record_no'), children: hl(study.medical_record_no) },
    { key: 'application_order_no', label: t('columns.application_order_no'), children: hl(study.application_order_no) },
    { key: 'patient_gender', label: t('columns.patient_gender'), children: study.patient_gender },
    { key: 'patient_age', label: t('columns.patient_age'), children: study.patient_age },
    { key: 'exam_status', label: t('columns.exam_status'), children: study.exam_status === null ? null : <StatusTag value={study.exam_status} /> },
    { key: 'exam_source', label: t('columns.exam_source'), children: study.exam_source },
    { key: 'exam_item', label: t('columns.exam_item'), children: hl(study.exam_item), span: 2 },
    { key: 'exam_description', label: t('columns.exam_description'), children: hl(study.exam_description), span: 2 },
    { key: 'order_datetime', label: t('columns.order_datetime'), children: formatDateTimeFull(study.order_datetime) },
    { key: 'check_in_datetime', label: t('columns.check_in_datetime'), children: formatDateTimeFull(study.check_in_datetime) },
    {
      key: 'report_certification_datetime',
      label: t('columns.report_certification_datetime'),
      children: formatDateTimeFull(study.report_certification_datetime),
    },
    { key: 'certified_physician', label: t('columns.certified_physician'), children: study.certified_physician },
  ];
  return (
    <Descriptions
      size="small"
      bordered
      column={2}
      items={items.map((item) => ({ ...item, children: <Value>{item.children}</Value> }))}
    />
  );
}

function Reports({ reports }: { reports: ReportOut[] }) {
  const { t } = useTranslation();
  if (reports.length === 0) return <Typography.Text type="secondary">{t('detail.noReports')}</Typography.Text>;
  return (
    <ol className="report-list">
      {reports.map((report) => (
        <li key={report.report_id} className="report-item">
          <div className="report-meta">
            <Typography.Text strong>{t('detail.report', { reportId: report.report_id })}</Typography.Text>
            <StatusTag value={report.status} />
            {report.radiologist ? <span>{report.radiologist}</span> : null}
            {report.created_at ? <span className="nowrap">{formatDateTime(report.created_at)}</span> : null}
          </div>
          {report.findings ? (
            <p className="report-findings" aria-label={t('detail.findings')}>
              {report.findings}
            </p>
          ) : (
            <Typography.Text type="secondary">{t('detail.noFindings')}</Typography.Text>
          )}
        </li>
      ))}
    </ol>
  );
}

function Related({ examId, onOpenStudy }: { examId: string; onOpenStudy: (examId: string) => void }) {
  const { t, i18n } = useTranslation();
  const describe = useErrorText();
  const related = useRelatedStudies(examId);
  if (related.isLoading) return <Skeleton active paragraph={{ rows: 2 }} title={false} />;
  if (related.error) return <Alert type="warning" showIcon title={t('detail.relatedError', { detail: describe(related.error).detail })} />;
  const data = related.data;
  if (!data) return null;
  if (data.matched_by === null) return <Typography.Text type="secondary">{t('detail.relatedNoKey')}</Typography.Text>;
  return (
    <>
      <Typography.Paragraph type={data.matched_by === 'name_and_age' ? 'warning' : 'secondary'}>
        {data.matched_by === 'medical_record_no' ? t('detail.relatedByRecord') : t('detail.relatedByNameAndAge')}
        {data.total > data.data.length
          ? ` ${t('detail.relatedMore', { shown: formatNumber(data.data.length, i18n.language), total: formatNumber(data.total, i18n.language) })}`
          : ''}
      </Typography.Paragraph>
      {data.total === 0 ? (
        <Typography.Text type="secondary">{t('detail.relatedEmpty')}</Typography.Text>
      ) : (
        <Table<StudyOut>
          size="small"
          rowKey="exam_id"
          pagination={false}
          dataSource={data.data}
          className="related-table"
          onRow={(record) => ({ onClick: () => onOpenStudy(record.exam_id), className: 'clickable-row' })}
          columns={[
            {
              key: 'exam_id',
              title: t('columns.exam_id'),
              dataIndex: 'exam_id',
              render: (value: string) => (
                <Button
                  type="link"
                  size="small"
                  className="mono link-cell"
                  aria-label={t('studies.openStudy', { examId: value })}
                  onClick={(event) => {
                    event.stopPropagation();
                    onOpenStudy(value);
                  }}
                >
                  {value}
                </Button>
              ),
            },
            { key: 'order_datetime', title: t('columns.order_datetime'), dataIndex: 'order_datetime', render: formatDateTime },
            { key: 'exam_item', title: t('columns.exam_item'), dataIndex: 'exam_item', ellipsis: true },
            { key: 'exam_status', title: t('columns.exam_status'), dataIndex: 'exam_status', render: (v: string | null) => <StatusTag value={v} /> },
          ]}
        />
      )}
    </>
  );
}

function Extra({ extra }: { extra: StudyFullOut['extra'] }) {
  const { t } = useTranslation();
  const entries = Object.entries(extra);
  if (entries.length === 0) return <Typography.Text type="secondary">{t('detail.extraNone')}</Typography.Text>;
  return (
    <Descriptions
      size="small"
      bordered
      column={1}
      items={entries.map(([name, value]) => ({ key: name, label: name, children: <Value>{sourceText(value)}</Value> }))}
    />
  );
}

function ImportInfo({ info }: { info: StudyFullOut['import'] }) {
  const { t } = useTranslation();
  const where = (job: number | null, file: string | null) =>
    job === null && file === null ? t('detail.notFromFile') : [file, job !== null ? t('detail.importJob', { id: job }) : null].filter(Boolean).join(' · ');
  return (
    <Descriptions
      size="small"
      bordered
      column={1}
      items={[
        {
          key: 'first',
          label: t('detail.firstImported'),
          children: `${formatDateTimeFull(info.first_imported_at)} — ${where(info.first_job_id, info.first_file)}`,
        },
        {
          key: 'last',
          label: t('detail.lastChanged'),
          children: `${formatDateTimeFull(info.last_changed_at)} — ${where(info.last_job_id, info.last_file)}`,
        },
      ]}
    />
  );
}

function DrawerBody({ examId, q, onOpenStudy }: { examId: string; q: string; onOpenStudy: (examId: string) => void }) {
  const { t } = useTranslation();
  const full = useStudyFull(examId);
  if (full.isLoading) {
    return (
      <div aria-busy="true" aria-label={t('detail.loading')}>
        <Skeleton active paragraph={{ rows: 8 }} />
      </div>
    );
  }
  if (full.error) return <ErrorAlert error={full.error} title={t('detail.errorTitle')} onRetry={() => void full.refetch()} />;
  const study = full.data;
  if (!study) return <Empty />;
  return (
    <div className="detail-body">
      <Section id="detail-details" title={t('detail.details')}>
        <Details study={study} q={q} />
      </Section>
      <Section id="detail-reports" title={`${t('detail.reports')} (${study.reports.length})`}>
        <Reports reports={study.reports} />
      </Section>
      <Section id="detail-analysis" title={t('analysis.title')}>
        <AnalysisRunner key={examId} examId={examId} />
      </Section>
      <Section id="detail-related" title={t('detail.related')}>
        <Related examId={examId} onOpenStudy={onOpenStudy} />
      </Section>
      <Section id="detail-extra" title={t('detail.extra')}>
        <Extra extra={study.extra} />
      </Section>
      <Section id="detail-import" title={t('detail.imported')}>
        <ImportInfo info={study.import} />
      </Section>
    </div>
  );
}

/** The study's full record over the list: a dialog named by its exam ID. */
export function StudyDrawer({
  examId,
  patientName,
  q,
  onClose,
  onOpenStudy,
}: {
  examId: string | null;
  patientName?: string | null;
  q: string;
  onClose: () => void;
  onOpenStudy: (examId: string) => void;
}) {
  const { t } = useTranslation();
  const full = useStudyFull(examId);
  const name = full.data?.patient_name ?? patientName ?? null;
  const titleId = useId();
  return (
    <Drawer
      aria-labelledby={titleId}
      open={examId !== null}
      onClose={onClose}
      size={DRAWER_WIDTH}
      destroyOnHidden
      className="study-drawer"
      title={
        examId ? (
          <span id={titleId}>{name ? `${t('detail.title', { examId })} · ${name}` : t('detail.title', { examId })}</span>
        ) : null
      }
      closable={{ 'aria-label': t('common.close') }}
    >
      {examId ? <DrawerBody key={examId} examId={examId} q={q} onOpenStudy={onOpenStudy} /> : null}
    </Drawer>
  );
}
