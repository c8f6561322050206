// An analysis task's result, readably: the nodules with their sizes, sentences and
// the Fleischner follow-up; the turnaround intervals against the clinic's median and
// 90th percentile. Shared by the study drawer and the Analysis screen.

import { Alert, Descriptions, Space, Table, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import type {
  AnalysisResults,
  LungNoduleResults,
  NoduleMention,
  TurnaroundInterval,
  TurnaroundResults,
} from '@/lib/api-types';
import { formatMinutes, formatNumber } from '@/lib/format';

function isError(results: AnalysisResults): results is { error: string } {
  return typeof (results as { error?: unknown }).error === 'string';
}

function mm(value: number | null | undefined, language: string): string {
  return value === null || value === undefined ? '–' : `${formatNumber(value, language, { maximumFractionDigits: 1 })} mm`;
}

export function LungNoduleResult({ results }: { results: LungNoduleResults }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const recommendation = results.recommendation;
  const sized = results.details.filter((d) => d.size_mm !== null).length;
  return (
    <Space orientation="vertical" size="small" className="analysis-result">
      <Typography.Text strong>
        {t('analysis.lung.found', { count: results.nodules_found })} ·{' '}
        {t('analysis.lung.reportsRead', { count: results.reports_read })}
      </Typography.Text>
      {results.nodules_found === 0 ? (
        <Typography.Text>{t('analysis.lung.noNodules')}</Typography.Text>
      ) : (
        <>
          <Descriptions size="small" column={2} bordered>
            <Descriptions.Item label={t('analysis.lung.largest')}>{mm(results.largest_size_mm, lang)}</Descriptions.Item>
            <Descriptions.Item label={t('analysis.lung.sizesStated')}>
              {`${sized} / ${results.details.length}`}
              {results.confidence !== null ? ` (${formatNumber(results.confidence, lang, { style: 'percent' })})` : ''}
            </Descriptions.Item>
          </Descriptions>
          <Table<NoduleMention & { key: string }>
            size="small"
            pagination={false}
            dataSource={results.details.map((mention, index) => ({ ...mention, key: `${mention.report_id}-${index}` }))}
            columns={[
              { key: 'sentence', title: t('analysis.lung.sentence'), dataIndex: 'sentence' },
              { key: 'size', title: t('analysis.lung.size'), dataIndex: 'size_mm', width: 90, render: (v: number | null) => mm(v, lang) },
              { key: 'count', title: t('analysis.lung.count'), dataIndex: 'count', width: 80, render: (v: number | null) => v ?? '–' },
              { key: 'report', title: t('analysis.lung.report'), dataIndex: 'report_id', width: 130 },
            ]}
          />
        </>
      )}
      {recommendation ? (
        <Alert
          type="info"
          title={t('analysis.lung.recommendation', { guideline: recommendation.guideline, category: recommendation.category })}
          description={
            <Descriptions size="small" column={1}>
              {recommendation.low_risk ? (
                <Descriptions.Item label={t('analysis.lung.lowRisk')}>{recommendation.low_risk}</Descriptions.Item>
              ) : null}
              {recommendation.high_risk ? (
                <Descriptions.Item label={t('analysis.lung.highRisk')}>{recommendation.high_risk}</Descriptions.Item>
              ) : null}
              {recommendation.applies_to ? (
                <Descriptions.Item label={t('analysis.lung.appliesTo')}>{recommendation.applies_to}</Descriptions.Item>
              ) : null}
            </Descriptions>
          }
        />
      ) : results.nodules_found > 0 ? (
        <Typography.Text type="secondary">{t('analysis.lung.noSize')}</Typography.Text>
      ) : null}
      <Typography.Text type="secondary">{t('analysis.lung.disclaimer')}</Typography.Text>
    </Space>
  );
}

const INTERVALS = ['order_to_check_in', 'check_in_to_certification'] as const;

export function TurnaroundResult({ results }: { results: TurnaroundResults }) {
  const { t, i18n } = useTranslation();
  const rows = INTERVALS.map((name) => ({ name, ...(results[name] as TurnaroundInterval) }));
  return (
    <Space orientation="vertical" size="small" className="analysis-result">
      {results.exam_source ? (
        <Typography.Text>{t('analysis.turnaround.comparedWith', { source: results.exam_source })}</Typography.Text>
      ) : null}
      <Table
        size="small"
        pagination={false}
        rowKey="name"
        dataSource={rows}
        columns={[
          { key: 'interval', title: t('analysis.turnaround.interval'), dataIndex: 'name', render: (name: (typeof INTERVALS)[number]) => t(`analysis.turnaround.${name}`) },
          { key: 'minutes', title: t('analysis.turnaround.thisStudy'), dataIndex: 'minutes', render: (v: number | null) => formatMinutes(v) },
          { key: 'median', title: t('analysis.turnaround.median'), dataIndex: 'clinic_median', render: (v: number | null) => formatMinutes(v) },
          { key: 'p90', title: t('analysis.turnaround.p90'), dataIndex: 'clinic_p90', render: (v: number | null) => formatMinutes(v) },
          { key: 'sample', title: t('analysis.turnaround.sample'), dataIndex: 'sample_size', render: (v: number) => formatNumber(v, i18n.language) },
          {
            key: 'verdict',
            title: t('analysis.turnaround.verdict'),
            dataIndex: 'outlier',
            render: (v: boolean | null) =>
              v === true ? (
                <Tag color="red">{t('analysis.turnaround.outlier')}</Tag>
              ) : v === false ? (
                <Tag color="green">{t('analysis.turnaround.normal')}</Tag>
              ) : (
                <Tag>{t('analysis.turnaround.notJudged')}</Tag>
              ),
          },
        ]}
      />
      <Typography.Text>
        {results.outliers.length === 0
          ? t('analysis.turnaround.noOutliers')
          : t('analysis.turnaround.outliers', {
              list: results.outliers
                .map((name) => ((INTERVALS as readonly string[]).includes(name) ? t(`analysis.turnaround.${name as (typeof INTERVALS)[number]}`) : name))
                .join(', '),
            })}
      </Typography.Text>
    </Space>
  );
}

/** Any task's results: the known analyses readably, others as their JSON. */
export function AnalysisResult({ analysisType, results }: { analysisType: string; results: AnalysisResults | null }) {
  const { t } = useTranslation();
  if (results === null) return null;
  if (isError(results)) return <Alert type="warning" showIcon title={t('analysis.failed', { reason: results.error })} />;
  if (analysisType === 'lung_nodule_detection') return <LungNoduleResult results={results as LungNoduleResults} />;
  if (analysisType === 'turnaround_review') return <TurnaroundResult results={results as TurnaroundResults} />;
  return <pre className="analysis-json">{JSON.stringify(results, null, 2)}</pre>;
}
