import type { AnalysisStatus } from '@/lib/api-types';

export const STATUS_COLORS: Record<AnalysisStatus, string> = {
  pending: 'gold',
  running: 'processing',
  completed: 'green',
  failed: 'red',
};
