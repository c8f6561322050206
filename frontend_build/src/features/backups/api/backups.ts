// The Backups screen's server state, through the one API client (lib/api.ts). The
// shapes are API_CONTRACT.md's "Backups".

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, segment } from '@/lib/api';
import type { NaiveDateTime } from '@/lib/api-types';

export type BackupKind = 'manual' | 'daily' | 'after-import' | 'before-restore';

/** One backup file, verified after it was written. */
export interface BackupInfoOut {
  name: string;
  path: string;
  kind: BackupKind | string;
  created_at: NaiveDateTime;
  size_bytes: number;
  /** Null for a PostgreSQL dump, which has no counts of its own. */
  studies: number | null;
  reports: number | null;
  verified: boolean;
  /** "ok", or what the check found, in words. */
  integrity: string;
}

export interface BackupListOut {
  folder: string;
  backups: BackupInfoOut[];
}

export interface BackupStartOut {
  job_id: number;
  status: 'running';
}

export interface BackupJobOut {
  job_id: number;
  status: 'running' | 'done' | 'failed';
  progress: number;
  backup: BackupInfoOut | null;
  error: string | null;
}

export const BACKUP_JOB_POLL_MS = 250;

export const backupKeys = {
  list: ['backups', 'list'] as const,
  job: (jobId: number) => ['backups', 'job', jobId] as const,
};

export function useBackups() {
  return useQuery({
    queryKey: backupKeys.list,
    queryFn: ({ signal }) => api.get<BackupListOut>('/backups', undefined, signal),
    staleTime: 0,
  });
}

/** POST /backups: a backup taken now, as a job (to the backups folder). */
export function useStartBackup() {
  return useMutation({ mutationFn: () => api.post<BackupStartOut>('/backups', { to: null }) });
}

export function isBackupJobFinished(job: BackupJobOut | undefined): boolean {
  return job !== undefined && job.status !== 'running';
}

/** One backup job, polled until it is done or failed; then the list is read afresh. */
export function useBackupJob(jobId: number | null) {
  const queryClient = useQueryClient();
  return useQuery({
    queryKey: backupKeys.job(jobId ?? 0),
    queryFn: async ({ signal }) => {
      const job = await api.get<BackupJobOut>(`/backups/jobs/${segment(jobId!)}`, undefined, signal);
      if (isBackupJobFinished(job)) void queryClient.invalidateQueries({ queryKey: backupKeys.list });
      return job;
    },
    enabled: jobId !== null,
    refetchInterval: (query) => (isBackupJobFinished(query.state.data) || query.state.error ? false : BACKUP_JOB_POLL_MS),
    staleTime: 0,
  });
}
