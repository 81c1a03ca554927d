// npm run gen:types — regenerates packages/client/src/database.types.ts and
// the product list contract (packages/contracts/src/products.generated.ts)
// from the migrations, on a throwaway cluster so the result never depends on
// whatever data or drift a running stack has.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { Cluster } from "./lib/cluster.mjs";
import { prepareDatabase } from "./lib/database.mjs";
import { step } from "./lib/log.mjs";
import { ensureSetup } from "./lib/setup.mjs";
import { freePort, STATE_DIR } from "./lib/stack.mjs";
import { generateProductsContract, PRODUCTS_FILE } from "./lib/products.mjs";
import { generateTypes, TYPES_FILE } from "./lib/types.mjs";

ensureSetup();
const cluster = new Cluster({ dir: join(STATE_DIR, `types-${process.pid}`), port: await freePort() });
try {
  step("starting a throwaway cluster");
  cluster.init();
  cluster.start();
  prepareDatabase(cluster, { demo: false, onStep: step });
  writeFileSync(TYPES_FILE, generateTypes(cluster.url));
  step(`wrote ${TYPES_FILE}`);
  writeFileSync(PRODUCTS_FILE, generateProductsContract(cluster));
  step(`wrote ${PRODUCTS_FILE}`);
} finally {
  cluster.destroy();
}
