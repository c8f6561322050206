// A task's result in a few words, for its row in the list.

import type { TFunction } from 'i18next';
import type { AnalysisTaskOut, LungNoduleResults, TurnaroundResults } from '@/lib/api-types';
import { formatNumber } from '@/lib/format';

export const KNOWN_TYPES = ['lung_nodule_detection', 'turnaround_review'] as const;
export type KnownType = (typeof KNOWN_TYPES)[number];

export function typeName(t: TFunction, name: string): string {
  return (KNOWN_TYPES as readonly string[]).includes(name) ? t(`analysis.types.${name as KnownType}`) : name;
}

const INTERVALS = ['order_to_check_in', 'check_in_to_certification'] as const;

export function taskSummary(t: TFunction, task: Pick<AnalysisTaskOut, 'analysis_type' | 'status' | 'results'>, language: string): string | null {
  const results = task.results;
  if (task.status === 'pending' || task.status === 'running' || results === null) return null;
  const error = (results as { error?: unknown }).error;
  if (typeof error === 'string') return t('tasks.summary.failed', { reason: error });
  if (task.status === 'failed') return t('analysis.status.failed');
  if (task.analysis_type === 'lung_nodule_detection') {
    const lung = results as LungNoduleResults;
    if (!lung.nodules_found) return t('tasks.summary.noNodules');
    const found = t('tasks.summary.nodules', { count: lung.nodules_found });
    return lung.largest_size_mm !== null && lung.largest_size_mm !== undefined
      ? `${found} · ${t('tasks.summary.largest', { size: `${formatNumber(lung.largest_size_mm, language, { maximumFractionDigits: 1 })} mm` })}`
      : found;
  }
  if (task.analysis_type === 'turnaround_review') {
    const review = results as TurnaroundResults;
    if (review.outliers?.length) {
      const names = review.outliers.map((name) =>
        (INTERVALS as readonly string[]).includes(name) ? t(`analysis.turnaround.${name as (typeof INTERVALS)[number]}`) : name,
      );
      return t('tasks.summary.outliers', { list: names.join(', ') });
    }
    const judged = INTERVALS.some((name) => review[name]?.outlier === false);
    return judged ? t('tasks.summary.noOutliers') : t('tasks.summary.notJudged');
  }
  return null;
}
