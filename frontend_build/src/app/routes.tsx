import { Button } from 'antd';
import { lazy } from 'react';
import { useTranslation } from 'react-i18next';
import { Route, Routes, useNavigate } from 'react-router';
import { StudiesPage } from '@/features/studies';
import { Shell } from './Shell';

// The other screens load when first opened (the Analysis screen's charts with it).
const ReportsPage = lazy(() => import('@/features/reports'));
const AnalysisPage = lazy(() => import('@/features/analysis'));
const ImportPage = lazy(() => import('@/features/import'));
const AuditPage = lazy(() => import('@/features/audit'));
const BackupsPage = lazy(() => import('@/features/backups'));
const SettingsPage = lazy(() => import('@/features/settings'));

function NotFound() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  return (
    <section className="notice-panel" aria-labelledby="not-found-title">
      <h1 id="not-found-title" className="notice-title">
        {t('app.notFoundTitle')}
      </h1>
      <p className="notice-text">{t('app.notFoundText')}</p>
      <Button type="primary" onClick={() => navigate('/')}>
        {t('app.backToStudies')}
      </Button>
    </section>
  );
}

// Routes are one path segment deep: the build's asset URLs are relative (base './'),
// and /a/b would look for them under /a/. A study opens by ?study=<exam_id>.
export function AppRoutes() {
  return (
    <Routes>
      <Route element={<Shell />}>
        <Route index element={<StudiesPage />} />
        <Route path="studies" element={<StudiesPage />} />
        <Route path="reports" element={<ReportsPage />} />
        <Route path="analysis" element={<AnalysisPage />} />
        <Route path="import" element={<ImportPage />} />
        <Route path="audit" element={<AuditPage />} />
        <Route path="backups" element={<BackupsPage />} />
        <Route path="settings" element={<SettingsPage />} />
        <Route path="*" element={<NotFound />} />
      </Route>
    </Routes>
  );
}
