// The app's languages: English and Traditional Chinese, with every text bundled
// (no backend). The first language follows the system's (zh-* -> zh-TW); the
// user's choice is kept in the preferences. dayjs and antd follow (see
// app/providers.tsx for antd).

import dayjs from 'dayjs';
import 'dayjs/locale/zh-tw';
import i18next, { type i18n as I18n } from 'i18next';
import { initReactI18next } from 'react-i18next';
import { LANGUAGES, resources, type Language } from '@/locales';

export const i18n: I18n = i18next.createInstance();

export function isLanguage(value: unknown): value is Language {
  return typeof value === 'string' && (LANGUAGES as readonly string[]).includes(value);
}

/** The system's language as one of ours: any Chinese is zh-TW, anything else English. */
export function systemLanguage(languages: readonly string[] = navigator.languages ?? [navigator.language]): Language {
  const first = languages.find(Boolean) ?? 'en';
  return first.toLowerCase().startsWith('zh') ? 'zh-TW' : 'en';
}

function applySideEffects(language: Language): void {
  dayjs.locale(language === 'zh-TW' ? 'zh-tw' : 'en');
  if (typeof document !== 'undefined') document.documentElement.lang = language;
}

export async function initI18n(language: Language): Promise<I18n> {
  if (!i18n.isInitialized) {
    i18n.on('languageChanged', (lng) => {
      if (isLanguage(lng)) applySideEffects(lng);
    });
    await i18n.use(initReactI18next).init({
      resources,
      lng: language,
      fallbackLng: 'en',
      supportedLngs: [...LANGUAGES],
      interpolation: { escapeValue: false }, // React escapes
    });
  } else if (i18n.language !== language) {
    await i18n.changeLanguage(language);
  }
  applySideEffects(language);
  return i18n;
}

export function currentLanguage(): Language {
  return isLanguage(i18n.language) ? i18n.language : 'en';
}
