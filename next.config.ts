import type { NextConfig } from 'next';

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
    'exceljs',
  ],
  // The migrations and the XML schemas are read from disk; make sure serverless bundles carry them.
  outputFileTracingIncludes: { '/**': ['./supabase/migrations/**', './data/xsd/**'] },
  poweredByHeader: false,
};

export default config;
