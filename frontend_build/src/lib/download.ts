// The one place that downloads a file for the user (the exports). In the desktop
// window, pywebview exposes `window.pywebview.api.save_download(url, filename)`,
// which shows the native Save dialog and fetches the URL itself; in a browser an
// `<a download>` navigates to the URL and the browser saves the file.

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

/** How the file went: saved by the desktop window (at `saved`, or null if cancelled), or handed to the browser. */
export type DownloadOutcome = { via: 'desktop'; saved: string | null } | { via: 'browser' };

/** Download `url` (same origin, e.g. `/api/v1/studies/export?format=csv`). */
export async function downloadFile(url: string, filename = ''): Promise<DownloadOutcome> {
  const bridge = window.pywebview?.api;
  if (bridge && typeof bridge.save_download === 'function') {
    const absolute = new URL(url, window.location.href).href;
    const answer = await bridge.save_download(absolute, filename);
    return { via: 'desktop', saved: answer?.saved ?? null };
  }
  const link = document.createElement('a');
  link.href = url;
  link.download = filename; // empty: the server's Content-Disposition names the file
  link.rel = 'noopener';
  link.style.display = 'none';
  document.body.appendChild(link);
  try {
    link.click();
  } finally {
    link.remove();
  }
  return { via: 'browser' };
}
