// The Analysis screen, loaded lazily by app/routes.tsx (its default export), with
// its charts (ECharts' core build) loaded when the first one shows.
export { AnalysisPage as default } from './components/AnalysisPage';
