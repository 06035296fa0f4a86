import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface CertificateFiles {
  caFile: string;
  certFile: string;
  keyFile: string;
}

export interface TestPki {
  /** The CA both the broker and its clients trust. */
  caFile: string;
  /** The broker's certificate, for `serverName` only. */
  server: CertificateFiles;
  serverName: string;
  /** A client certificate from the same CA. */
  client: CertificateFiles;
  /** A CA nobody trusts, with a client certificate of its own: what an impostor would have. */
  strangerCaFile: string;
  stranger: CertificateFiles;
}

async function openssl(dir: string, args: string[]): Promise<void> {
  await run('openssl', args, { cwd: dir });
}

async function makeCa(dir: string, name: string): Promise<{ cert: string; key: string }> {
  const key = join(dir, `${name}.key`);
  const cert = join(dir, `${name}.pem`);
  // EC keys: generated in milliseconds, where RSA would slow every test run.
  await openssl(dir, [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-keyout',
    key,
    '-out',
    cert,
    '-days',
    '2',
    '-subj',
    `/CN=${name}`,
  ]);
  return { cert, key };
}

async function issue(
  dir: string,
  ca: { cert: string; key: string },
  name: string,
  extensions: string,
): Promise<CertificateFiles> {
  const key = join(dir, `${name}.key`);
  const csr = join(dir, `${name}.csr`);
  const cert = join(dir, `${name}.pem`);
  const ext = join(dir, `${name}.ext`);
  await writeFile(ext, `${extensions}\n`);
  await openssl(dir, [
    'req',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-keyout',
    key,
    '-out',
    csr,
    '-subj',
    `/CN=${name}`,
  ]);
  await openssl(dir, [
    'x509',
    '-req',
    '-in',
    csr,
    '-CA',
    ca.cert,
    '-CAkey',
    ca.key,
    '-CAcreateserial',
    '-out',
    cert,
    '-days',
    '2',
    '-extfile',
    ext,
  ]);
  return { caFile: ca.cert, certFile: cert, keyFile: key };
}

/** A throw-away PKI for TLS tests, made with the machine's openssl in `dir`. */
export async function makeTestPki(dir: string): Promise<TestPki> {
  const serverName = 'rabbitmq.otpflow.test';
  const ca = await makeCa(dir, 'otpflow-test-ca');
  const stranger = await makeCa(dir, 'stranger-ca');
  return {
    caFile: ca.cert,
    serverName,
    server: await issue(dir, ca, 'broker', `subjectAltName=DNS:${serverName}\nextendedKeyUsage=serverAuth`),
    client: await issue(dir, ca, 'otpflow-client', 'extendedKeyUsage=clientAuth'),
    strangerCaFile: stranger.cert,
    stranger: await issue(dir, stranger, 'stranger-client', 'extendedKeyUsage=clientAuth'),
  };
}

/**
 * A CA and a certificate it issued for 127.0.0.1, for an HTTPS server on the host that a service
 * trusts through `NODE_EXTRA_CA_CERTS` (how a platform team adds its internal CA).
 */
export async function makeLocalServerCertificate(dir: string): Promise<CertificateFiles> {
  const ca = await makeCa(dir, 'otpflow-test-ca');
  return issue(dir, ca, 'localhost-server', 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth');
}
