import type { TestProject } from 'vitest/node';
import { resolveInfrastructure, type Infrastructure } from './infrastructure.js';

declare module 'vitest' {
  export interface ProvidedContext {
    mongoUrl: string;
    rabbitUrl: string;
    infrastructureSource: Infrastructure['source'];
  }
}

let infrastructure: Infrastructure | undefined;

/** Vitest global setup of the integration project: resolves the real services once per run. */
export async function setup(project: TestProject): Promise<void> {
  infrastructure = await resolveInfrastructure();
  project.provide('mongoUrl', infrastructure.mongoUrl);
  project.provide('rabbitUrl', infrastructure.rabbitUrl);
  project.provide('infrastructureSource', infrastructure.source);
}

export async function teardown(): Promise<void> {
  await infrastructure?.stop();
}
