/**
 * Talos's machine-config JSON Schemas, one per contract, as derived into
 * `.gen/talos-config-schemas/` by `npm run generate` (every document type,
 * no prose). The one thing domain/ takes from .gen/: data, not bindings, and
 * no file is read at run time: the JSON is part of the module graph, so the
 * app's esbuild bundle carries it and jest needs no ../shared.
 *
 * Each schema is `require`d on first use only: esbuild evaluates a required
 * JSON module when it is required, so a synth without user patches never
 * parses a schema.
 */
/** The parts of a derived schema the patch validator reads. */
export interface TalosConfigSchema {
  readonly $id: string;
  readonly oneOf: readonly { readonly $ref: string }[];
  readonly $defs: Readonly<Record<string, { readonly properties?: Readonly<Record<string, { readonly enum?: readonly unknown[] }>> }>>;
}

/** By `schemaVersion` of `TALOS_RELEASES` (a test checks that every release has one); literal paths so the bundler finds them. */
const LOADERS: Readonly<Record<string, () => TalosConfigSchema>> = {
  "v1.11.6": () => require("../.gen/talos-config-schemas/talos-v1.11.6.schema.json"),
  "v1.12.11": () => require("../.gen/talos-config-schemas/talos-v1.12.11.schema.json"),
  "v1.13.9": () => require("../.gen/talos-config-schemas/talos-v1.13.9.schema.json"),
};

/** The schema versions this module can load, for the test that checks them against `TALOS_RELEASES`. */
export const LOADABLE_SCHEMA_VERSIONS: readonly string[] = Object.keys(LOADERS);

/** The config schema of a contract's release (`TALOS_RELEASES[].schemaVersion`), or undefined when none is derived. */
export function talosConfigSchema(schemaVersion: string): TalosConfigSchema | undefined {
  return LOADERS[schemaVersion]?.();
}
