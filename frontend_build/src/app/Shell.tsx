import { Alert, Layout } from 'antd';
import { Suspense, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { NavLink, Outlet, useLocation } from 'react-router';
import { DesktopSavedNotice } from '@/components/SavedNotice';
import { onSessionExpired } from '@/lib/api';
import { LanguageSwitch } from './LanguageSwitch';

const NAV = [
  { to: '/', key: 'studies', end: true },
  { to: '/reports', key: 'reports', end: false },
  { to: '/analysis', key: 'analysis', end: false },
  { to: '/import', key: 'import', end: false },
  { to: '/audit', key: 'audit', end: false },
  { to: '/backups', key: 'backups', end: false },
  { to: '/settings', key: 'settings', end: false },
] as const;

function useSessionExpired(): boolean {
  const [expired, setExpired] = useState(false);
  useEffect(() => onSessionExpired(() => setExpired(true)), []);
  return expired;
}

/** The header (app name, navigation, language) over the current screen. */
export function Shell() {
  const { t } = useTranslation();
  const expired = useSessionExpired();
  const { pathname } = useLocation();
  return (
    <Layout className="app-layout">
      <DesktopSavedNotice />
      <a className="skip-link" href="#main">
        {t('app.skipToContent')}
      </a>
      <Layout.Header className="app-header">
        <div className="app-brand">
          <svg className="app-logo" viewBox="0 0 32 32" aria-hidden="true" focusable="false">
            <rect width="32" height="32" rx="6" fill="#1668dc" />
            <circle cx="16" cy="16" r="8" fill="none" stroke="#fff" strokeWidth="3" />
            <circle cx="16" cy="16" r="2.5" fill="#fff" />
          </svg>
          <span className="app-name">{t('app.name')}</span>
        </div>
        <nav className="app-nav" aria-label={t('nav.label')}>
          {NAV.map((item) => (
            <NavLink
              key={item.key}
              to={item.to}
              end={item.end}
              className={({ isActive }) => (isActive || (item.key === 'studies' && pathname === '/studies') ? 'nav-link active' : 'nav-link')}
            >
              {t(`nav.${item.key}`)}
            </NavLink>
          ))}
        </nav>
        <LanguageSwitch />
      </Layout.Header>
      <Layout.Content id="main" className="app-content" tabIndex={-1}>
        {expired ? (
          <Alert className="session-banner" type="warning" showIcon role="alert" title={t('session.title')} description={t('session.text')} />
        ) : null}
        <Suspense fallback={<div className="page-loading">{t('common.loading')}</div>}>
          <Outlet />
        </Suspense>
      </Layout.Content>
    </Layout>
  );
}
