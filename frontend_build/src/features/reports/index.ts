// The Reports screen, loaded lazily by app/routes.tsx (its default export).
export { ReportsPage as default } from './components/ReportsPage';
