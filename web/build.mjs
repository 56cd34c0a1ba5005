// Builds the web inbox into web/dist: one content-hashed JS bundle and one
// CSS file under dist/assets/, index.html pointing at them, the files of
// public/, and a .gz and .br beside every text file. Prints the compressed
// JavaScript size and fails when it exceeds the budget.
import * as esbuild from 'esbuild';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(fileURLToPath(import.meta.url));
const dist = join(root, 'dist');
const BUDGET_BYTES = 150 * 1024; // compressed JavaScript (gzip), per the issue

rmSync(dist, { recursive: true, force: true });
mkdirSync(join(dist, 'assets'), { recursive: true });

const result = await esbuild.build({
  entryPoints: { app: join(root, 'src/main.tsx') },
  bundle: true,
  minify: true,
  format: 'esm',
  target: ['es2020', 'chrome100', 'firefox100', 'safari15'],
  outdir: join(dist, 'assets'),
  entryNames: '[name]-[hash]',
  assetNames: '[name]-[hash]',
  jsx: 'automatic',
  jsxImportSource: 'preact',
  legalComments: 'none',
  metafile: true,
  absWorkingDir: root,
  logLevel: 'warning',
});

const outputs = Object.keys(result.metafile.outputs).map((p) => join(root, p));
const asset = (ext) => {
  const found = outputs.find((p) => p.endsWith(ext));
  if (!found) throw new Error(`esbuild produced no ${ext} file`);
  return '/' + relative(dist, found).split('\\').join('/');
};

const template = readFileSync(join(root, 'index.html'), 'utf8');
const html = template.replace('%APP_JS%', asset('.js')).replace('%APP_CSS%', asset('.css'));
if (html.includes('%')) throw new Error('index.html has an unfilled placeholder');
writeFileSync(join(dist, 'index.html'), html);

for (const name of readdirSync(join(root, 'public'))) {
  copyFileSync(join(root, 'public', name), join(dist, name));
}

// Precompress text files; the web component serves .br or .gz by Accept-Encoding.
const compressible = /\.(html|js|css|svg|json|txt|webmanifest)$/;
const sizes = [];
const walk = (dir) =>
  readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
for (const file of walk(dist)) {
  if (!compressible.test(file)) continue;
  const raw = readFileSync(file);
  const gz = gzipSync(raw, { level: 9 });
  const br = brotliCompressSync(raw, {
    params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: raw.length },
  });
  if (gz.length < raw.length) writeFileSync(file + '.gz', gz);
  if (br.length < raw.length) writeFileSync(file + '.br', br);
  sizes.push({ file: relative(dist, file), raw: raw.length, gz: gz.length, br: br.length });
}

const kb = (n) => (n / 1024).toFixed(1) + ' KB';
for (const s of sizes) {
  console.log(`  ${s.file.padEnd(34)} ${kb(s.raw).padStart(9)}  gzip ${kb(s.gz).padStart(8)}  br ${kb(s.br).padStart(8)}`);
}
const js = sizes.filter((s) => s.file.endsWith('.js'));
const jsGz = js.reduce((n, s) => n + s.gz, 0);
const jsBr = js.reduce((n, s) => n + s.br, 0);
console.log(`web: JavaScript ${kb(jsGz)} gzip (${kb(jsBr)} brotli); budget ${kb(BUDGET_BYTES)} compressed`);
if (jsGz > BUDGET_BYTES) {
  console.error(`web: the JavaScript bundle is over its ${kb(BUDGET_BYTES)} budget`);
  process.exit(1);
}
