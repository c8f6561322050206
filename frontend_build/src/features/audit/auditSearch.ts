// The Audit trail screen's filters live in the URL's query string with the server's
// own parameter names (action, user, since, until, q, page, page_size), so that a
// reload or a link shows the same entries. Reading is forgiving, writing canonical.

import type { Query } from '@/lib/api';
import { cleanText, integerParam } from '@/lib/studyFilters';

export const PAGE_SIZES = [20, 50, 100] as const;
export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 500;
const DAY = /^\d{4}-\d{2}-\d{2}$/;

export interface AuditSearch {
  action: string | null;
  user: string | null;
  /** First day, inclusive (YYYY-MM-DD). */
  since: string | null;
  /** Last day, inclusive (YYYY-MM-DD). */
  until: string | null;
  q: string;
  page: number;
  page_size: number;
}

export const DEFAULT_AUDIT_SEARCH: AuditSearch = { action: null, user: null, since: null, until: null, q: '', page: 1, page_size: DEFAULT_PAGE_SIZE };

const day = (value: string | null) => (value && DAY.test(value) ? value : null);

export function auditSearchFromParams(params: URLSearchParams): AuditSearch {
  return {
    action: cleanText(params.get('action') ?? '') || null,
    user: cleanText(params.get('user') ?? '') || null,
    since: day(params.get('since')),
    until: day(params.get('until')),
    q: cleanText(params.get('q') ?? ''),
    page: integerParam(params.get('page'), 1, 10_000_000) ?? 1,
    page_size: integerParam(params.get('page_size'), 1, MAX_PAGE_SIZE) ?? DEFAULT_PAGE_SIZE,
  };
}

export function paramsFromAuditSearch(search: AuditSearch): URLSearchParams {
  const params = new URLSearchParams();
  for (const name of ['action', 'user', 'since', 'until', 'q'] as const) {
    const value = search[name];
    if (value) params.set(name, value);
  }
  if (search.page !== 1) params.set('page', String(search.page));
  if (search.page_size !== DEFAULT_PAGE_SIZE) params.set('page_size', String(search.page_size));
  return params;
}

/** The filters alone, as GET /audit and GET /audit/export take them. */
export function auditFilterQuery(search: AuditSearch): Query {
  return { action: search.action, user: search.user, since: search.since, until: search.until, q: search.q };
}

export function hasAuditFilters(search: AuditSearch): boolean {
  return search.action !== null || search.user !== null || search.since !== null || search.until !== null || search.q !== '';
}
