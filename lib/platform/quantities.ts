import { k8s } from 'cdk8s-plus-27';

/** `2000` -> `2`, `500` -> `500m`: the shortest exact CPU quantity. */
export function cpuQuantity(millis: number): k8s.Quantity {
  return k8s.Quantity.fromString(millis % 1000 === 0 ? `${millis / 1000}` : `${millis}m`);
}

/** `4096` -> `4Gi`, `512` -> `512Mi`. */
export function memoryQuantity(mebibytes: number): k8s.Quantity {
  return k8s.Quantity.fromString(mebibytes % 1024 === 0 ? `${mebibytes / 1024}Gi` : `${mebibytes}Mi`);
}

export function gibibytes(amount: number): k8s.Quantity {
  return k8s.Quantity.fromString(`${amount}Gi`);
}
