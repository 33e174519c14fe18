import { pinnedReference, THIRD_PARTY_IMAGES } from '../../platform/third-party-images';
import { StoreImagesConfig } from '../environment-config';

/**
 * The store images of every environment, as lib/platform/third-party-images.ts pins them (with a
 * digest where a public source states one). Development and previews run the same references as
 * staging and production: what they test is what ships, and a digest costs them nothing.
 */
export const STORE_IMAGES: StoreImagesConfig = {
  redis: pinnedReference(THIRD_PARTY_IMAGES.redis),
  redisExporter: pinnedReference(THIRD_PARTY_IMAGES.redisExporter),
  postgres: pinnedReference(THIRD_PARTY_IMAGES.postgres),
  pgbouncer: pinnedReference(THIRD_PARTY_IMAGES.pgbouncer),
  rabbitmq: pinnedReference(THIRD_PARTY_IMAGES.rabbitmq),
};
