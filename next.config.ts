import type { NextConfig } from 'next';
import { SECURITY_HEADERS } from './src/http/security-headers.ts';

const config: NextConfig = {
  // Native or WebAssembly modules, and modules that read files beside themselves: loaded by Node
  // from node_modules at run time, not bundled.
  serverExternalPackages: [
    '@electric-sql/pglite',
    'pg',
    'pino',
    'pino-pretty',
    'pdfjs-dist',
    'tesseract.js',
    'sharp',
    '@napi-rs/canvas',
    'piscina',
    'libxml2-wasm',
    'imapflow',
    'exceljs',
  ],
  // The migrations and the XML schemas are read from disk; make sure serverless bundles carry them.
  outputFileTracingIncludes: { '/**': ['./supabase/migrations/**', './data/xsd/**'] },
  poweredByHeader: false,
  // nosniff, no framing, a short Referer on every answer (pages' CSP with its nonce: proxy.ts).
  headers: async () => [{ source: '/:path*', headers: Object.entries(SECURITY_HEADERS).map(([key, value]) => ({ key, value })) }],
};

export default config;
