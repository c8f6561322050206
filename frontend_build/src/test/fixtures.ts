import type { FilterOptions, ReportOut, ReportSearchOut, StudyFullOut, StudyOut, StudySearchOut, StudyStatisticsOut } from '@/lib/api-types';

export const FILTERS: FilterOptions = {
  exam_statuses: ['cancelled', 'completed', 'pending'],
  exam_sources: ['CT', 'MRI', 'X-ray'],
  exam_items: ['Abdominal CT', 'Chest CT'],
};

export function study(n: number, overrides: Partial<StudyOut> = {}): StudyOut {
  const id = `EXAM${String(n).padStart(4, '0')}`;
  return {
    exam_id: id,
    patient_name: `Patient ${n}`,
    patient_gender: n % 2 ? 'M' : 'F',
    patient_age: 20 + (n % 60),
    exam_status: 'completed',
    exam_source: 'CT',
    exam_item: 'Chest CT',
    order_datetime: `2025-11-${String(1 + (n % 28)).padStart(2, '0')}T10:30:00`,
    check_in_datetime: null,
    report_certification_datetime: null,
    ...overrides,
  };
}

export const CONTRACT_STUDIES: StudyOut[] = [
  {
    exam_id: 'EXAM002',
    patient_name: '李娜',
    patient_gender: 'F',
    patient_age: 62,
    exam_status: 'pending',
    exam_source: 'MRI',
    exam_item: 'Abdominal CT',
    order_datetime: '2025-11-07T09:05:12.250000',
    check_in_datetime: null,
    report_certification_datetime: null,
  },
  {
    exam_id: 'EXAM001',
    patient_name: 'Zhang Wei',
    patient_gender: 'M',
    patient_age: 45,
    exam_status: 'completed',
    exam_source: 'CT',
    exam_item: 'Chest CT',
    order_datetime: '2025-11-06T10:30:00',
    check_in_datetime: '2025-11-06T10:45:00',
    report_certification_datetime: '2025-11-06T14:30:00',
  },
  {
    exam_id: 'EXAM003',
    patient_name: 'Émile Durand',
    patient_gender: null,
    patient_age: null,
    exam_status: 'cancelled',
    exam_source: 'X-ray',
    exam_item: null,
    order_datetime: '2025-11-05T16:00:00',
    check_in_datetime: null,
    report_certification_datetime: null,
  },
];

export function searchPage(data: StudyOut[], total: number, page = 1, page_size = 20): StudySearchOut {
  return { data, total, page, page_size, filters: FILTERS };
}

export const STATISTICS: StudyStatisticsOut = {
  total: 3,
  by_status: [
    { value: 'cancelled', count: 1 },
    { value: 'completed', count: 1 },
    { value: 'pending', count: 1 },
  ],
  by_source: [
    { value: 'CT', count: 1 },
    { value: 'MRI', count: 1 },
    { value: 'X-ray', count: 1 },
  ],
  by_item: {
    top: [
      { value: 'Abdominal CT', count: 1 },
      { value: 'Chest CT', count: 1 },
      { value: null, count: 1 },
    ],
    other: 0,
  },
  by_gender: [
    { value: 'F', count: 1 },
    { value: 'M', count: 1 },
    { value: null, count: 1 },
  ],
  by_age_band: [
    { band: '0-17', count: 0 },
    { band: '18-39', count: 0 },
    { band: '40-64', count: 2 },
    { band: '65+', count: 0 },
    { band: 'unknown', count: 1 },
  ],
  daily_volume: [],
  turnaround_minutes: {
    order_to_check_in: { count: 1, median: 15, p90: 15, max: 15 },
    check_in_to_certification: { count: 1, median: 225, p90: 225, max: 225 },
    order_to_certification: { count: 1, median: 240, p90: 240, max: 240 },
  },
  by_physician: [],
};

export const FULL_EXAM001: StudyFullOut = {
  ...CONTRACT_STUDIES[1],
  medical_record_no: 'MR-0001',
  application_order_no: 'AO-0001',
  exam_description: 'Low-dose chest CT',
  certified_physician: 'Dr. Chen',
  extra: { modality_code: 'CT01', weight_kg: '71.5' },
  reports: [
    {
      report_id: 'RPT001',
      exam_id: 'EXAM001',
      patient_name: 'Zhang Wei',
      exam_item: 'Chest CT',
      findings: 'A 6 mm solid nodule in the right upper lobe.',
      radiologist: 'Dr. Chen',
      created_at: '2025-11-06T14:30:00',
      status: 'final',
    },
  ],
  import: {
    first_imported_at: '2026-11-27T09:14:03.268112',
    first_job_id: 7,
    first_file: '/home/clinic/exports/medical_imaging.duckdb',
    last_changed_at: '2026-11-27T09:14:03.268112',
    last_job_id: 7,
    last_file: '/home/clinic/exports/medical_imaging.duckdb',
  },
};

/** The contract's three reports: RPT003 is an orphan (its exam OLD-0042 is not stored). */
export const CONTRACT_REPORTS: ReportOut[] = [
  {
    report_id: 'RPT002',
    exam_id: 'EXAM002',
    patient_name: '李娜',
    exam_item: 'Abdominal CT',
    findings: '未见明显结节。',
    radiologist: '王医生',
    created_at: '2025-11-07T11:15:00.500000',
    status: 'preliminary',
  },
  {
    report_id: 'RPT001',
    exam_id: 'EXAM001',
    patient_name: 'Zhang Wei',
    exam_item: 'Chest CT',
    findings: 'A 6 mm solid nodule in the right upper lobe.',
    radiologist: 'Dr. Chen',
    created_at: '2025-11-06T14:30:00',
    status: 'final',
  },
  {
    report_id: 'RPT003',
    exam_id: 'OLD-0042',
    patient_name: null,
    exam_item: null,
    findings: 'No pulmonary nodules.',
    radiologist: null,
    created_at: null,
    status: 'final',
  },
];

export function reportPage(data: ReportOut[], total: number, page = 1, page_size = 20): ReportSearchOut {
  return { data, total, page, page_size, filters: { statuses: ['final', 'preliminary'] } };
}
