/**
 * The three images as they ship, started the way Kubernetes runs them (the settings are read from
 * k8s/base: uid/gid, read-only root with an emptyDir on /tmp, no capabilities, no privilege escalation,
 * memory and CPU limits, the ConfigMaps' settings, NODE_ENV=production), on the host's network against
 * the test run's RabbitMQ and MongoDB-compatible server. `npm run test:images` builds the images first
 * (scripts/build-images.sh); a missing image fails here, it never skips.
 */
import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { topologyNames } from '@otpflow/amqp';
import { createTestContext, waitFor, type TestContext } from '@otpflow/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeHttpServer } from '../../services/dispatcher/test/fakes/fake-http-server.js';
import { makeLocalServerCertificate, type CertificateFiles } from '../faults/support/test-certificates.js';
import { pickEngine, type ContainerEngine, type ImageFacts } from './support/container-engine.js';
import { podRunFlags, podSettings, type PodSettings, type Service } from './support/kubernetes-pod.js';
import {
  API_KEY,
  freePort,
  metricValue,
  SECRETS,
  sendAndValidate,
  startWebhook,
  waitReady,
} from './support/otp-flow.js';

const SERVICES: readonly Service[] = ['gateway', 'dispatcher', 'metrics'];
const TAG = process.env.OTPFLOW_IMAGE_TAG ?? 'dev';
/** Where the dispatcher's container finds the CA of the test's HTTPS webhook (mounted read-only). */
const CA_MOUNT = '/etc/otpflow-test-ca';
/** The webhook provider's signing secret: production refuses unsigned calls. */
const WEBHOOK_SECRET = 'images-webhook-signing-secret-0123456789';

interface Running {
  name: string;
  url: string;
  settings: PodSettings;
  image: ImageFacts;
  startedAt: number;
  readyMs?: number;
  drainMs?: number;
  exitCode?: number;
}

describe('the images, run as Kubernetes runs them', () => {
  let engine: ContainerEngine;
  let context: TestContext;
  let certificateDir: string;
  let certificate: CertificateFiles;
  let webhook: FakeHttpServer;
  const running = new Map<Service, Running>();
  const figures: string[] = [];

  function serviceEnv(service: Service, port: number, settings: PodSettings): Record<string, string> {
    // The ConfigMap's settings, except where this machine differs: one test's prefix and database, a
    // free port on the shared host network, and no trace collector to export to.
    const { OTEL_EXPORTER_OTLP_ENDPOINT: _collector, ...config } = settings.configEnv;
    const env: Record<string, string> = {
      ...config,
      HOST: '127.0.0.1',
      PORT: String(port),
      RABBITMQ_URL: context.rabbitUrl,
      AMQP_PREFIX: context.topology.prefix,
      AMQP_QUEUE_TYPE: context.topology.queueType,
    };
    if (service !== 'metrics') Object.assign(env, { MONGODB_URL: context.mongoUrl, ...SECRETS });
    if (service === 'gateway') env.API_KEYS = `${API_KEY}:images-client`;
    if (service === 'dispatcher') {
      // Production calls only https endpoints, signed: the webhook speaks TLS with a certificate of
      // the test's own CA, which the dispatcher trusts as a platform adds its internal CA.
      Object.assign(env, {
        SMS_PROVIDERS: 'webhook',
        VOICE_PROVIDERS: 'webhook',
        WEBHOOK_URL: `${webhook.url}/sms`,
        WEBHOOK_SECRET,
        PUBLIC_BASE_URL: `https://127.0.0.1:${port}`,
        NODE_EXTRA_CA_CERTS: `${CA_MOUNT}/${basename(certificate.caFile)}`,
      });
    }
    return env;
  }

  beforeAll(async () => {
    engine = await pickEngine();
    const images = new Map<Service, ImageFacts>();
    for (const service of SERVICES) {
      const image = await engine.image(`otpflow/${service}:${TAG}`);
      if (!image)
        throw new Error(
          `image otpflow/${service}:${TAG} is missing in ${engine.name}: scripts/build-images.sh builds it (npm run test:images runs it first)`,
        );
      images.set(service, image);
    }
    context = createTestContext('images');
    context.alsoDeleteQueues(topologyNames(context.topology.prefix).eventsQueue('metrics'));
    certificateDir = await mkdtemp(join(tmpdir(), 'otpflow-images-ca-'));
    certificate = await makeLocalServerCertificate(certificateDir);
    // The container runs as uid 1000: it must be able to read the CA (only the CA is mounted in).
    await chmod(certificateDir, 0o755);
    await chmod(certificate.caFile, 0o644);
    webhook = await startWebhook({
      cert: await readFile(certificate.certFile, 'utf8'),
      key: await readFile(certificate.keyFile, 'utf8'),
    });
    for (const service of SERVICES) {
      const settings = podSettings(service);
      const port = await freePort();
      const name = `otpflow-test-${service}-${context.topology.prefix.split('.').pop() ?? ''}`;
      const image = images.get(service) as ImageFacts;
      const caVolume =
        service === 'dispatcher'
          ? [`--volume=${certificate.caFile}:${CA_MOUNT}/${basename(certificate.caFile)}:ro`]
          : [];
      await engine.start(
        name,
        `otpflow/${service}:${TAG}`,
        [...podRunFlags(settings), ...caVolume],
        serviceEnv(service, port, settings),
      );
      running.set(service, {
        name,
        url: `http://127.0.0.1:${port}`,
        settings,
        image,
        startedAt: performance.now(),
      });
    }
  }, 120_000);

  afterAll(async () => {
    for (const [service, container] of running) {
      const logs = await engine.logs(container.name);
      // The whole log of a container that did not end cleanly: the reason a test failed is in it.
      if (container.exitCode !== 0) console.log(`--- ${service} (${container.name}) logs ---\n${logs}`);
      await engine.remove(container.name);
    }
    await webhook.close();
    await context.dispose();
    await rm(certificateDir, { recursive: true, force: true });
    for (const [service, container] of running) {
      const mb = (container.image.sizeBytes / 1e6).toFixed(0);
      figures.unshift(
        `${service.padEnd(10)} image ${mb} MB, ready after ${container.readyMs?.toFixed(0) ?? '-'} ms, ` +
          `SIGTERM to exit ${container.drainMs?.toFixed(0) ?? '-'} ms (grace ${container.settings.terminationGracePeriodSeconds} s), exit code ${container.exitCode ?? '-'}`,
      );
    }
    console.log(`images run by ${engine.name}:\n  ${figures.join('\n  ')}`);
  }, 60_000);

  it('each image runs as uid 1000 under tini, with a health check', () => {
    for (const container of running.values()) {
      expect(container.image.user).toBe('1000:1000');
      expect(container.image.entrypoint).toEqual(['/usr/bin/tini', '--']);
      expect(container.image.healthcheck?.join(' ')).toContain('/healthz');
    }
  });

  it('every service answers /readyz once it reaches the broker and the database', async () => {
    await Promise.all(
      SERVICES.map(async (service) => {
        const container = running.get(service) as Running;
        await waitReady(container.url, 90_000, `${service} /readyz`);
        container.readyMs = performance.now() - container.startedAt;
      }),
    );
  }, 120_000);

  it('a send-code SMS reaches the webhook, its code validates, and the metrics service counts both', async () => {
    const gateway = running.get('gateway') as Running;
    const metrics = running.get('metrics') as Running;
    const { smsMs } = await sendAndValidate(gateway.url, webhook, '+34612345678', 30_000);
    figures.push(`send-code to SMS at the webhook: ${smsMs.toFixed(0)} ms`);
    await waitFor(
      async () =>
        (await metricValue(metrics.url, 'otpflow_codes_sent_total')) >= 1 &&
        (await metricValue(metrics.url, 'otpflow_codes_verified_total')) >= 1,
      {
        timeoutMs: 20_000,
        intervalMs: 250,
        what: 'otpflow_codes_sent_total and _verified_total in the metrics service',
      },
    );
  }, 60_000);

  it('SIGTERM drains each container inside its grace period, exiting 0', async () => {
    await Promise.all(
      SERVICES.map(async (service) => {
        const container = running.get(service) as Running;
        const graceMs = container.settings.terminationGracePeriodSeconds * 1000;
        const started = performance.now();
        await engine.signal(container.name, 'TERM');
        container.exitCode = await engine.wait(container.name, graceMs + 30_000);
        container.drainMs = performance.now() - started;
        expect(container.exitCode, `${service} exit code`).toBe(0);
        expect(container.drainMs, `${service}: SIGTERM to exit, ms`).toBeLessThan(graceMs);
        const logs = await engine.logs(container.name);
        expect(logs, `${service} logs`).toContain('shutdown complete');
      }),
    );
  }, 120_000);
});
