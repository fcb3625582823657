/** Versions that are not known releases: a warning naming the newest known patch, never a refusal. */
import {
  KUBERNETES_NEWEST_PATCHES,
  TALOS_NEWEST_PATCHES,
  TALOS_OS_RELEASES,
  TALOS_RELEASES,
  clusterWarnings,
  compareMinor,
  resolveClusterSpec,
  unknownReleaseWarning,
  validateClusterSpec,
  warningSubjectOf,
} from "../../domain";

describe("the known releases", () => {
  test("cover every Talos minor the nodes may run and every Kubernetes minor those run", () => {
    // GIVEN the supported Talos releases and the Kubernetes minors each runs
    const kubernetesMinors = new Set<string>();
    for (const { kubernetes } of TALOS_OS_RELEASES) {
      for (let minor = Number(kubernetes.oldest.split(".")[1]); compareMinor(`1.${minor}`, kubernetes.newest) <= 0; minor++) kubernetesMinors.add(`1.${minor}`);
    }
    // THEN each has an entry (a release, or undefined for only pre-releases)
    expect(Object.keys(TALOS_NEWEST_PATCHES).sort()).toEqual(TALOS_OS_RELEASES.map(({ minor }) => minor).sort());
    expect(Object.keys(KUBERNETES_NEWEST_PATCHES).sort(compareMinor)).toEqual([...kubernetesMinors].sort(compareMinor));
  });

  test("every contract's schema version is a known Talos release", () => {
    expect(TALOS_RELEASES.map(({ schemaVersion }) => unknownReleaseWarning("Talos", "schemaVersion", schemaVersion))).toEqual(TALOS_RELEASES.map(() => undefined));
  });

  test.each([
    ["Talos", "v1.13.9"],
    ["Talos", "v1.13.0"],
    ["Talos", "v1.11.6"],
    ["Kubernetes", "v1.36.3"],
    ["Kubernetes", "v1.29.15"],
  ] as const)("%s %s is a known release: no warning", (product, version) => {
    expect(unknownReleaseWarning(product, "version", version)).toBeUndefined();
  });

  test("a malformed version or one of a minor the list does not cover is left to validation", () => {
    expect(unknownReleaseWarning("Talos", "talosVersion", "1.13.9")).toBeUndefined();
    expect(unknownReleaseWarning("Talos", "talosVersion", "v1.10.7")).toBeUndefined();
    expect(unknownReleaseWarning("Kubernetes", "kubernetesVersion", undefined)).toBeUndefined();
  });
});

describe("an unknown patch", () => {
  test("of Talos and of Kubernetes warns with the field, the value and the newest known patch of its minor", () => {
    // GIVEN patch versions past the newest releases
    const spec = resolveClusterSpec({ talosVersion: "v1.13.99", kubernetesVersion: "v1.36.99" });
    // WHEN the cluster is validated and warned about
    const problems = validateClusterSpec(spec);
    const warnings = clusterWarnings(warningSubjectOf(spec));
    // THEN it is not refused, and each version gets its warning
    expect(problems).toEqual([]);
    expect(warnings).toContain(
      "talosVersion v1.13.99 is not a known Talos release (yet): the newest known Talos 1.13 patch is v1.13.9; check the version (if it is a newer release, update domain/known-releases.ts)",
    );
    expect(warnings).toContain(
      "kubernetesVersion v1.36.99 is not a known Kubernetes release (yet): the newest known Kubernetes 1.36 patch is v1.36.3; check the version (if it is a newer release, update domain/known-releases.ts)",
    );
  });

  test("of a minor with only pre-releases says so", () => {
    expect(unknownReleaseWarning("Talos", "talosVersion", "v1.14.0")).toMatch(/^talosVersion v1\.14\.0 is not a known Talos release \(yet\): Talos 1\.14 had only pre-releases when the list was read/);
    expect(unknownReleaseWarning("Kubernetes", "kubernetesVersion", "v1.37.0")).toMatch(/^kubernetesVersion v1\.37\.0 is not a known Kubernetes release \(yet\): Kubernetes 1\.37 had only pre-releases/);
  });

  test("the reference homelab's versions are known releases", () => {
    const { talosVersion, kubernetesVersion } = resolveClusterSpec();
    expect(unknownReleaseWarning("Talos", "talosVersion", talosVersion)).toBeUndefined();
    expect(unknownReleaseWarning("Kubernetes", "kubernetesVersion", kubernetesVersion)).toBeUndefined();
  });
});
