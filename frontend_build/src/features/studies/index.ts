// The Studies screen (the start screen).
export { StudiesPage } from './components/StudiesPage';
