// The ceiling: a bare Node HTTP server on the same machine that does only what one send-code and one
// validate-code cannot avoid, against the same store and broker with the same guarantees. otpflow's
// throughput is reported as a fraction of this one's.
//
//   POST /send      one insert ({w: 'majority'}) + one confirmed, persistent, mandatory publish of a
//                   MESSAGE_BYTES message to a durable quorum queue, then 200 {"authenticationId"};
//                   with SEND_EVENT=true, after the confirm also a `code.requested` event to the
//                   events exchange (persistent, confirmed without being waited for), as the gateway
//                   published it before its job became the event (2026-12-02)
//   POST /validate  on a session inserted beforehand, then 204 (404 when there is no attempt to take):
//                   where the store applies conditional updates atomically (MongoDB), one conditional
//                   update (findOneAndUpdate with the gateway's filter and $inc); where it does not
//                   (FerretDB v1, whose concurrent conditional updates all "succeed"), the least that
//                   counts an attempt safely there: the session's read and the insert of a unique
//                   claim `<id>~<attempt>`, the one atomic decision such a store offers (what the
//                   gateway's claims guard does, without its comparison, event and reads of held claims)
//   GET  /readyz    200 once both connections are up
//
// Settings (environment): PORT, MONGODB_URL (with the database name), MONGODB_MAX_POOL_SIZE (the bench
// gives the gateway's default, read from its configuration), RABBITMQ_URL, AMQP_PREFIX, MESSAGE_BYTES,
// ATTEMPT_STRATEGY (auto, conditional-update or claims: as the gateway's; auto picks by the store),
// SEND_EVENT (false by default: the ceiling of the goal as issue 13 set it, one publish, as the gateway's
// since its job is also the code's event).
// GET /readyz answers the strategy it uses and whether it sends the event, for the bench's report.
import { randomBytes, randomUUID } from 'node:crypto';
import amqplib from 'amqplib';
import { topologyNames } from '@otpflow/amqp';
import { detectStoreCapabilities, isDuplicateKeyError } from '@otpflow/mongo';
import { MongoClient } from 'mongodb';
import { pendingSession } from './lib/documents.mjs';
import { jsonServer, serveUntilStopped } from './lib/json-server.mjs';

const env = process.env;
const port = Number(env.PORT ?? 8090);
const prefix = env.AMQP_PREFIX ?? 'ceiling';
const messageBytes = Number(env.MESSAGE_BYTES ?? 1000);
const sendEvent = env.SEND_EVENT === 'true';

const mongo = new MongoClient(env.MONGODB_URL ?? 'mongodb://127.0.0.1:27017/otpflow_ceiling', {
  maxPoolSize: Number(env.MONGODB_MAX_POOL_SIZE ?? 50),
  writeConcern: { w: 'majority' },
});
await mongo.connect();
const sessions = mongo.db().collection('sessions');
const attemptStrategy = await chooseAttemptStrategy(env.ATTEMPT_STRATEGY ?? 'auto');

const connection = await amqplib.connect(env.RABBITMQ_URL ?? 'amqp://guest:guest@127.0.0.1:5672');
const channel = await connection.createConfirmChannel();
const exchange = `${prefix}.jobs`;
const queue = `${prefix}.send`;
await channel.assertExchange(exchange, 'direct', { durable: true });
await channel.assertQueue(queue, { durable: true, arguments: { 'x-queue-type': 'quorum' } });
await channel.bindQueue(queue, exchange, 'send');
// The gateway's events exchange, under its name. No queue is bound: the broker confirms an event it
// routes nowhere as it does one it queues, so this process's work is the same, and a run leaves no
// backlog.
const names = topologyNames(prefix);
if (sendEvent) await channel.assertExchange(names.eventsExchange, 'topic', { durable: true });
// Random bytes do not compress and are the size of an encrypted send job.
const message = randomBytes(messageBytes);

function publishConfirmed(messageId) {
  return new Promise((resolve, reject) => {
    channel.publish(
      exchange,
      'send',
      message,
      { persistent: true, mandatory: true, messageId, contentType: 'application/json' },
      (error) => (error ? reject(error) : resolve()),
    );
  });
}

/** The gateway's `code.requested` event for a session, its fields as the gateway's. */
function publishRequested(session) {
  const event = {
    schema: 'otpflow.event.v1',
    eventId: randomUUID(),
    occurredAt: new Date().toISOString(),
    type: 'code.requested',
    authenticationId: session._id,
    clientId: session.clientId,
    channel: session.channel,
    countryCallingCode: session.countryCallingCode,
    requestedAt: session.createdAt.toISOString(),
    maskedTo: '+34*******78',
    expiresAt: session.expiresAt.toISOString(),
  };
  const options = { persistent: true, mandatory: false, messageId: event.eventId, type: event.schema };
  // Confirmed, not waited for: as the gateway's, a lost event fails no request.
  channel.publish(names.eventsExchange, event.type, Buffer.from(JSON.stringify(event)), options, () => {});
}

async function send() {
  const session = pendingSession({ phoneNumber: '+34612345678', codeHash: randomBytes(32).toString('hex') });
  await sessions.insertOne(session);
  await publishConfirmed(randomUUID());
  if (sendEvent) publishRequested(session);
  return { status: 200, body: JSON.stringify({ authenticationId: session._id }) };
}

/** As the gateway's ATTEMPT_STRATEGY: a conditional update only where the store makes it atomic. */
async function chooseAttemptStrategy(setting) {
  if (setting !== 'auto') return setting;
  const { atomicConditionalUpdates } = await detectStoreCapabilities(mongo.db());
  return atomicConditionalUpdates ? 'conditional-update' : 'claims';
}

const NOT_FOUND = { status: 404, body: '{"code":"NOT_FOUND"}' };
const VALIDATED = { status: 204, body: '' };

async function validateByConditionalUpdate(body) {
  const now = new Date();
  const session = await sessions.findOneAndUpdate(
    {
      _id: body.authenticationId,
      clientId: body.clientId,
      status: 'pending',
      expiresAt: { $gt: now },
      attemptsLeft: { $gt: 0 },
    },
    { $inc: { attemptsLeft: -1 } },
    { returnDocument: 'after' },
  );
  return session ? VALIDATED : NOT_FOUND;
}

async function validateByClaims(body) {
  const session = await sessions.findOne({ _id: body.authenticationId });
  const live =
    session?.clientId === body.clientId && session.status === 'pending' && session.expiresAt > new Date();
  if (!live) return NOT_FOUND;
  for (let attempt = 1; attempt <= session.maxAttempts; attempt += 1) {
    try {
      await sessions.insertOne({ _id: `${session._id}~${attempt}`, at: new Date() });
      return VALIDATED;
    } catch (error) {
      // Another request took this attempt: the next one, up to the session's budget.
      if (!isDuplicateKeyError(error)) throw error;
    }
  }
  return NOT_FOUND;
}

const validate = attemptStrategy === 'claims' ? validateByClaims : validateByConditionalUpdate;

const handlers = { '/send': send, '/validate': validate };
const server = jsonServer((url, body) => (handlers[url] ? handlers[url](body) : { status: 404 }), {
  attemptStrategy,
  sendEvent,
});
serveUntilStopped(server, port, () => Promise.allSettled([connection.close(), mongo.close()]));
