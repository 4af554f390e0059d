// Compiles AnchorRegistry.sol with the pinned solc-js and writes
// AnchorRegistry.json (ABI, bytecode, compiler settings). Reproducible: the
// same sources and settings give the same bytes (no metadata hash appended).
//   npm ci && node compile.mjs [--check]
import {readFileSync, writeFileSync} from 'node:fs';
import {fileURLToPath} from 'node:url';
import solc from 'solc';

const here = path => fileURLToPath(new URL(path, import.meta.url));
const EVM_VERSION = 'cancun';
const input = {
  language: 'Solidity',
  sources: {'AnchorRegistry.sol': {content: readFileSync(here('AnchorRegistry.sol'), 'utf8')}},
  settings: {
    evmVersion: EVM_VERSION,
    optimizer: {enabled: true, runs: 200},
    metadata: {bytecodeHash: 'none', appendCBOR: false},
    outputSelection: {'*': {'*': ['abi', 'evm.bytecode.object', 'evm.deployedBytecode.object']}},
  },
};
const output = JSON.parse(solc.compile(JSON.stringify(input)));
const errors = (output.errors || []).filter(e => e.severity === 'error');
if(errors.length) {
  console.error(errors.map(e => e.formattedMessage).join('\n'));
  process.exit(1);
}
const contract = output.contracts['AnchorRegistry.sol'].AnchorRegistry;
const artifact = {
  contractName: 'AnchorRegistry',
  compiler: `solc-js ${solc.version()}`,
  evmVersion: EVM_VERSION,
  optimizer: input.settings.optimizer,
  abi: contract.abi,
  bytecode: '0x' + contract.evm.bytecode.object,
  deployedBytecode: '0x' + contract.evm.deployedBytecode.object,
};
const text = JSON.stringify(artifact, null, 1) + '\n';
const target = here('AnchorRegistry.json');
if(process.argv.includes('--check')) {
  const current = readFileSync(target, 'utf8');
  if(current !== text) {
    console.error('AnchorRegistry.json differs from a fresh compile: run `node compile.mjs`');
    process.exit(1);
  }
  console.log('AnchorRegistry.json is fresh');
} else {
  writeFileSync(target, text);
  console.log(`compiled AnchorRegistry with ${artifact.compiler}, evmVersion ${EVM_VERSION}`);
}
