import { Alert, Button } from 'antd';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { isApiError } from '@/lib/api';

/** What went wrong, in words, and what to do about it. */
export function useErrorText(): (error: unknown) => { detail: string; hint: string | null } {
  const { t } = useTranslation();
  return (error) => {
    if (isApiError(error)) {
      switch (error.kind) {
        case 'session':
          return { detail: t('session.title'), hint: t('session.text') };
        case 'network':
          return { detail: t('errors.network'), hint: null };
        case 'invalid-response':
          return { detail: error.detail, hint: t('errors.invalidResponse') };
        default:
          if (error.status === 503) return { detail: error.detail, hint: t('errors.busy') };
          if (error.status >= 500) return { detail: error.detail, hint: t('errors.serverError') };
          if (error.status === 400) return { detail: error.detail, hint: t('errors.badRequest') };
          return { detail: error.detail, hint: null };
      }
    }
    return { detail: error instanceof Error ? error.message : String(error), hint: null };
  };
}

export function ErrorAlert({
  error,
  title,
  onRetry,
  action,
}: {
  error: unknown;
  title?: ReactNode;
  onRetry?: () => void;
  action?: ReactNode;
}) {
  const { t } = useTranslation();
  const describe = useErrorText();
  const { detail, hint } = describe(error);
  return (
    <Alert
      type="error"
      showIcon
      role="alert"
      title={title ?? t('errors.title')}
      description={
        <>
          <div className="error-detail">{detail}</div>
          {hint ? <div>{hint}</div> : null}
        </>
      }
      action={
        action ??
        (onRetry ? (
          <Button size="small" onClick={onRetry}>
            {t('common.retry')}
          </Button>
        ) : undefined)
      }
    />
  );
}
