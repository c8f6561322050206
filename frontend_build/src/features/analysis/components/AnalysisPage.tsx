import { useTranslation } from 'react-i18next';
import { ComingSoon } from '@/components/ComingSoon';

/** The Analysis screen: a placeholder until it is built (issue 10). */
export function AnalysisPage() {
  const { t } = useTranslation();
  return <ComingSoon title={t('nav.analysis')} text={t('placeholder.analysis')} />;
}
