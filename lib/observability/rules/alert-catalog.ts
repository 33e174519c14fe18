/**
 * The alerts beyond the SLOs, by concern, one file each. Every threshold is written into the
 * expression once, and every test case sits just past (firing) and just short of (quiet) it, with
 * literal series.
 */
export { generatorAlerts } from './generator-alerts';
export { saturationAlerts } from './saturation-alerts';
export { POSTGRES_RPO_SECONDS, storeAlerts } from './store-alerts';
export { clusterAlerts, platformAlerts } from './platform-alerts';
