import { GlobalOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { isLanguage } from '@/lib/i18n';
import { updatePreferences } from '@/lib/preferences';
import { LANGUAGES, LANGUAGE_NAMES, type Language } from '@/locales';

/**
 * English / 繁體中文: a radio group always named "Language", each language in its own
 * words. Native radios (transparent, over their labels), so that a click, the arrow
 * keys and a test's check() all work on the real inputs.
 */
export function LanguageSwitch() {
  const { i18n } = useTranslation();
  const value: Language = isLanguage(i18n.language) ? i18n.language : 'en';
  const choose = (next: Language) => {
    void i18n.changeLanguage(next);
    updatePreferences((previous) => (previous.language === next ? previous : { ...previous, language: next }));
  };
  return (
    <div className="language-switch">
      <GlobalOutlined aria-hidden className="language-icon" />
      <div role="radiogroup" aria-label="Language" className="language-options">
        {LANGUAGES.map((language) => (
          <label key={language} className={language === value ? 'language-option checked' : 'language-option'} lang={language}>
            <input
              type="radio"
              name="language"
              value={language}
              checked={language === value}
              onChange={() => choose(language)}
              className="language-input"
            />
            {LANGUAGE_NAMES[language]}
          </label>
        ))}
      </div>
    </div>
  );
}
