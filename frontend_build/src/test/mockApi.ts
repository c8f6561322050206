// A fetch that answers like the server, from handlers per "METHOD /path", and
// records every request.

import { vi } from 'vitest';

export interface RecordedRequest {
  method: string;
  path: string;
  params: URLSearchParams;
  headers: Record<string, string>;
  body: unknown;
  credentials: RequestCredentials | undefined;
}

export type Answer = { status?: number; body?: unknown; text?: string; delayMs?: number } | Promise<never>;
export type Handler = (request: RecordedRequest) => Answer | Promise<Answer>;

export function json(body: unknown, status = 200): Answer {
  return { status, body };
}

export function mockApi(handlers: Record<string, Handler | Answer>) {
  const requests: RecordedRequest[] = [];
  const fetchMock = vi.fn(async (input: RequestInfo | URL, init: RequestInit = {}) => {
    const url = new URL(String(input), 'http://127.0.0.1:8765/');
    const method = (init.method ?? 'GET').toUpperCase();
    const headers = Object.fromEntries(Object.entries((init.headers ?? {}) as Record<string, string>).map(([k, v]) => [k.toLowerCase(), v]));
    const request: RecordedRequest = {
      method,
      path: url.pathname,
      params: url.searchParams,
      headers,
      body: typeof init.body === 'string' ? JSON.parse(init.body) : undefined,
      credentials: init.credentials,
    };
    requests.push(request);
    const key = `${method} ${url.pathname}`;
    let handler: Handler | Answer | undefined = handlers[key];
    if (handler === undefined) {
      // Patterns such as "GET /api/v1/studies/:id/full".
      const found = Object.entries(handlers).find(([pattern]) => {
        const [m, p] = pattern.split(' ');
        if (m !== method || !p.includes(':')) return false;
        const regex = new RegExp(`^${p.replace(/:[a-z_]+/g, '[^/]+')}$`);
        return regex.test(url.pathname);
      });
      handler = found?.[1];
    }
    if (handler === undefined) return new Response(JSON.stringify({ detail: 'Not Found' }), { status: 404, headers: { 'Content-Type': 'application/json' } });
    const answer = await (typeof handler === 'function' ? handler(request) : handler);
    if (answer && 'delayMs' in answer && answer.delayMs) await new Promise((resolve) => setTimeout(resolve, answer.delayMs));
    const status = answer?.status ?? 200;
    if (status === 204) return new Response(null, { status });
    const text = answer && 'text' in answer && answer.text !== undefined ? answer.text : JSON.stringify(answer?.body ?? {});
    return new Response(text, { status, headers: { 'Content-Type': 'application/json' } });
  });
  vi.stubGlobal('fetch', fetchMock);
  return {
    requests,
    fetchMock,
    calls: (method: string, path: string) => requests.filter((r) => r.method === method && r.path === path),
  };
}
