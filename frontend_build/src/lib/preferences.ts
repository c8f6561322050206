// The user's preferences (language, the studies' columns, page size and last
// search): one JSON object kept by the server (GET/PUT /api/v1/preferences, so they
// outlive the desktop window's web storage), mirrored in localStorage. When the
// server has no such endpoint (404/405) or cannot be reached, localStorage alone
// keeps them. PUT replaces the whole object, so every update merges into it.

import { useSyncExternalStore } from 'react';
import { ApiError, api } from './api';

export interface StudiesPreferences {
  hiddenColumns?: string[];
  pageSize?: number;
  /** The last search's query string (filters, sort, page size; no page, no open study). */
  lastSearch?: string;
}

export interface Preferences {
  language?: 'en' | 'zh-TW';
  studies?: StudiesPreferences;
  [key: string]: unknown;
}

export const STORAGE_KEY = 'imaging-desk.preferences';
const SAVE_DELAY_MS = 400;

type Backend = 'server' | 'local';

let current: Preferences = {};
let backend: Backend = 'local';
let saveTimer: ReturnType<typeof setTimeout> | null = null;
const listeners = new Set<() => void>();

function readLocal(): Preferences {
  try {
    const text = window.localStorage.getItem(STORAGE_KEY);
    const value: unknown = text ? JSON.parse(text) : {};
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Preferences) : {};
  } catch {
    return {};
  }
}

function writeLocal(value: Preferences): void {
  try {
    window.localStorage.setItem(STORAGE_KEY, JSON.stringify(value));
  } catch {
    // Storage full or switched off: the server's copy (if any) still holds them.
  }
}

function notify(): void {
  for (const listener of [...listeners]) listener();
}

/** Loads the preferences once at start: the server's, else the local copy. */
export async function loadPreferences(timeoutMs = 3000): Promise<Preferences> {
  const local = readLocal();
  try {
    const fromServer = await Promise.race([
      api.get<Record<string, unknown>>('/preferences'),
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timeout')), timeoutMs)),
    ]);
    backend = 'server';
    const isObject = fromServer && typeof fromServer === 'object' && !Array.isArray(fromServer);
    // The first start with a server store: carry over what this browser had kept.
    current = isObject && Object.keys(fromServer).length > 0 ? (fromServer as Preferences) : local;
    if (isObject && Object.keys(fromServer).length === 0 && Object.keys(local).length > 0) scheduleSave();
  } catch (error) {
    backend = 'local';
    current = local;
    if (error instanceof ApiError && error.kind === 'http' && ![404, 405].includes(error.status)) {
      console.warn('Preferences: the server refused them; using this browser’s copy.', error.detail);
    }
  }
  writeLocal(current);
  notify();
  return current;
}

export function getPreferences(): Preferences {
  return current;
}

export function preferencesBackend(): Backend {
  return backend;
}

function scheduleSave(): void {
  if (saveTimer !== null) clearTimeout(saveTimer);
  saveTimer = setTimeout(() => {
    saveTimer = null;
    void flushPreferences();
  }, SAVE_DELAY_MS);
}

/** Sends the preferences to the server now (a pending delayed save included). */
export async function flushPreferences({ keepalive = false } = {}): Promise<void> {
  if (saveTimer === null && keepalive) return; // nothing pending
  if (saveTimer !== null) {
    clearTimeout(saveTimer);
    saveTimer = null;
  }
  if (backend !== 'server') return;
  try {
    await api.put('/preferences', current, { keepalive });
  } catch (error) {
    if (error instanceof ApiError && error.kind === 'http' && [404, 405].includes(error.status)) backend = 'local';
    // Otherwise the local copy holds them until the next save.
  }
}

/** Changes the preferences: `update` gets the current object and returns the new one. */
export function updatePreferences(update: (previous: Preferences) => Preferences): void {
  const next = update(current);
  if (next === current) return;
  current = next;
  writeLocal(current);
  notify();
  if (backend === 'server') scheduleSave();
}

/** Merges into one section, e.g. `updateSection('studies', { pageSize: 50 })`. */
export function updateSection<K extends 'studies'>(key: K, patch: Partial<NonNullable<Preferences[K]>>): void {
  updatePreferences((previous) => {
    const section = (previous[key] ?? {}) as Record<string, unknown>;
    const changed = Object.entries(patch).some(([name, value]) => JSON.stringify(section[name]) !== JSON.stringify(value));
    return changed ? { ...previous, [key]: { ...section, ...patch } } : previous;
  });
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** The preferences, re-rendering when they change. */
export function usePreferences(): Preferences {
  return useSyncExternalStore(subscribe, getPreferences, getPreferences);
}

/** For tests: forget everything loaded. */
export function resetPreferencesForTests(): void {
  if (saveTimer !== null) clearTimeout(saveTimer);
  saveTimer = null;
  current = {};
  backend = 'local';
}
