import { useMutation } from '@tanstack/react-query';
import { api } from '@/lib/api';
import type { ImportStartOut } from '@/lib/api-types';

export const DEMO_ROWS = 2000;

/** POST /import/demo: generates demo data and imports it as a job (202 {job_id}). */
export function useStartDemoImport() {
  return useMutation({
    mutationFn: () => api.post<ImportStartOut>('/import/demo', { rows: DEMO_ROWS }),
  });
}
