// The Backups screen, loaded lazily by app/routes.tsx (its default export).
export { BackupsPage as default } from './components/BackupsPage';
