import { useTranslation } from 'react-i18next';
import { ComingSoon } from '@/components/ComingSoon';

/** The Import screen: a placeholder until it is built (issue 10). */
export function ImportPage() {
  const { t } = useTranslation();
  return <ComingSoon title={t('nav.import')} text={t('placeholder.import')} />;
}
