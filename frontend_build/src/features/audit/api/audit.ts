// The Audit trail screen's server state, through the one API client (lib/api.ts).
// The entries' shapes are API_CONTRACT.md's "Audit trail".

import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { api, apiUrl } from '@/lib/api';
import type { NaiveDateTime, Page } from '@/lib/api-types';
import { auditFilterQuery, type AuditSearch } from '../auditSearch';

/** One entry of the audit trail: append-only, never changed or deleted. */
export interface AuditEntryOut {
  id: number;
  at: NaiveDateTime;
  action: string;
  user: string;
  summary: string;
  details: Record<string, unknown> | null;
}

export type AuditPageOut = Page<AuditEntryOut>;

/** The values the filters offer: every action and user recorded so far. */
export interface AuditOptionsOut {
  actions: string[];
  users: string[];
}

export const auditKeys = {
  all: ['audit'] as const,
  page: (search: AuditSearch) => ['audit', 'page', search] as const,
  options: ['audit', 'options'] as const,
};

/** One page of entries, newest first; the previous page stays shown while the next one loads. */
export function useAuditPage(search: AuditSearch) {
  return useQuery({
    queryKey: auditKeys.page(search),
    queryFn: ({ signal }) => api.get<AuditPageOut>('/audit', { ...auditFilterQuery(search), page: search.page, page_size: search.page_size }, signal),
    placeholderData: keepPreviousData,
    staleTime: 0,
  });
}

export function useAuditOptions() {
  return useQuery({
    queryKey: auditKeys.options,
    queryFn: ({ signal }) => api.get<AuditOptionsOut>('/audit/options', undefined, signal),
    staleTime: 0,
  });
}

/** The URL that downloads every entry matching the filters, as CSV. */
export function auditExportUrl(search: AuditSearch): string {
  return apiUrl('/audit/export', { format: 'csv', ...auditFilterQuery(search) });
}
