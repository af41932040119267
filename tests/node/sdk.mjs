// Genesys' official JavaScript platform SDK (purecloud-platform-client-v2, pinned in package.json),
// unmodified, against a live mock: the SDK's own gateway setting points it at the mock. Covers
// login, organizations, users, external contacts, conversations and bulk messages, the guest JWT
// exchange and refresh, guest history and revoke, and how errors reach the caller (the SDK rejects
// with the raw Genesys error body). Prints one JSON object.
import platformClient from 'purecloud-platform-client-v2';

const url = new URL(process.env.GENESYS_BASE_URL);
const { GENESYS_CLIENT_ID, GENESYS_CLIENT_SECRET, GENESYS_DEPLOYMENT_ID, GENESYS_CONVERSATION_ID, GENESYS_GUEST_JWT } =
  process.env;

const client = platformClient.ApiClient.instance;
client.config.live_reload_config = false;
client.setGateway({ host: url.hostname, protocol: url.protocol.replace(':', ''), port: Number(url.port) });

async function failure(call) {
  try {
    await call();
  } catch (error) {
    return { status: error.status, code: error.code, message: error.message };
  }
  return { status: 'resolved' };
}

const result = {};
const auth = await client.loginClientCredentialsGrant(GENESYS_CLIENT_ID, GENESYS_CLIENT_SECRET);
result.login = { hasToken: Boolean(auth.accessToken), expiresInFuture: auth.tokenExpiryTime > Date.now() };

const organization = await new platformClient.OrganizationApi().getOrganizationsMe();
result.organization = { id: organization.id, name: organization.name };
result.usersMe = await failure(() => new platformClient.UsersApi().getUsersMe());

const contacts = new platformClient.ExternalContactsApi();
const page = await contacts.getExternalcontactsContacts({ pageSize: 5 });
const first = page.entities[0];
const contact = await contacts.getExternalcontactsContact(first.id, { expand: ['identifiers'] });
const found = await contacts.getExternalcontactsContacts({ pageSize: 5, q: contact.lastName });
result.contacts = {
  total: page.total,
  id: contact.id,
  identifiers: contact.identifiers.length,
  foundById: found.entities.some((c) => c.id === contact.id),
};
result.missingContact = await failure(() => contacts.getExternalcontactsContact('no-such-contact'));

const conversations = new platformClient.ConversationsApi();
const conversation = await conversations.getConversationsMessage(GENESYS_CONVERSATION_ID);
const ids = conversation.participants.flatMap((p) => p.messages.map((m) => m.messageId));
// SDK 262 has no useNormalizedMessage option: the deprecated textBody comes too.
const bulk = await conversations.postConversationsMessageMessagesBulk(GENESYS_CONVERSATION_ID, { body: ids });
const one = await conversations.getConversationsMessageMessage(GENESYS_CONVERSATION_ID, ids[0]);
result.conversations = {
  participants: conversation.participants.length,
  ids: ids.length,
  bulk: bulk.entities.length,
  bulkHasText: bulk.entities.every((m) => typeof m.normalizedMessage.text === 'string' && m.textBody === m.normalizedMessage.text),
  outboundNamed: bulk.entities
    .filter((m) => m.direction === 'outbound')
    .every((m) => Boolean(m.normalizedMessage.channel.from.nickname)),
  oneId: one.id === ids[0],
};
result.listing = await failure(() => conversations.getConversationsMessages());
result.tooManyIds = await failure(() =>
  conversations.postConversationsMessageMessagesBulk(GENESYS_CONVERSATION_ID, { body: Array(1001).fill('x') })
);

const deployments = new platformClient.WebDeploymentsApi();
const exchanged = await deployments.postWebdeploymentsTokenOauthcodegrantjwtexchange({
  deploymentId: GENESYS_DEPLOYMENT_ID,
  oauth: { code: 'node-auth-code', redirectUri: 'https://app.example/callback' },
});
const refreshed = await deployments.postWebdeploymentsTokenRefresh({
  body: { refreshToken: exchanged.refreshToken, deploymentId: GENESYS_DEPLOYMENT_ID },
});
result.exchange = {
  jwtParts: exchanged.jwt.split('.').length,
  hasRefreshToken: Boolean(exchanged.refreshToken),
  refreshedParts: refreshed.jwt.split('.').length,
  rotated: 'refreshToken' in refreshed,
};
result.badExchange = await failure(() =>
  deployments.postWebdeploymentsTokenOauthcodegrantjwtexchange({ deploymentId: GENESYS_DEPLOYMENT_ID, oauth: {} })
);

// The guest REST API takes the guest JWT as the bearer token: setAccessToken, as the SDK's docs say.
client.setAccessToken(GENESYS_GUEST_JWT);
const messaging = new platformClient.WebMessagingApi();
const history = await messaging.getWebmessagingMessages({ pageSize: 25, pageNumber: 1 });
result.history = {
  total: history.total,
  pageCount: history.pageCount,
  entities: history.entities.length,
  newestFirst: history.entities.every(
    (m, n, all) => n === 0 || all[n - 1].channel.time >= m.channel.time
  ),
  outboundNamed: history.entities
    .filter((m) => m.direction === 'Outbound')
    .every((m) => Boolean(m.channel.from.nickname)),
};

client.setAccessToken(exchanged.jwt);
await deployments.deleteWebdeploymentsTokenRevoke();
result.afterRevoke = await failure(() => deployments.deleteWebdeploymentsTokenRevoke());
client.setAccessToken('not-a-token');
result.badToken = await failure(() => new platformClient.OrganizationApi().getOrganizationsMe());

console.log(JSON.stringify(result));
process.exit(0);
