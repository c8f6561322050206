// The one place that downloads a file for the user (the exports). In the desktop
// window, pywebview exposes `window.pywebview.api.save_download(url, filename)`,
// which shows the native Save dialog and fetches the URL itself; in a browser an
// `<a download>` navigates to the URL and the browser saves the file, or, when the
// caller needs the answer's headers (`readHeaders`), the app fetches the file
// itself and hands it to the browser to save.
//
// The window's File menu saves exports without the app; it then sends the app
// DESKTOP_SAVED_EVENT (see onDesktopSaved), so that the app says what it saved.

import { apiFile } from './api';

/** What the desktop window answers when it saved (or did not save) a file. */
export interface DesktopSaved {
  /** Where the file went; null: the user cancelled the Save dialog. */
  saved: string | null;
  /** How many cells the Excel file cut to fit (its header X-Imaging-Desk-Shortened-Cells); 0 for a CSV. */
  shortened?: number;
  /** Why the file could not be saved (a full drive, a folder it may not write to), in words. */
  error?: string;
}

/** The desktop window could not save the file; its message says why, in words. */
export class DesktopSaveError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DesktopSaveError';
  }
}

export interface DesktopBridge {
  /** The native Save dialog, then the window writes the file (only the server's own export). */
  save_download?: (url: string, filename: string) => Promise<DesktopSaved | null | undefined>;
  /** The native Open dialog for a DuckDB file: its absolute path, or null (see chooseFile.ts). */
  choose_duckdb?: () => Promise<string | null>;
  /** Shows the backups folder in the system's file manager; answers the folder. */
  open_backups_folder?: () => Promise<string | null>;
  /** After the Settings screen saved a database: the window restarts its server on it and reloads the app ({ok: false, error} when it cannot now). */
  restart_on_saved_database?: () => Promise<{ ok: boolean; error?: string } | null>;
}

declare global {
  interface Window {
    pywebview?: { api?: DesktopBridge };
  }
}

/** How the file went: saved by the desktop window (at `saved`, or null if cancelled), or
 *  handed to the browser (with the answer's headers when they were asked for). */
export type DownloadOutcome =
  | { via: 'desktop'; saved: string | null; shortened: number }
  | { via: 'browser'; headers?: Headers };

/** The window event of the desktop's File > Export…, after it saved a file (desktop/window.py). */
export const DESKTOP_SAVED_EVENT = 'imaging-desk:export-saved';

function count(value: unknown): number {
  const n = Number(value ?? 0);
  return Number.isFinite(n) && n > 0 ? Math.floor(n) : 0;
}

/** Calls `handler` for each file the desktop window's menu saved; returns the unsubscribe.
 *  The event is cancelled, which tells the window that the app has said so. */
export function onDesktopSaved(handler: (saved: { saved: string; shortened: number }) => void): () => void {
  const listener = (event: Event) => {
    const detail = (event as CustomEvent<DesktopSaved | null>).detail;
    if (!detail?.saved) return;
    event.preventDefault();
    handler({ saved: detail.saved, shortened: count(detail.shortened) });
  };
  window.addEventListener(DESKTOP_SAVED_EVENT, listener);
  return () => window.removeEventListener(DESKTOP_SAVED_EVENT, listener);
}

/** Whether downloads go through the desktop window's Save dialog. */
export function savesThroughDesktop(): boolean {
  return typeof window.pywebview?.api?.save_download === 'function';
}

/** Download `url` (same origin, e.g. `/api/v1/studies/export?format=csv`). `readHeaders`
 *  fetches it first, whole, so that the headers can be read: only for files that fit
 *  in memory (an Excel export; never a CSV of every study). */
export async function downloadFile(url: string, filename = '', { readHeaders = false } = {}): Promise<DownloadOutcome> {
  const bridge = window.pywebview?.api;
  if (bridge && typeof bridge.save_download === 'function') {
    const absolute = new URL(url, window.location.href).href;
    const answer = await bridge.save_download(absolute, filename);
    if (answer?.error) throw new DesktopSaveError(answer.error);
    return { via: 'desktop', saved: answer?.saved ?? null, shortened: count(answer?.shortened) };
  }
  if (readHeaders) {
    const file = await apiFile(url);
    const objectUrl = URL.createObjectURL(file.blob);
    try {
      clickLink(objectUrl, filename || file.filename);
    } finally {
      // The browser has taken the file by the time the click returns; a minute more
      // for the slowest.
      setTimeout(() => URL.revokeObjectURL(objectUrl), 60_000);
    }
    return { via: 'browser', headers: file.headers };
  }
  clickLink(url, filename); // an empty name: the server's Content-Disposition names the file
  return { via: 'browser' };
}

function clickLink(href: string, filename: string): void {
  const link = document.createElement('a');
  link.href = href;
  link.download = filename;
  link.rel = 'noopener';
  link.style.display = 'none';
  document.body.appendChild(link);
  try {
    link.click();
  } finally {
    link.remove();
  }
}
