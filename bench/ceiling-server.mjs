// The ceiling: a bare Node HTTP server on the same machine that does only what one send-code and one
// validate-code cannot avoid, against the same store and broker with the same guarantees. otpflow's
// throughput is reported as a fraction of this one's.
//
//   POST /send      one insert ({w: 'majority'}) + one confirmed, persistent, mandatory publish of a
//                   MESSAGE_BYTES message to a durable quorum queue, then 200 {"authenticationId"}
//   POST /validate  one conditional update (findOneAndUpdate with the gateway's filter and $inc) on a
//                   session inserted beforehand, then 204 (404 when it matches nothing)
//   GET  /readyz    200 once both connections are up
//
// Settings (environment): PORT, MONGODB_URL (with the database name), MONGODB_MAX_POOL_SIZE (the bench
// gives the gateway's default, read from its configuration), RABBITMQ_URL, AMQP_PREFIX, MESSAGE_BYTES.
import { randomBytes, randomUUID } from 'node:crypto';
import amqplib from 'amqplib';
import { MongoClient } from 'mongodb';
import { pendingSession } from './lib/documents.mjs';
import { jsonServer, serveUntilStopped } from './lib/json-server.mjs';

const env = process.env;
const port = Number(env.PORT ?? 8090);
const prefix = env.AMQP_PREFIX ?? 'ceiling';
const messageBytes = Number(env.MESSAGE_BYTES ?? 1000);

const mongo = new MongoClient(env.MONGODB_URL ?? 'mongodb://127.0.0.1:27017/otpflow_ceiling', {
  maxPoolSize: Number(env.MONGODB_MAX_POOL_SIZE ?? 50),
  writeConcern: { w: 'majority' },
});
await mongo.connect();
const sessions = mongo.db().collection('sessions');

const connection = await amqplib.connect(env.RABBITMQ_URL ?? 'amqp://guest:guest@127.0.0.1:5672');
const channel = await connection.createConfirmChannel();
const exchange = `${prefix}.jobs`;
const queue = `${prefix}.send`;
await channel.assertExchange(exchange, 'direct', { durable: true });
await channel.assertQueue(queue, { durable: true, arguments: { 'x-queue-type': 'quorum' } });
await channel.bindQueue(queue, exchange, 'send');
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

async function send() {
  const session = pendingSession({ phoneNumber: '+34612345678', codeHash: randomBytes(32).toString('hex') });
  await sessions.insertOne(session);
  await publishConfirmed(randomUUID());
  return { status: 200, body: JSON.stringify({ authenticationId: session._id }) };
}

async function validate(body) {
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
  return session ? { status: 204, body: '' } : { status: 404, body: '{"code":"NOT_FOUND"}' };
}

const handlers = { '/send': send, '/validate': validate };
const server = jsonServer((url, body) => (handlers[url] ? handlers[url](body) : { status: 404 }));
serveUntilStopped(server, port, () => Promise.allSettled([connection.close(), mongo.close()]));
