import { QueryClient } from '@tanstack/react-query';
import { isApiError } from '@/lib/api';

/** Server state: a 4xx is an answer (never retried); a busy database (503) or no answer is tried twice more. */
export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        staleTime: 15_000,
        refetchOnWindowFocus: false,
        retry: (failures, error) => {
          if (isApiError(error) && (error.kind === 'http' ? error.status < 500 : error.kind !== 'network')) return false;
          return failures < 2;
        },
        retryDelay: (attempt) => Math.min(500 * 2 ** attempt, 4000),
      },
      mutations: { retry: false },
    },
  });
}
