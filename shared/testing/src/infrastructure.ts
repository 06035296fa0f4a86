import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { portOpen } from './net.js';

/**
 * Where the integration tests find RabbitMQ and a MongoDB-protocol server, in order of preference:
 *   1. MONGODB_URL / RABBITMQ_URL from the environment (a CI service, a developer's own servers);
 *   2. testcontainers with the real `mongo` and `rabbitmq` images, when a Docker engine answers;
 *   3. the local RabbitMQ and FerretDB that scripts/services.sh installs and starts (no Docker).
 * Never an in-memory fake.
 */
export interface Infrastructure {
  mongoUrl: string;
  rabbitUrl: string;
  source: 'environment' | 'testcontainers' | 'local';
  /** Stops what this process started (containers); local services are left running for the next run. */
  stop(): Promise<void>;
}

const LOCAL_MONGO_URL = 'mongodb://127.0.0.1:27017/';
const LOCAL_RABBIT_URL = 'amqp://guest:guest@127.0.0.1:5672';
const servicesScript = fileURLToPath(new URL('../../../scripts/services.sh', import.meta.url));

async function dockerAvailable(): Promise<boolean> {
  try {
    const { getContainerRuntimeClient } = await import('testcontainers');
    await getContainerRuntimeClient();
    return true;
  } catch {
    return false;
  }
}

async function startContainers(): Promise<Infrastructure> {
  const [{ MongoDBContainer }, { RabbitMQContainer }] = await Promise.all([
    import('@testcontainers/mongodb'),
    import('@testcontainers/rabbitmq'),
  ]);
  const [mongo, rabbit] = await Promise.all([
    new MongoDBContainer('mongo:8').start(),
    new RabbitMQContainer('rabbitmq:4-management').start(),
  ]);
  const mongoUrl = new URL(mongo.getConnectionString());
  mongoUrl.searchParams.set('directConnection', 'true');
  return {
    mongoUrl: mongoUrl.toString(),
    rabbitUrl: rabbit.getAmqpUrl(),
    source: 'testcontainers',
    stop: async () => {
      await Promise.all([mongo.stop(), rabbit.stop()]);
    },
  };
}

async function startLocalServices(): Promise<Infrastructure> {
  if (!(await portOpen(27017)) || !(await portOpen(5672))) {
    await promisify(execFile)(servicesScript, ['start'], { timeout: 300_000 });
  }
  return { mongoUrl: LOCAL_MONGO_URL, rabbitUrl: LOCAL_RABBIT_URL, source: 'local', stop: async () => {} };
}

export async function resolveInfrastructure(
  env: Record<string, string | undefined> = process.env,
): Promise<Infrastructure> {
  if (env.MONGODB_URL && env.RABBITMQ_URL) {
    return {
      mongoUrl: env.MONGODB_URL,
      rabbitUrl: env.RABBITMQ_URL,
      source: 'environment',
      stop: async () => {},
    };
  }
  if (env.OTPFLOW_TEST_DOCKER !== 'false' && (await dockerAvailable())) return startContainers();
  return startLocalServices();
}
