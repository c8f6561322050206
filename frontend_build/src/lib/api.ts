// The one client of the server's API: every feature's api/ goes through here.
//
// - Same-origin fetch with the session cookie (the one-time login link set it).
// - Unsafe requests send their JSON body as `Content-Type: application/json` (the
//   server answers 415 otherwise); the browser adds its own Origin header, which the
//   server checks against its host.
// - Every failure becomes an ApiError: the server's `{"detail": ...}` when it sent
//   one, otherwise what went wrong (no answer, an answer that is not JSON).
// - A 401 means the session has ended: listeners (the shell's banner) are told.

export const API_BASE = '/api/v1';

export type QueryValue = string | number | boolean | null | undefined;
export type Query = Record<string, QueryValue | readonly QueryValue[]>;

/** What kind of failure: the UI says what to do for each. */
export type ApiErrorKind = 'http' | 'session' | 'network' | 'invalid-response';

export class ApiError extends Error {
  readonly status: number;
  readonly detail: string;
  readonly kind: ApiErrorKind;

  constructor(kind: ApiErrorKind, status: number, detail: string) {
    super(detail);
    this.name = 'ApiError';
    this.kind = kind;
    this.status = status;
    this.detail = detail;
  }
}

export function isApiError(error: unknown): error is ApiError {
  return error instanceof ApiError;
}

type SessionListener = () => void;
const sessionListeners = new Set<SessionListener>();

/** Called whenever a request answers 401; returns the unsubscribe function. */
export function onSessionExpired(listener: SessionListener): () => void {
  sessionListeners.add(listener);
  return () => sessionListeners.delete(listener);
}

/** The query string for these parameters: arrays repeat the name; empty values are left out. */
export function queryString(query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    const values = Array.isArray(value) ? value : [value];
    for (const item of values) {
      if (item === undefined || item === null || item === '') continue;
      params.append(name, String(item));
    }
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

/** The URL of an API path (`/studies/search`), with its query. */
export function apiUrl(path: string, query?: Query): string {
  return `${API_BASE}${path}${queryString(query)}`;
}

/** One path segment, e.g. an exam ID (which may hold spaces, `#`, `?` or non-ASCII). */
export function segment(value: string | number): string {
  return encodeURIComponent(String(value));
}

export interface RequestOptions {
  query?: Query;
  body?: unknown;
  signal?: AbortSignal;
  /** Let the request outlive the page (a save as the window closes). */
  keepalive?: boolean;
}

async function errorFrom(response: Response): Promise<ApiError> {
  let detail = '';
  const text = await response.text().catch(() => '');
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed && typeof parsed === 'object' && typeof (parsed as { detail?: unknown }).detail === 'string') {
      detail = (parsed as { detail: string }).detail;
    }
  } catch {
    // Not JSON: waitress's own plain-text refusals, or a proxy's page.
  }
  if (!detail) {
    const firstLine = text.split(/\r?\n/).find((line) => line.trim() !== '') ?? '';
    detail = `The server answered ${response.status} ${response.statusText}`.trim() + (firstLine ? `: ${firstLine.slice(0, 200)}` : '');
  }
  if (response.status === 401) {
    for (const listener of [...sessionListeners]) listener();
    return new ApiError('session', 401, detail);
  }
  return new ApiError('http', response.status, detail);
}

export async function apiRequest<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  const init: RequestInit = { method, headers, credentials: 'same-origin', signal: options.signal };
  if (options.keepalive) init.keepalive = true;
  if (options.body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(options.body);
  }
  let response: Response;
  try {
    response = await fetch(apiUrl(path, options.query), init);
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') throw error;
    throw new ApiError('network', 0, error instanceof Error ? error.message : String(error));
  }
  if (!response.ok) throw await errorFrom(response);
  if (response.status === 204 || method === 'HEAD') return undefined as T;
  const text = await response.text();
  if (text === '') return undefined as T;
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new ApiError('invalid-response', response.status, `The server's answer to ${path} is not JSON`);
  }
}

/** A file the API sends (an export), read whole: its bytes, its headers and the name
 *  the server gives it in `Content-Disposition` ('' if none). Failures as ApiError. */
export async function apiFile(url: string): Promise<{ blob: Blob; headers: Headers; filename: string }> {
  let response: Response;
  try {
    response = await fetch(url, { credentials: 'same-origin' });
  } catch (error) {
    throw new ApiError('network', 0, error instanceof Error ? error.message : String(error));
  }
  if (!response.ok) throw await errorFrom(response);
  const disposition = response.headers.get('Content-Disposition') ?? '';
  const filename = /filename="([^"]+)"/.exec(disposition)?.[1] ?? '';
  return { blob: await response.blob(), headers: response.headers, filename };
}

export const api = {
  get: <T>(path: string, query?: Query, signal?: AbortSignal) => apiRequest<T>('GET', path, { query, signal }),
  post: <T>(path: string, body?: unknown) => apiRequest<T>('POST', path, { body }),
  put: <T>(path: string, body?: unknown, options: { keepalive?: boolean } = {}) => apiRequest<T>('PUT', path, { body, ...options }),
  delete: <T = void>(path: string) => apiRequest<T>('DELETE', path),
};
