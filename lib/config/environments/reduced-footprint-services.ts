import { EnvironmentConfig } from '../environment-config';
import { EnvironmentImages, referenceOf } from '../environment-images';
import { Replicas } from '../../platform/replicas';

/**
 * Web, api and generator at the reduced footprint that lib/config/spec-minimums.ts allows
 * development and previews: one replica each, about a quarter of the specification's size. Their
 * images (a build of main, pulled by tag, which only these environments may) come from the
 * environment's image data file.
 */
export function reducedFootprintServices(images: EnvironmentImages): Pick<EnvironmentConfig, 'web' | 'api' | 'generator'> {
  return {
    web: {
      image: referenceOf(images.web),
      replicas: Replicas.fixed(1),
      resources: { cpuMillis: 500, memoryMi: 1024, storageGi: 5 },
      targetCpuUtilizationPercent: 70,
    },
    api: {
      image: referenceOf(images.api),
      replicas: Replicas.fixed(1),
      resources: { cpuMillis: 500, memoryMi: 1024, storageGi: 5 },
      targetCpuUtilizationPercent: 70,
    },
    generator: {
      image: referenceOf(images.generator),
      replicas: Replicas.fixed(1),
      resources: { cpuMillis: 1000, memoryMi: 2048, storageGi: 10 },
      targetCpuUtilizationPercent: 75,
    },
  };
}
