import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

export const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const run = promisify(execFile);

export type EngineName = 'podman' | 'docker';

/** The engine scripts/lib/containers.sh picks (OTPFLOW_CONTAINER_ENGINE, else Docker if it answers, else podman). */
export async function pickEngine(): Promise<ContainerEngine> {
  const { stdout } = await run(
    'bash',
    ['-c', '. scripts/lib/containers.sh && echo "$OTPFLOW_CONTAINER_ENGINE"'],
    {
      cwd: ROOT,
    },
  );
  const name = stdout.trim();
  if (name !== 'podman' && name !== 'docker') throw new Error(`unknown container engine "${name}"`);
  return new ContainerEngine(name);
}

export interface ImageFacts {
  id: string;
  sizeBytes: number;
  user: string;
  entrypoint: string[];
  healthcheck: string[] | undefined;
}

/** The few engine commands the image tests need; podman and Docker take the same arguments for them. */
export class ContainerEngine {
  constructor(readonly name: EngineName) {}

  async exec(args: string[], timeoutMs = 60_000): Promise<string> {
    const { stdout } = await run(this.name, args, { cwd: ROOT, timeout: timeoutMs, maxBuffer: 64 * 2 ** 20 });
    return stdout;
  }

  /** undefined when the image does not exist. */
  async image(reference: string): Promise<ImageFacts | undefined> {
    try {
      const [facts] = JSON.parse(await this.exec(['image', 'inspect', reference])) as {
        Id: string;
        Size: number;
        Config: { User?: string; Entrypoint?: string[] | null; Healthcheck?: { Test?: string[] } | null };
        /** podman keeps a docker-format image's health check here rather than in Config. */
        Healthcheck?: { Test?: string[] } | null;
      }[];
      if (!facts) return undefined;
      return {
        id: facts.Id,
        sizeBytes: facts.Size,
        user: facts.Config.User ?? '',
        entrypoint: facts.Config.Entrypoint ?? [],
        healthcheck: (facts.Config.Healthcheck ?? facts.Healthcheck)?.Test,
      };
    } catch {
      return undefined;
    }
  }

  /**
   * Starts a detached container on the host's network. With a read-only root, podman would mount its
   * own tmpfs on /tmp, /var/tmp and /run; Kubernetes does not, so neither does this run.
   */
  async start(name: string, image: string, flags: string[], env: Record<string, string>): Promise<void> {
    const engineFlags = this.name === 'podman' ? ['--read-only-tmpfs=false'] : [];
    const envFlags = Object.entries(env).map(([key, value]) => `--env=${key}=${value}`);
    await this.exec([
      'run',
      '--detach',
      `--name=${name}`,
      '--network=host',
      ...engineFlags,
      ...flags,
      ...envFlags,
      image,
    ]);
  }

  async signal(name: string, signal: string): Promise<void> {
    await this.exec(['kill', `--signal=${signal}`, name]);
  }

  /** Waits for the container to stop and returns its exit code. */
  async wait(name: string, timeoutMs: number): Promise<number> {
    return Number((await this.exec(['wait', name], timeoutMs)).trim());
  }

  async logs(name: string): Promise<string> {
    try {
      const { stdout, stderr } = await run(this.name, ['logs', name], { cwd: ROOT, maxBuffer: 64 * 2 ** 20 });
      return stdout + stderr;
    } catch (error) {
      return `(no logs: ${String(error)})`;
    }
  }

  async remove(name: string): Promise<void> {
    await this.exec(['rm', '--force', name]).catch(() => undefined);
  }
}
