/// <reference types="vitest/config" />
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig, type ProxyOptions } from 'vite';
import { sizeReport } from './build/sizes.ts';

const src = fileURLToPath(new URL('./src', import.meta.url));

// `npm run dev` proxies to a running `imaging-desk serve --port 8765` (or
// IMAGING_DESK_API): open its login link on the dev server's origin
// (http://127.0.0.1:5173/login?once=...). The server takes unsafe requests only from
// its own origin, so the proxy presents that one.
const API_TARGET = process.env.IMAGING_DESK_API ?? 'http://127.0.0.1:8765';
const toServer: ProxyOptions = {
  target: API_TARGET,
  changeOrigin: true,
  configure: (proxy) => {
    proxy.on('proxyReq', (request) => {
      if (request.getHeader('origin')) request.setHeader('origin', API_TARGET);
    });
  },
};

export default defineConfig({
  // Relative asset URLs: the server (or the desktop window) serves dist/ at any root.
  base: './',
  plugins: [react(), sizeReport()],
  resolve: { alias: { '@': src } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: false,
    // build/sizes.ts checks the gzipped budget of the first screen; antd alone is over
    // Vite's default warning of 500 kB uncompressed.
    chunkSizeWarningLimit: 1600,
  },
  server: {
    host: '127.0.0.1',
    proxy: { '/api': toServer, '/login': toServer },
  },
  test: {
    environment: 'jsdom',
    setupFiles: ['./src/test/setup.ts'],
    include: ['src/**/*.test.{ts,tsx}'],
    css: false,
    pool: 'threads',
    maxWorkers: 2,
    testTimeout: 20000,
  },
});
