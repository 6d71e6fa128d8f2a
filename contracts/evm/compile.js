// compile.js: compiles src/*.sol with the pinned solc (package.json) into
// artifacts/<Contract>.abi and .bin. Deterministic: same sources and settings,
// same bytes. Run by build.sh (make contracts).
'use strict';
const solc = require('solc');
const fs = require('fs');
const path = require('path');

const here = __dirname;
const srcDir = path.join(here, 'src');
const outDir = path.join(here, 'artifacts');
const wanted = ['FluxBridge', 'FluxToken'];

const settings = {
  optimizer: { enabled: true, runs: 200 },
  // Explicit: solc 0.8.37 defaults to "osaka", which chains we deploy to may not run yet.
  evmVersion: 'cancun',
  // The IR pipeline: mint's event and checks need more than the legacy pipeline's 16 stack slots.
  viaIR: true,
  outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object'] } },
};

const sources = {};
for (const f of fs.readdirSync(srcDir).sort()) {
  if (f.endsWith('.sol')) sources[f] = { content: fs.readFileSync(path.join(srcDir, f), 'utf8') };
}

function findImports(p) {
  for (const base of [path.join(here, 'node_modules'), srcDir]) {
    const f = path.join(base, p);
    if (fs.existsSync(f)) return { contents: fs.readFileSync(f, 'utf8') };
  }
  return { error: 'not found: ' + p };
}

const out = JSON.parse(solc.compile(JSON.stringify({ language: 'Solidity', sources, settings }), { import: findImports }));
let failed = false;
for (const e of out.errors || []) {
  console.error(e.formattedMessage);
  if (e.severity === 'error') failed = true;
}
if (failed) process.exit(1);

fs.mkdirSync(outDir, { recursive: true });
for (const name of wanted) {
  const c = out.contracts[name + '.sol'] && out.contracts[name + '.sol'][name];
  if (!c) { console.error('missing contract ' + name); process.exit(1); }
  fs.writeFileSync(path.join(outDir, name + '.abi'), JSON.stringify(c.abi, null, 1) + '\n');
  fs.writeFileSync(path.join(outDir, name + '.bin'), c.evm.bytecode.object + '\n');
  console.log(`${name}: ${c.evm.bytecode.object.length / 2} bytes of init code`);
}
fs.writeFileSync(path.join(outDir, 'compiler.json'),
  JSON.stringify({ solc: solc.version(), settings: { optimizer: settings.optimizer, evmVersion: settings.evmVersion, viaIR: settings.viaIR } }, null, 1) + '\n');
