import { TALOS_RELEASES, parseVersion, supportsKubernetes, talosRelease } from "../../domain";

describe("Talos releases", () => {
  test("parses release tags and nothing else", () => {
    expect(parseVersion("v1.13.9")).toEqual({ major: 1, minor: 13, patch: 9 });
    for (const text of ["1.13.9", "v1.13", "v1.13.9-beta.0", "latest", "v01.13.9"]) {
      expect(parseVersion(text)).toBeUndefined();
    }
  });

  test("picks the patch form by release: legacy up to 1.11, documents from 1.12", () => {
    expect(talosRelease("v1.11.6")?.networkConfigStyle).toBe("v1alpha1");
    expect(talosRelease("v1.12.0")?.networkConfigStyle).toBe("documents");
    expect(talosRelease("v1.13.9")?.networkConfigStyle).toBe("documents");
    expect(talosRelease("v1.10.7")).toBeUndefined();
    expect(talosRelease("v1.14.0")).toBeUndefined();
  });

  test("Talos 1.13 supports Kubernetes 1.31 to 1.36 (six minor versions back)", () => {
    const release = talosRelease("v1.13.9")!;
    expect(supportsKubernetes(release, "v1.31.0")).toBe(true);
    expect(supportsKubernetes(release, "v1.36.3")).toBe(true);
    expect(supportsKubernetes(release, "v1.30.9")).toBe(false);
    expect(supportsKubernetes(release, "v1.37.0")).toBe(false);
    expect(supportsKubernetes(release, "1.36.3")).toBe(false);
  });

  test("every release supports exactly six Kubernetes minors", () => {
    for (const release of TALOS_RELEASES) {
      const minor = (version: string) => Number(version.split(".")[1]);
      expect(minor(release.kubernetes.newest) - minor(release.kubernetes.oldest) + 1).toBe(6);
    }
  });
});
