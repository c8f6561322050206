import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from '@/app/App';
import { createQueryClient } from '@/app/queryClient';
import { initI18n, isLanguage, systemLanguage } from '@/lib/i18n';
import { flushPreferences, loadPreferences } from '@/lib/preferences';
import '@/app/app.css';

async function start() {
  // The preferences first, so that the first paint is in the user's language.
  const preferences = await loadPreferences();
  await initI18n(isLanguage(preferences.language) ? preferences.language : systemLanguage());
  window.addEventListener('pagehide', () => void flushPreferences({ keepalive: true }));
  createRoot(document.getElementById('root')!).render(
    <StrictMode>
      <App queryClient={createQueryClient()} />
    </StrictMode>,
  );
}

void start();
