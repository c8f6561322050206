// The one place that downloads a file for the user (the exports). In the desktop
// window, pywebview exposes `window.pywebview.api.save_download(url, filename)`,
// which shows the native Save dialog and fetches the URL itself; in a browser an
// `<a download>` navigates to the URL and the browser saves the file.

export interface DesktopBridge {
  save_download?: (url: string, filename: string) => Promise<unknown>;
  /** The native Open dialog for a DuckDB file: its absolute path, or null (see chooseFile.ts). */
  choose_duckdb?: () => Promise<string | null>;
}

declare global {
  interface Window {
    pywebview?: { api?: DesktopBridge };
  }
}

export type DownloadOutcome = 'desktop' | 'browser';

/** Download `url` (same origin, e.g. `/api/v1/studies/export?format=csv`). */
export async function downloadFile(url: string, filename = ''): Promise<DownloadOutcome> {
  const bridge = window.pywebview?.api;
  if (bridge && typeof bridge.save_download === 'function') {
    const absolute = new URL(url, window.location.href).href;
    await bridge.save_download(absolute, filename);
    return 'desktop';
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
  return 'browser';
}
