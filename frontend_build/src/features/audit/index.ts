// The Audit trail screen, loaded lazily by app/routes.tsx (its default export).
export { AuditPage as default } from './components/AuditPage';
