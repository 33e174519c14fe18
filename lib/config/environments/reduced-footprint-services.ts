import { EnvironmentConfig } from '../environment-config';
import { Replicas } from '../../platform/replicas';

/** The build of main that development and previews run: pulled by tag, which only they may do. */
const MAIN_BUILD_TAG = 'main-7f3c2a1';

/**
 * Web, api and generator at the reduced footprint that lib/config/spec-minimums.ts allows
 * development and previews: one replica each, about a quarter of the specification's size.
 */
export const REDUCED_FOOTPRINT_SERVICES: Pick<EnvironmentConfig, 'web' | 'api' | 'generator'> = {
  web: {
    image: { repository: 'ghcr.io/acme/generator-platform-web', tag: MAIN_BUILD_TAG },
    replicas: Replicas.fixed(1),
    resources: { cpuMillis: 500, memoryMi: 1024, storageGi: 5 },
    targetCpuUtilizationPercent: 70,
  },
  api: {
    image: { repository: 'ghcr.io/acme/generator-platform-api', tag: MAIN_BUILD_TAG },
    replicas: Replicas.fixed(1),
    resources: { cpuMillis: 500, memoryMi: 1024, storageGi: 5 },
    targetCpuUtilizationPercent: 70,
  },
  generator: {
    image: { repository: 'ghcr.io/acme/generator-platform-generator', tag: MAIN_BUILD_TAG },
    replicas: Replicas.fixed(1),
    resources: { cpuMillis: 1000, memoryMi: 2048, storageGi: 10 },
    targetCpuUtilizationPercent: 75,
  },
};
