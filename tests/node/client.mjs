// The second tutorial's flow ("Securing Genesys Cloud Web Messaging Guest Sessions via REST API
// with Node.js"), written against the mock with Node's built-in fetch and crypto: token with the
// credentials in the form body (plus `region`), session creation with a request nonce, HMAC
// signing, the token-pattern check, then the error cases. Prints one JSON object.
import crypto from 'node:crypto';

const BASE = process.env.GENESYS_BASE_URL;
const CLIENT_ID = process.env.GENESYS_CLIENT_ID;
const CLIENT_SECRET = process.env.GENESYS_CLIENT_SECRET;
const ORG_ID = process.env.GENESYS_ORGANIZATION_ID;
const HMAC_SECRET = process.env.HMAC_SECRET;

async function getAccessToken() {
  const body = new URLSearchParams({
    grant_type: 'client_credentials',
    client_id: CLIENT_ID,
    client_secret: CLIENT_SECRET,
    region: 'us-east-1',
  });
  const response = await fetch(`${BASE}/oauth/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body,
  });
  const data = await response.json();
  if (!response.ok) throw new Error(`OAuth authentication failed: ${response.status} - ${data.error_description}`);
  return data;
}

async function createSession(token, payload, nonce = crypto.randomUUID()) {
  const response = await fetch(`${BASE}/api/v2/webmessaging/organizations/${ORG_ID}/sessions`, {
    method: 'POST',
    headers: {
      Authorization: `Bearer ${token}`,
      'Content-Type': 'application/json',
      'X-Genesys-Request-Nonce': nonce,
    },
    body: JSON.stringify(payload),
  });
  return { status: response.status, body: await response.json(), nonce };
}

const result = {};
const auth = await getAccessToken();
result.token = { tokenType: auth.token_type, expiresIn: auth.expires_in };

const created = await createSession(auth.access_token, {
  channel: 'web',
  expirationSeconds: 7200,
  metadata: { source: 'automated_gw', region: 'us-east-1', campaign: 'onboarding_v3' },
});
const session = created.body;
const signingInput = `${session.id}:${session.sessionToken}:${session.expirationSeconds}`;
const hmac = crypto.createHmac('sha256', HMAC_SECRET).update(signingInput).digest('hex');
result.session = {
  status: created.status,
  id: session.id,
  expirationSeconds: session.expirationSeconds,
  expirationTimestamp: session.expirationTimestamp,
  tokenPatternOk: /^[A-Za-z0-9_-]{20,256}$/.test(session.sessionToken),
  hmac,
  signingInputLength: signingInput.length,
};

const tooShort = await createSession(auth.access_token, { channel: 'web', expirationSeconds: 100 });
result.tooShort = { status: tooShort.status, code: tooShort.body.code, field: tooShort.body.details?.[0]?.fieldName };

const bigMetadata = await createSession(auth.access_token, { metadata: { blob: 'x'.repeat(3000) } });
result.bigMetadata = { status: bigMetadata.status, message: bigMetadata.body.message };

const replay = await createSession(auth.access_token, { channel: 'web' }, created.nonce);
result.replay = { status: replay.status, code: replay.body.code };

const badSecret = await fetch(`${BASE}/oauth/token`, {
  method: 'POST',
  headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams({ grant_type: 'client_credentials', client_id: CLIENT_ID, client_secret: 'wrong' }),
});
result.badSecret = { status: badSecret.status, body: await badSecret.json() };

console.log(JSON.stringify(result));
