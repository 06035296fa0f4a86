import amqplib from 'amqplib';
import { MongoClient } from 'mongodb';
import { benchTopology, deleteTopology } from './topology.mjs';
import { CodeHasher } from '../../services/gateway/dist/otp/code.js';
import { CodeAddresses } from '../../services/gateway/dist/otp/keys.js';
import { BENCH_CLIENT_ID, BENCH_CODE, pendingNumber, pendingSession, testNumber } from './documents.mjs';

/** Where the gateway, the dispatcher and the ceiling keep per-request state. */
const STATE_COLLECTIONS = [
  'numbers',
  'sessions',
  'claims',
  'deliveries',
  'limits_requests',
  'limits_quota',
  'idempotency_keys',
];

/**
 * The bench's own connections to the store and the broker: prefilling sessions, reading a real send
 * job's size, emptying queues between phases, and removing everything the run created.
 */
export class Infrastructure {
  constructor({ mongoUrl, rabbitUrl, codeHashSecret }) {
    this.mongoUrl = mongoUrl;
    this.rabbitUrl = rabbitUrl;
    this.hasher = new CodeHasher(codeHashSecret);
    this.addresses = new CodeAddresses(codeHashSecret);
    this.mongo = new MongoClient(mongoUrl, { maxPoolSize: 10, writeConcern: { w: 'majority' } });
    this.databases = new Set();
    this.prefixes = new Set();
  }

  async connect() {
    await this.mongo.connect();
    this.connection = await amqplib.connect(this.rabbitUrl);
    this.channel = await this.connection.createChannel();
    // A missing queue closes a channel: keep one for probing that may be lost and reopened.
    return this;
  }

  /** MongoDB URL of a database of this run (dropped at the end). */
  databaseUrl(name) {
    this.databases.add(name);
    const url = new URL(this.mongoUrl);
    url.pathname = `/${name}`;
    return url.toString();
  }

  /** Records a topology prefix of this run (its queues and exchanges are deleted at the end). */
  usePrefix(prefix) {
    this.prefixes.add(prefix);
    return prefix;
  }

  async buildInfo() {
    return this.mongo.db('admin').command({ buildInfo: 1 });
  }

  /**
   * Gives `count` test numbers a pending code (BENCH_CODE): in their number's document, as the
   * gateway's send-code writes one, and as a per-code session under the same id for the ceiling
   * (bench/ceiling-server.mjs keeps the previous model's documents). Returns the ids in order.
   */
  async prefillSessions(database, count, batch = 1000) {
    const db = this.mongo.db(database);
    const ids = [];
    for (let offset = 0; offset < count; offset += batch) {
      const numbers = [];
      const sessions = [];
      for (let index = offset; index < Math.min(count, offset + batch); index += 1) {
        const phoneNumber = testNumber(index, 10_000);
        const ref = this.addresses.fresh(phoneNumber, BENCH_CLIENT_ID);
        const codeHash = this.hasher.hash(ref.authenticationId, BENCH_CODE);
        numbers.push(pendingNumber({ ref, codeHash }));
        sessions.push(pendingSession({ id: ref.authenticationId, phoneNumber, codeHash }));
        ids.push(ref.authenticationId);
      }
      await db.collection('numbers').insertMany(numbers, { ordered: false });
      await db.collection('sessions').insertMany(sessions, { ordered: false });
    }
    return ids;
  }

  /**
   * Empties the collections a request writes to, so every measurement starts from the same state. (On
   * FerretDB v1 with PostgreSQL every lookup scans its whole table, so results depend on table sizes.)
   */
  async resetCollections(database) {
    const db = this.mongo.db(database);
    for (const name of STATE_COLLECTIONS) await db.collection(name).deleteMany({});
  }

  /** Documents in each collection a request writes to. */
  async collectionSizes(database) {
    const db = this.mongo.db(database);
    const sizes = {};
    for (const name of STATE_COLLECTIONS) {
      const count = await db.collection(name).estimatedDocumentCount();
      if (count > 0) sizes[name] = count;
    }
    return sizes;
  }

  /** Takes one message off a queue and returns its body size (undefined when the queue is empty). */
  async takeMessageSize(queue) {
    const message = await this.channel.get(queue, { noAck: true });
    return message ? message.content.length : undefined;
  }

  async purge(queue) {
    try {
      await this.channel.purgeQueue(queue);
    } catch {
      // The queue does not exist (yet): nothing to purge, but the channel is closed now.
      this.channel = await this.connection.createChannel();
    }
  }

  async queueDepth(queue) {
    try {
      return (await this.channel.checkQueue(queue)).messageCount;
    } catch {
      this.channel = await this.connection.createChannel();
      return 0;
    }
  }

  /** Deletes every queue and exchange of the run's prefixes and drops its databases. */
  async cleanUp() {
    for (const prefix of this.prefixes) await deleteTopology(this.connection, benchTopology(prefix));
    for (const database of this.databases) await this.mongo.db(database).dropDatabase();
  }

  async close() {
    await this.connection?.close().catch(() => undefined);
    await this.mongo.close();
  }
}
