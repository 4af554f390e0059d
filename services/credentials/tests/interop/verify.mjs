// Independent verification of what the credential engine issues, with the
// npm implementations the W3C community uses: @digitalbazaar/vc 7 with the
// ecdsa-rdfc-2019 and eddsa-rdfc-2022 cryptosuites and Bitstring Status
// Lists, and @sd-jwt/sd-jwt-vc 0.19 (verify, and issue/present so that
// Python verifies its output too).
//
// Offline: every JSON-LD context comes from the npm context packages; DID
// documents and status list credentials come in the request ("documents"),
// did:key documents are derived here from the key. Unknown URLs fail.
//
// stdin: {"documents": {url: json}, "requests": [{op, ...}]}
// stdout: [{ok, ...result} | {ok: false, error}] in request order.
import {readFileSync} from 'node:fs';
import {fileURLToPath} from 'node:url';
import * as vc from '@digitalbazaar/vc';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as ecdsaRdfc2019} from '@digitalbazaar/ecdsa-rdfc-2019-cryptosuite';
import {cryptosuite as eddsaRdfc2022} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import {checkStatus} from '@digitalbazaar/vc-bitstring-status-list';
import * as EcdsaMultikey from '@digitalbazaar/ecdsa-multikey';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import {SDJwtVcInstance} from '@sd-jwt/sd-jwt-vc';
import {ES256, digest, generateSalt} from '@sd-jwt/crypto-nodejs';
import {createPrivateKey, createPublicKey, sign as nodeSign, verify as nodeVerify} from 'node:crypto';

const contextFile = (pkg, file) => JSON.parse(readFileSync(
  fileURLToPath(new URL(`node_modules/${pkg}/${file}`, import.meta.url))));
const CONTEXTS = new Map([
  ['https://www.w3.org/2018/credentials/v1', contextFile('@digitalbazaar/credentials-context', 'contexts/v1.jsonld')],
  ['https://www.w3.org/ns/credentials/v2', contextFile('@digitalbazaar/credentials-context', 'contexts/v2.jsonld')],
  ['https://www.w3.org/ns/credentials/undefined-terms/v2', contextFile('@digitalbazaar/credentials-context', 'contexts/undefined-terms-v2.jsonld')],
  ['https://w3id.org/security/data-integrity/v2', contextFile('@digitalbazaar/data-integrity-context', 'contexts/data-integrity-v2.jsonld')],
  ['https://w3id.org/security/multikey/v1', contextFile('@digitalbazaar/multikey-context', 'contexts/multikey-v1.jsonld')],
  ['https://www.w3.org/ns/did/v1', contextFile('did-context', 'contexts/did-v1.jsonld')],
]);

function didKeyDocument(did) {
  const mb = did.slice('did:key:'.length);
  const id = `${did}#${mb}`;
  return {
    '@context': ['https://www.w3.org/ns/did/v1', 'https://w3id.org/security/multikey/v1'],
    id,
    verificationMethod: [{id, type: 'Multikey', controller: did, publicKeyMultibase: mb}],
    assertionMethod: [id], authentication: [id],
  };
}

function makeLoader(documents) {
  return async url => {
    if(CONTEXTS.has(url)) {
      return {contextUrl: null, documentUrl: url, document: CONTEXTS.get(url)};
    }
    const [base, fragment] = url.split('#');
    let document;
    if(base.startsWith('did:key:')) {
      document = didKeyDocument(base);
      document.id = base;
    } else if(base.startsWith('did:web:')) {
      document = documents[base];
    } else {
      document = documents[url];
    }
    if(!document) {
      throw new Error(`document not available offline: ${url}`);
    }
    if(fragment !== undefined && base.startsWith('did:')) {
      const method = (document.verificationMethod || []).find(m => m.id === url);
      if(!method) {
        throw new Error(`no verification method ${url}`);
      }
      return {contextUrl: null, documentUrl: url,
        document: {'@context': 'https://w3id.org/security/multikey/v1', ...method}};
    }
    return {contextUrl: null, documentUrl: url, document};
  };
}

const suites = () => [
  new DataIntegrityProof({cryptosuite: ecdsaRdfc2019}),
  new DataIntegrityProof({cryptosuite: eddsaRdfc2022}),
];

function summarize(result) {
  const errors = [];
  const walk = value => {
    if(!value || typeof value !== 'object') {
      return;
    }
    if(value instanceof Error) {
      errors.push(value.message);
      if(value.errors) {
        value.errors.forEach(walk);
      }
      return;
    }
    if(Array.isArray(value)) {
      value.forEach(walk);
      return;
    }
    for(const [key, item] of Object.entries(value)) {
      if(key === 'error' || key === 'results' || key === 'statusResult' || key === 'credentialResults') {
        walk(item);
      }
    }
  };
  walk(result);
  const statusResults = [];
  const collectStatus = value => {
    if(!value || typeof value !== 'object') {
      return;
    }
    if(value.statusResult) {
      statusResults.push(...(value.statusResult.results || [value.statusResult]).map(
        r => ({verified: r.verified, status: r.status, purpose: r.credentialStatus?.statusPurpose})));
    }
    for(const key of ['results', 'credentialResults']) {
      if(Array.isArray(value[key])) {
        value[key].forEach(collectStatus);
      }
    }
  };
  collectStatus(result);
  return {verified: Boolean(result.verified), errors, status: statusResults};
}

function jwkVerifier(jwk) {
  const key = createPublicKey({key: jwk, format: 'jwk'});
  return async (data, signature) => {
    const sig = Buffer.from(signature, 'base64url');
    if(jwk.kty === 'OKP') {
      return nodeVerify(null, Buffer.from(data), key, sig);
    }
    return nodeVerify('sha256', Buffer.from(data), {key, dsaEncoding: 'ieee-p1363'}, sig);
  };
}

function jwkSigner(jwk) {
  const key = createPrivateKey({key: jwk, format: 'jwk'});
  return async data => {
    const sig = jwk.kty === 'OKP' ? nodeSign(null, Buffer.from(data), key) :
      nodeSign('sha256', Buffer.from(data), {key, dsaEncoding: 'ieee-p1363'});
    return Buffer.from(sig).toString('base64url');
  };
}

async function handle(request, documentLoader) {
  switch(request.op) {
    case 'verifyCredential': {
      const result = await vc.verifyCredential({
        credential: request.credential, suite: suites(), documentLoader,
        checkStatus: request.credential.credentialStatus ? checkStatus : undefined,
        now: request.now ? new Date(request.now) : undefined,
      });
      return summarize(result);
    }
    case 'verifyPresentation': {
      const result = await vc.verify({
        presentation: request.presentation, suite: suites(), documentLoader,
        challenge: request.challenge, domain: request.domain, checkStatus,
      });
      return summarize(result);
    }
    case 'diIssue': {
      // request: {credential (unsigned, issuer left for the key's did:key), cryptosuite}
      const eddsa = request.cryptosuite === 'eddsa-rdfc-2022';
      const keyPair = await (eddsa ? Ed25519Multikey : EcdsaMultikey).generate(eddsa ? {} : {curve: 'P-256'});
      const did = `did:key:${keyPair.publicKeyMultibase}`;
      keyPair.controller = did;
      keyPair.id = `${did}#${keyPair.publicKeyMultibase}`;
      const suite = new DataIntegrityProof({
        signer: keyPair.signer(), cryptosuite: eddsa ? eddsaRdfc2022 : ecdsaRdfc2019,
      });
      const credential = {...request.credential, issuer: did};
      const verifiableCredential = await vc.issue({credential, suite, documentLoader});
      return {verifiableCredential};
    }
    case 'sdJwtVerify': {
      // request: {sdJwt, issuerJwk, nonce?, audience?}
      const sdjwt = new SDJwtVcInstance({
        hasher: digest, hashAlg: 'sha-256',
        verifier: jwkVerifier(request.issuerJwk),
        kbVerifier: (data, sig, payload) => jwkVerifier(payload.cnf.jwk)(data, sig),
      });
      const result = await sdjwt.verify(request.sdJwt, request.nonce ? {keyBindingNonce: request.nonce} : undefined);
      if(request.audience && result.kb && result.kb.payload.aud !== request.audience) {
        throw new Error(`KB-JWT aud ${result.kb.payload.aud} is not ${request.audience}`);
      }
      const claims = await sdjwt.getClaims(request.sdJwt);
      return {verified: true, typ: result.header.typ, claims, kb: result.kb ? result.kb.payload : null};
    }
    case 'sdJwtIssue': {
      // request: {issuerJwk (private), kid, payload, disclosable: [claim names], holderJwk}
      const sdjwt = new SDJwtVcInstance({
        hasher: digest, hashAlg: 'sha-256', saltGenerator: generateSalt,
        signer: jwkSigner(request.issuerJwk),
        signAlg: request.issuerJwk.kty === 'OKP' ? 'EdDSA' : 'ES256',
      });
      const sdJwt = await sdjwt.issue(
        {...request.payload, cnf: {jwk: request.holderJwk}},
        {_sd: request.disclosable},
        {header: {kid: request.kid, typ: 'dc+sd-jwt'}});
      return {sdJwt};
    }
    case 'sdJwtPresent': {
      // request: {sdJwt, holderJwk (private), disclose: [claim names], nonce, audience}
      const sdjwt = new SDJwtVcInstance({
        hasher: digest, hashAlg: 'sha-256',
        kbSigner: jwkSigner(request.holderJwk), kbSignAlg: 'ES256',
      });
      const frame = Object.fromEntries(request.disclose.map(name => [name, true]));
      const presentation = await sdjwt.present(request.sdJwt, frame, {
        kb: {payload: {iat: Math.floor(Date.now() / 1000), aud: request.audience, nonce: request.nonce}},
      });
      return {presentation};
    }
    default:
      throw new Error(`unknown op ${request.op}`);
  }
}

const input = JSON.parse(readFileSync(0, 'utf8'));
const documentLoader = makeLoader(input.documents || {});
const output = [];
for(const request of input.requests) {
  try {
    output.push({ok: true, ...(await handle(request, documentLoader))});
  } catch(error) {
    output.push({ok: false, verified: false, error: error.message});
  }
}
process.stdout.write(JSON.stringify(output));
