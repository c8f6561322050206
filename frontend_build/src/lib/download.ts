// The one place that downloads a file for the user (the exports). In the desktop
// window, pywebview exposes `window.pywebview.api.save_download(url, filename)`,
// which shows the native Save dialog and fetches the URL itself; in a browser an
// `<a download>` navigates to the URL and the browser saves the file, or, when the
// caller needs the answer's headers (`readHeaders`), the app fetches the file
// itself and hands it to the browser to save.

import { apiFile } from './api';

export interface DesktopBridge {
  /** The native Save dialog, then the window writes the file: where (null: the user cancelled). */
  save_download?: (url: string, filename: string) => Promise<{ saved: string | null } | null | undefined>;
  /** The native Open dialog for a DuckDB file: its absolute path, or null (see chooseFile.ts). */
  choose_duckdb?: () => Promise<string | null>;
}

declare global {
  interface Window {
    pywebview?: { api?: DesktopBridge };
  }
}

/** How the file went: saved by the desktop window (at `saved`, or null if cancelled), or
 *  handed to the browser (with the answer's headers when they were asked for). */
export type DownloadOutcome = { via: 'desktop'; saved: string | null } | { via: 'browser'; headers?: Headers };

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
    return { via: 'desktop', saved: answer?.saved ?? null };
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
