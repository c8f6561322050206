// The Settings screen, loaded lazily by app/routes.tsx (its default export).
export { SettingsPage as default } from './components/SettingsPage';
