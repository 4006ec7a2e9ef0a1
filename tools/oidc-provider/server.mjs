// A real OpenID provider (panva/oidc-provider) for the single sign-on tests, on localhost only.
//
//   node server.mjs CONFIG.json
//
// CONFIG.json (written by tests/web/oidc_provider.py):
//   port      the port to listen on (127.0.0.1); the issuer is http://127.0.0.1:<port>
//   clients   oidc-provider client metadata (client_id, client_secret, redirect_uris, ...)
//   accounts  account id -> the claims the provider asserts for it (besides sub)
//   claims    scope -> claim names (oidc-provider's `claims` setting)
//   jwks      the private signing keys, chosen by the test so it can sign tokens with them too
//
// Logging in: GET /interaction/<uid> shows a one-field form; POST /interaction/<uid>/login with
// `login=<account id>` finishes the login and the consent (an unknown account is access_denied).
//
// Forging, so the tests can prove the relying party refuses a bad ID token from a provider it trusts:
// POST /__test/forge {"claims": {...}, "foreign_key": bool} makes the next token response carry an
// ID token with those claims changed (null removes one), re-signed with the provider's own key (or
// with a key of the same kid that the provider never published).
import http from 'node:http';
import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';

import Provider from 'oidc-provider';
import { SignJWT, decodeJwt, decodeProtectedHeader, generateKeyPair, importJWK } from 'jose';

const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const issuer = `http://127.0.0.1:${config.port}`;

const provider = new Provider(issuer, {
  clients: config.clients,
  jwks: config.jwks,
  claims: config.claims,
  scopes: ['openid', ...Object.keys(config.claims).filter((scope) => scope !== 'openid')],
  // The claims of the granted scopes go into the ID token itself, as most enterprise providers do.
  conformIdTokenClaims: false,
  pkce: { required: () => true },
  cookies: { keys: [randomBytes(32).toString('hex')] },
  features: { devInteractions: { enabled: false } },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  async findAccount(ctx, id) {
    if (!Object.hasOwn(config.accounts, id)) return undefined;
    return { accountId: id, async claims() { return { sub: id, ...config.accounts[id] }; } };
  },
});

let forge = null;

provider.use(async (ctx, next) => {
  await next();
  if (forge && ctx.path === '/token' && ctx.status === 200 && ctx.body && ctx.body.id_token) {
    const plan = forge;
    forge = null;
    ctx.body = { ...ctx.body, id_token: await forged(ctx.body.id_token, plan) };
  }
});

async function forged(idToken, plan) {
  const header = decodeProtectedHeader(idToken);
  const claims = { ...decodeJwt(idToken) };
  for (const [name, value] of Object.entries(plan.claims || {})) {
    if (value === null) delete claims[name];
    else claims[name] = value;
  }
  const signing = config.jwks.keys.find((key) => key.kid === header.kid);
  const key = plan.foreign_key
    ? (await generateKeyPair(header.alg, { extractable: true })).privateKey
    : await importJWK(signing, header.alg);
  return new SignJWT(claims).setProtectedHeader({ alg: header.alg, kid: header.kid, typ: header.typ }).sign(key);
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

async function interaction(req, res, uid, action) {
  const details = await provider.interactionDetails(req, res);
  if (details.uid !== uid) throw new Error('interaction mismatch');
  if (req.method === 'GET' && !action) {
    res.setHeader('Content-Type', 'text/html; charset=utf-8');
    res.end(`<!doctype html><title>Test-IdP</title><form method="post" action="/interaction/${escapeHtml(uid)}/login">`
      + '<label>Account <input name="login"></label><button>Inloggen</button></form>');
    return;
  }
  if (req.method !== 'POST' || action !== 'login') {
    res.statusCode = 404;
    res.end();
    return;
  }
  const accountId = new URLSearchParams(await readBody(req)).get('login') || '';
  if (!Object.hasOwn(config.accounts, accountId)) {
    await provider.interactionFinished(req, res, {
      error: 'access_denied', error_description: 'unknown account',
    }, { mergeWithLastSubmission: false });
    return;
  }
  const grant = new provider.Grant({ accountId, clientId: details.params.client_id });
  grant.addOIDCScope(String(details.params.scope));
  const grantId = await grant.save();
  await provider.interactionFinished(req, res, { login: { accountId }, consent: { grantId } }, {
    mergeWithLastSubmission: false,
  });
}

const handler = provider.callback();

const server = http.createServer(async (req, res) => {
  try {
    const url = new URL(req.url, issuer);
    if (url.pathname === '/__test/forge' && req.method === 'POST') {
      forge = JSON.parse((await readBody(req)) || '{}');
      res.end('ok');
      return;
    }
    const match = url.pathname.match(/^\/interaction\/([^/]+)(?:\/([a-z]+))?$/);
    if (match) {
      await interaction(req, res, match[1], match[2]);
      return;
    }
    handler(req, res);
  } catch (error) {
    res.statusCode = 500;
    res.end(String(error && error.message));
  }
});

server.listen(config.port, '127.0.0.1', () => {
  process.stdout.write(`listening ${issuer}\n`);
});

for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => server.close(() => process.exit(0)));
