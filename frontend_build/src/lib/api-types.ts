// The server's responses, written by hand from API_CONTRACT.md (the locked
// endpoints and those beyond them). Every datetime is the clinic's naive local time,
// `YYYY-MM-DDTHH:MM:SS[.ffffff]`: keep it a string, never a Date.

export type NaiveDateTime = string;

/** `{"detail": "..."}`: the one shape of every error the API answers. */
export interface ErrorOut {
  detail: string;
}

/** The ten contract fields of a study, in the server's order. */
export interface StudyOut {
  exam_id: string;
  patient_name: string | null;
  patient_gender: string | null;
  patient_age: number | null;
  exam_status: string | null;
  exam_source: string | null;
  exam_item: string | null;
  order_datetime: NaiveDateTime;
  check_in_datetime: NaiveDateTime | null;
  report_certification_datetime: NaiveDateTime | null;
}

export type StudyField = keyof StudyOut;

export interface FilterOptions {
  exam_statuses: string[];
  exam_sources: string[];
  exam_items: string[];
}

export interface Page<T> {
  data: T[];
  total: number;
  page: number;
  page_size: number;
}

export interface StudySearchOut extends Page<StudyOut> {
  filters: FilterOptions;
}

export interface ReportOut {
  report_id: string;
  exam_id: string;
  patient_name: string | null;
  exam_item: string | null;
  findings: string | null;
  radiologist: string | null;
  created_at: NaiveDateTime | null;
  status: string | null;
}

export interface ReportSearchOut extends Page<ReportOut> {
  filters: { statuses: string[] };
}

export interface StudyImportInfo {
  first_imported_at: NaiveDateTime | null;
  first_job_id: number | null;
  first_file: string | null;
  last_changed_at: NaiveDateTime | null;
  last_job_id: number | null;
  last_file: string | null;
}

/** A source value kept verbatim: decimals as text, binary data as {"base64": ...}. */
export type SourceValue = string | number | boolean | null | { base64: string } | SourceValue[] | { [key: string]: SourceValue };

export interface StudyFullOut extends StudyOut {
  medical_record_no: string | null;
  application_order_no: string | null;
  exam_description: string | null;
  certified_physician: string | null;
  extra: Record<string, SourceValue>;
  reports: ReportOut[];
  import: StudyImportInfo;
}

export interface RelatedStudiesOut extends Page<StudyOut> {
  matched_by: 'medical_record_no' | 'name_and_age' | null;
}

export interface ValueCount {
  value: string | null;
  count: number;
}

export interface TurnaroundStat {
  count: number;
  median: number | null;
  p90: number | null;
  max: number | null;
}

export interface StudyStatisticsOut {
  total: number;
  by_status: ValueCount[];
  by_source: ValueCount[];
  by_item: { top: ValueCount[]; other: number };
  by_gender: ValueCount[];
  by_age_band: { band: '0-17' | '18-39' | '40-64' | '65+' | 'unknown'; count: number }[];
  daily_volume: { date: string; count: number }[];
  turnaround_minutes: {
    order_to_check_in: TurnaroundStat;
    check_in_to_certification: TurnaroundStat;
    order_to_certification: TurnaroundStat;
  };
  by_physician: ValueCount[];
}

export interface LinkedSource {
  path: string;
  last_sync: NaiveDateTime | null;
  last_error: string | null;
}

/** GET /import/link: the linked file in full, or null. */
export interface LinkedSourceDetail extends LinkedSource {
  linked_at: NaiveDateTime | null;
  last_job_id: number | null;
}

export interface LinkStatusOut {
  linked_source: LinkedSourceDetail | null;
}

export interface HealthOut {
  status: string;
  version: string;
  database: 'sqlite' | 'postgresql' | string;
  studies: number;
  linked_source: LinkedSource | null;
  /** The PostgreSQL server's host; null on SQLite. */
  database_host: string | null;
  /** The PostgreSQL database's name, or the SQLite file's. */
  database_name: string;
  /** What slows or endangers this installation, in words (e.g. no pg_trgm index). */
  warnings: string[];
}

// Analysis tasks

export type AnalysisStatus = 'pending' | 'running' | 'completed' | 'failed';

export interface AnalysisType {
  name: string;
  description: string;
  result_fields: { name: string; description: string }[];
}

export interface AnalysisOptionsOut {
  analysis_types: AnalysisType[];
}

export interface AnalysisTaskCreated {
  task_id: number;
  exam_id: string;
  analysis_type: string;
  status: AnalysisStatus;
  progress: number;
  created_at: NaiveDateTime;
}

export interface AnalysisTaskOut {
  task_id: number;
  exam_id: string;
  analysis_type: string;
  status: AnalysisStatus;
  progress: number;
  results: AnalysisResults | null;
  created_at: NaiveDateTime;
  completed_at: NaiveDateTime | null;
}

export interface AnalysisTaskListItem extends AnalysisTaskOut {
  patient_name: string | null;
}

export interface AnalysisTaskListOut extends Page<AnalysisTaskListItem> {
  filters: { statuses: AnalysisStatus[] };
}

export interface AnalysisStatisticsOut {
  total_tasks: number;
  completed_tasks: number;
  running_tasks: number;
  failed_tasks: number;
  average_duration_seconds: number | null;
  success_rate: number | null;
}

export interface NoduleMention {
  report_id: string;
  sentence: string;
  size_mm: number | null;
  count: number | null;
}

export interface FleischnerRecommendation {
  guideline: string;
  category: string;
  applies_to?: string;
  size_mm?: number;
  low_risk?: string;
  high_risk?: string;
}

export interface LungNoduleResults {
  nodules_found: number;
  confidence: number | null;
  details: NoduleMention[];
  largest_size_mm: number | null;
  recommendation: FleischnerRecommendation | null;
  reports_read: number;
}

export interface TurnaroundInterval {
  minutes: number | null;
  clinic_median: number | null;
  clinic_p90: number | null;
  sample_size: number;
  outlier: boolean | null;
}

export interface TurnaroundResults {
  exam_source: string | null;
  order_to_check_in: TurnaroundInterval;
  check_in_to_certification: TurnaroundInterval;
  outliers: string[];
}

export type AnalysisResults = LungNoduleResults | TurnaroundResults | { error: string } | Record<string, unknown>;

// Import

export type ImportState = 'queued' | 'running' | 'done' | 'failed' | 'cancelled';
export type ImportPhase =
  | 'queued'
  | 'checking'
  | 'importing'
  | 'indexing'
  | 'verifying'
  | 'committing'
  | 'done'
  | 'failed'
  | 'cancelled';

export interface ImportIssue {
  source_row: number;
  exam_id?: string | null;
  report_id?: string | null;
  reason: string;
}

export interface ImportTableReport {
  source_rows: number;
  inserted: number;
  updated: number;
  unchanged: number;
  duplicates: number;
  quarantined: number;
  not_in_source: number;
  ignored_columns: string[];
  issues: ImportIssue[];
}

export interface ImportReport extends ImportTableReport {
  duration_s: number;
  reports: (ImportTableReport & { orphaned: number }) | null;
}

export interface ImportJobOut {
  state: ImportState;
  phase: ImportPhase;
  rows_done: number;
  rows_total: number | null;
  report: ImportReport | null;
  error: string | null;
}

export interface ImportStartOut {
  job_id: number;
}

export interface ImportIssueRow {
  source_row: number;
  exam_id: string | null;
  report_id: string | null;
  reason: string;
  source_table: string;
  raw: Record<string, SourceValue>;
}

export type ImportIssuesOut = Page<ImportIssueRow>;

export interface ImportHistoryRow {
  job_id: number;
  kind: string;
  path: string | null;
  size: number | null;
  sha256: string | null;
  started_at: NaiveDateTime | null;
  finished_at: NaiveDateTime | null;
  outcome: ImportState;
  source_rows: number | null;
  inserted: number | null;
  updated: number | null;
  unchanged: number | null;
  duplicates: number | null;
  quarantined: number | null;
  not_in_source: number | null;
  error: string | null;
}

export type ImportHistoryOut = Page<ImportHistoryRow>;

/** The user's preferences: one JSON object the server keeps (PUT replaces it whole). */
export type PreferencesOut = Record<string, unknown>;
