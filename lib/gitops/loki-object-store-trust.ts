import { ApiObject, App, Chart } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { PLATFORM_NAME } from '../platform/labels';
import { CaBundle } from '../security/ca-bundle';
import { LOGGING_NAMESPACE, LoggingSettings } from './logging-settings';

/** The ConfigMap (public data) holding the CA bundle of a private object store, made by the Loki release. */
export const LOKI_OBJECT_STORAGE_CA = 'loki-object-storage-ca';
const CA_DIRECTORY = '/etc/loki/object-storage-ca';
const CA_KEY = 'ca.crt';

/** What the Loki values add for an object store other than AWS S3, and for its CA. */
export interface LokiObjectStoreTrust {
  /** Keys of `loki.storage.s3`: the endpoint, and `http_config.ca_file` when a CA is given. */
  readonly s3: Record<string, unknown>;
  /** Keys of every Loki component (singleBinary, write, read, backend): the CA's volume and mount. */
  readonly pod: Record<string, unknown>;
  /** Objects the release creates with `extraObjects`: the CA's ConfigMap. */
  readonly extraObjects: readonly unknown[];
}

/**
 * Points Loki at `s3Endpoint` and makes its S3 client trust exactly the configured CA: Loki reads
 * `http_config.ca_file` into a fresh certificate pool (grafana/loki, pkg/storage/chunk/client/aws,
 * S3Config.HTTPConfig.CAFile, yaml `ca_file`), so the public roots no longer apply to that store.
 * Nothing is added for AWS S3.
 */
export function lokiObjectStoreTrust(settings: Pick<LoggingSettings, 's3Endpoint' | 's3EndpointCaBundlePem'>): LokiObjectStoreTrust {
  const endpoint = settings.s3Endpoint !== undefined ? { endpoint: settings.s3Endpoint } : {};
  if (settings.s3EndpointCaBundlePem === undefined) {
    return { s3: endpoint, pod: {}, extraObjects: [] };
  }
  const bundle = CaBundle.fromPem(settings.s3EndpointCaBundlePem);
  const chart = new Chart(new App(), 'loki-object-storage-ca');
  const configMap = new k8s.KubeConfigMap(chart, LOKI_OBJECT_STORAGE_CA, {
    metadata: { name: LOKI_OBJECT_STORAGE_CA, namespace: LOGGING_NAMESPACE, labels: { 'app.kubernetes.io/part-of': PLATFORM_NAME } },
    data: { [CA_KEY]: bundle.pem },
  });
  return {
    s3: { ...endpoint, http_config: { ca_file: `${CA_DIRECTORY}/${CA_KEY}` } },
    pod: {
      extraVolumes: [{ name: 'object-storage-ca', configMap: { name: LOKI_OBJECT_STORAGE_CA } }],
      extraVolumeMounts: [{ name: 'object-storage-ca', mountPath: CA_DIRECTORY, readOnly: true }],
    },
    extraObjects: [ApiObject.of(configMap).toJson()],
  };
}
