// The one place that asks the desktop window for a file. In the desktop window,
// pywebview exposes `window.pywebview.api.choose_duckdb()`, which shows the native
// Open dialog and answers the chosen file's absolute path (null when the user
// closes it). pywebview may inject its bridge after the page has started; it then
// fires `pywebviewready` on the window. In a browser there is no bridge: the path
// is typed in.

import { useEffect, useState } from 'react';
import type { DesktopBridge } from './download';

function bridge(): DesktopBridge | undefined {
  return typeof window === 'undefined' ? undefined : window.pywebview?.api;
}

/** Whether the desktop window offers its native file dialog. */
export function canChooseDuckdbFile(): boolean {
  return typeof bridge()?.choose_duckdb === 'function';
}

/** The DuckDB file the user chooses in the native dialog, or null (closed, or no dialog). */
export async function chooseDuckdbFile(): Promise<string | null> {
  const api = bridge();
  if (!api || typeof api.choose_duckdb !== 'function') return null;
  const path = await api.choose_duckdb();
  return typeof path === 'string' && path !== '' ? path : null;
}

/** Whether the native dialog is there, re-rendering when pywebview's bridge arrives. */
export function useCanChooseDuckdbFile(): boolean {
  const [can, setCan] = useState(canChooseDuckdbFile);
  useEffect(() => {
    const check = () => setCan(canChooseDuckdbFile());
    check();
    window.addEventListener('pywebviewready', check);
    return () => window.removeEventListener('pywebviewready', check);
  }, []);
  return can;
}
