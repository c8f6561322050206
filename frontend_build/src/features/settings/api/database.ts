// The Settings screen's server state, through the one API client (lib/api.ts). The
// shapes are API_CONTRACT.md's "Settings: the database".

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '@/lib/api';

/** A database as the server describes it; never a password. */
export interface DatabaseOut {
  vendor: 'sqlite' | 'postgresql' | string;
  /** The SQLite file; null on PostgreSQL. */
  file: string | null;
  host: string | null;
  port: number | null;
  name: string | null;
  user: string | null;
}

export type DatabaseSource = 'environment' | 'settings.json' | 'default';

export interface DatabaseSettingsOut {
  in_use: DatabaseOut;
  source: DatabaseSource | string;
  /** False when IMAGING_DESK_DATABASE_URL (or --database-url) sets the database. */
  can_change: boolean;
  next_start: DatabaseOut;
  next_start_source: DatabaseSource | string;
  restart_needed: boolean;
}

/** The screen's fields, as the server takes them. */
export interface DatabaseConnectIn {
  host: string;
  port: number | null;
  database: string;
  user: string;
  password: string;
}

export type DatabaseProblem = 'unreachable' | 'password' | 'no_database' | 'no_user' | 'no_create' | 'too_new' | 'other';

export interface DatabaseTestOut {
  ok: boolean;
  problem: DatabaseProblem | string | null;
  /** What the test found, in the server's (English) words. */
  message: string;
  database: DatabaseOut;
  set_up: boolean;
  has_data: boolean;
  studies: number | null;
}

export const settingsKeys = { database: ['settings', 'database'] as const };

export function useDatabaseSettings() {
  return useQuery({
    queryKey: settingsKeys.database,
    queryFn: ({ signal }) => api.get<DatabaseSettingsOut>('/settings/database', undefined, signal),
    staleTime: 0,
  });
}

/** POST /settings/database/test: tries the database; nothing is stored. */
export function useTestDatabase() {
  return useMutation({ mutationFn: (body: DatabaseConnectIn) => api.post<DatabaseTestOut>('/settings/database/test', body) });
}

/** PUT /settings/database (a PostgreSQL database), or DELETE (this PC's own): for the next start. */
export function useChooseDatabase() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: DatabaseConnectIn | 'local') =>
      body === 'local' ? api.delete<DatabaseSettingsOut>('/settings/database') : api.put<DatabaseSettingsOut>('/settings/database', body),
    onSuccess: (settings) => queryClient.setQueryData(settingsKeys.database, settings),
  });
}
