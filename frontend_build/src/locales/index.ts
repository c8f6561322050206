import { en } from './en';
import { zhTW } from './zh-TW';

export const LANGUAGES = ['en', 'zh-TW'] as const;
export type Language = (typeof LANGUAGES)[number];

/** Each language's own name, as the switch offers it (never translated). */
export const LANGUAGE_NAMES: Record<Language, string> = { en: 'English', 'zh-TW': '繁體中文' };

export const resources = {
  en: { translation: en },
  'zh-TW': { translation: zhTW },
} as const;
