import { InfoCircleOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';

/** A screen that is not built yet: its title and what it will do. */
export function ComingSoon({ title, text }: { title: string; text: string }) {
  const { t } = useTranslation();
  return (
    <section aria-labelledby="coming-title" className="page-section">
      <h1 id="coming-title" className="page-title">
        {title}
      </h1>
      <div className="notice-panel">
        <InfoCircleOutlined aria-hidden className="notice-icon" />
        <p className="notice-title">{t('placeholder.coming')}</p>
        <p className="notice-text">{text}</p>
      </div>
    </section>
  );
}
