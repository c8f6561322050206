// The Analysis screen, loaded lazily by app/routes.tsx (its default export).
export { AnalysisPage as default } from './components/AnalysisPage';
