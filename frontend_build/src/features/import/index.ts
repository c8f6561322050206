// The Import screen, loaded lazily by app/routes.tsx (its default export).
export { ImportPage as default } from './components/ImportPage';
