// Validates KEDA ScaledObjects (a JSON array of them) against KEDA's own schema (its API types as kubernetes-models
// packages them: types, required fields, enums). Usage: node check.mjs <file.json>; prints "valid <kind>/<name>" or
// "invalid <kind>/<name>: <why>" per object, and exits 1 if any is invalid.
import fs from 'node:fs';
import { ScaledObject } from '@kubernetes-models/keda/keda.sh/v1alpha1/ScaledObject';

const objects = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
let failed = false;

for (const o of objects) {
  const name = `${o.kind}/${o.metadata?.name}`;
  try {
    if (o.kind !== 'ScaledObject') throw new Error(`not a ScaledObject: ${o.kind}`);
    new ScaledObject(o).validate();
    console.log(`valid ${name}`);
  } catch (e) {
    failed = true;
    console.log(`invalid ${name}: ${e.message}`);
  }
}
process.exit(failed ? 1 : 0);
