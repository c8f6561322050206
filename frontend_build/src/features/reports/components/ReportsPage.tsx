import { useTranslation } from 'react-i18next';
import { ComingSoon } from '@/components/ComingSoon';

/** The Reports screen: a placeholder until it is built (issue 10). */
export function ReportsPage() {
  const { t } = useTranslation();
  return <ComingSoon title={t('nav.reports')} text={t('placeholder.reports')} />;
}
