import { QueryClientProvider, type QueryClient } from '@tanstack/react-query';
import { ConfigProvider, theme } from 'antd';
import enUS from 'antd/locale/en_US';
import zhTW from 'antd/locale/zh_TW';
import { useEffect, useState, type ReactNode } from 'react';
import { I18nextProvider } from 'react-i18next';
import { i18n, isLanguage } from '@/lib/i18n';
import type { Language } from '@/locales';

const ANTD_LOCALES = { en: enUS, 'zh-TW': zhTW } as const;

function useLanguage(): Language {
  const [language, setLanguage] = useState<Language>(isLanguage(i18n.language) ? i18n.language : 'en');
  useEffect(() => {
    const onChange = (lng: string) => setLanguage(isLanguage(lng) ? lng : 'en');
    i18n.on('languageChanged', onChange);
    return () => i18n.off('languageChanged', onChange);
  }, []);
  return language;
}

/** A user who asked the system for less motion gets no antd animations. */
function prefersMotion(): boolean {
  return !window.matchMedia?.('(prefers-reduced-motion: reduce)').matches;
}

/** Everything the screens need around them: server state, texts, antd's locale and theme. */
export function AppProviders({ queryClient, motion = prefersMotion(), children }: { queryClient: QueryClient; motion?: boolean; children: ReactNode }) {
  const language = useLanguage();
  return (
    <QueryClientProvider client={queryClient}>
      <I18nextProvider i18n={i18n}>
        <ConfigProvider
          locale={ANTD_LOCALES[language]}
          theme={{
            algorithm: theme.defaultAlgorithm,
            token: {
              motion,
              colorPrimary: '#1668dc',
              borderRadius: 6,
              fontFamily:
                "system-ui, -apple-system, 'Segoe UI', Roboto, 'Noto Sans', 'Noto Sans CJK TC', 'Microsoft JhengHei', 'PingFang TC', 'Helvetica Neue', Arial, sans-serif",
            },
          }}
        >
          {children}
        </ConfigProvider>
      </I18nextProvider>
    </QueryClientProvider>
  );
}
