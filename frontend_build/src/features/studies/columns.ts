import type { StudyField } from '@/lib/api-types';

/** The ten contract columns, in the server's order. */
export const STUDY_COLUMNS: readonly StudyField[] = [
  'exam_id',
  'patient_name',
  'patient_gender',
  'patient_age',
  'exam_status',
  'exam_source',
  'exam_item',
  'order_datetime',
  'check_in_datetime',
  'report_certification_datetime',
];

/** The one column that cannot be hidden: it names the study. */
export const ALWAYS_SHOWN: StudyField = 'exam_id';

export function visibleColumns(hidden: readonly string[] | undefined): StudyField[] {
  const set = new Set(hidden ?? []);
  return STUDY_COLUMNS.filter((name) => name === ALWAYS_SHOWN || !set.has(name));
}
