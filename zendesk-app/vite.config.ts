/**
 * Builds the app's iframe page into dist/assets (what manifest.json's locations point at). See
 * scripts/build-zendesk-app.ts.
 */
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

export default defineConfig({
  root: here('./src'),
  // Relative asset URLs: Zendesk serves the app from its CDN, the demo host from /app/assets/.
  base: './',
  // Always a production build, even when started from a test run (NODE_ENV=test).
  mode: 'production',
  define: { 'process.env.NODE_ENV': JSON.stringify('production') },
  plugins: [react()],
  // The server's answer types (connector/contracts): imported with `import type` only, so no zod
  // reaches the bundle; the alias is here for the day a value is imported on purpose.
  resolve: { alias: { '@standing/contracts': here('../connector/contracts/index.ts') } },
  logLevel: 'warn',
  build: {
    outDir: here('./dist/assets'),
    emptyOutDir: true,
    target: 'es2020',
    assetsDir: '.',
    sourcemap: false,
    reportCompressedSize: false,
  },
});
