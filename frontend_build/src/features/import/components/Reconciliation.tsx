import { Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import type { ImportReport, ImportTableReport } from '@/lib/api-types';
import { formatNumber } from '@/lib/format';

const COUNTS = ['source_rows', 'inserted', 'updated', 'unchanged', 'duplicates', 'quarantined', 'not_in_source'] as const;

function IgnoredColumns({ label, columns }: { label: string; columns: string[] }) {
  const { t } = useTranslation();
  return (
    <div className="ignored-columns">
      <Typography.Text strong>{label}: </Typography.Text>
      {columns.length === 0 ? (
        <Typography.Text type="secondary">{t('importPage.reconciliation.ignoredNone')}</Typography.Text>
      ) : (
        <>
          {columns.map((name) => (
            <Tag key={name} className="mono">
              {name}
            </Tag>
          ))}
          <Typography.Text type="secondary">{t('importPage.reconciliation.ignoredNote')}</Typography.Text>
        </>
      )}
    </div>
  );
}

/**
 * What the import did with every row: a table named "Reconciliation" whose rows are
 * named by their counts (Inserted, Updated, ...) and whose columns are the studies
 * and, when the file has a reports table, the reports.
 */
export function Reconciliation({ report }: { report: ImportReport }) {
  const { t, i18n } = useTranslation();
  const reports = report.reports;
  const n = (value: number) => formatNumber(value, i18n.language);
  const cell = (table: ImportTableReport, name: (typeof COUNTS)[number]) => (
    <td className={`num${name === 'quarantined' && table[name] > 0 ? ' count-warning' : ''}`}>{n(table[name])}</td>
  );
  return (
    <div className="reconciliation">
      <table className="plain-table reconciliation-table" aria-label={t('importPage.reconciliation.tableLabel')}>
        <thead>
          <tr>
            <th scope="col">{t('importPage.reconciliation.what')}</th>
            <th scope="col" className="num">
              {t('importPage.reconciliation.studies')}
            </th>
            {reports ? (
              <th scope="col" className="num">
                {t('importPage.reconciliation.reports')}
              </th>
            ) : null}
          </tr>
        </thead>
        <tbody>
          {COUNTS.map((name) => (
            <tr key={name} className={name === 'source_rows' ? 'total-row' : undefined}>
              <th scope="row">{t(`importPage.reconciliation.${name}`)}</th>
              {cell(report, name)}
              {reports ? cell(reports, name) : null}
            </tr>
          ))}
          {reports ? (
            <tr>
              <th scope="row">{t('importPage.reconciliation.orphaned')}</th>
              <td className="num null-value">{t('common.none')}</td>
              <td className="num">{n(reports.orphaned)}</td>
            </tr>
          ) : null}
        </tbody>
      </table>
      <div className="reconciliation-notes">
        <IgnoredColumns label={t('importPage.reconciliation.ignored')} columns={report.ignored_columns} />
        {reports ? (
          <IgnoredColumns label={t('importPage.reconciliation.ignoredReports')} columns={reports.ignored_columns} />
        ) : (
          <Typography.Paragraph type="secondary">{t('importPage.reconciliation.noReports')}</Typography.Paragraph>
        )}
        <Typography.Paragraph type="secondary" className="reconciliation-balance">
          {t('importPage.reconciliation.balanced')}
        </Typography.Paragraph>
      </div>
    </div>
  );
}
