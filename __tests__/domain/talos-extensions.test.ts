/** System extensions outside the official list of the Talos release: a warning with the closest names, never a refusal. */
import { DEFAULT_SYSTEM_EXTENSIONS, TALOS_OS_RELEASES, clusterWarnings, officialExtensions, resolveClusterSpec, unknownExtensionWarnings, validateClusterSpec, warningSubjectOf } from "../../domain";

describe("the official extensions", () => {
  test.each(TALOS_OS_RELEASES.map(({ minor }) => minor))("of Talos %s are listed, the default ones among them", (minor) => {
    const names = officialExtensions(`v${minor}.0`);
    expect(names).toEqual(expect.arrayContaining([...DEFAULT_SYSTEM_EXTENSIONS, "siderolabs/iscsi-tools", "siderolabs/nonfree-kmod-nvidia-production"]));
    expect(names?.every((name) => /^siderolabs\/[a-z0-9-]+$/.test(name))).toBe(true);
  });

  test("are those of talosVersion's minor", () => {
    // GIVEN an extension new in 1.14 (siderolabs/extensions v1.14.0-rc.1 has it, v1.13.9 does not)
    const systemExtensions = ["siderolabs/hyperv-guest-agent"];
    // THEN it is known to 1.14 and not to 1.13
    expect(unknownExtensionWarnings("v1.14.7", systemExtensions)).toEqual([]);
    expect(unknownExtensionWarnings("v1.13.9", systemExtensions)).toEqual([
      expect.stringMatching(/^talos\.systemExtensions has siderolabs\/hyperv-guest-agent, which is not an official extension of Talos 1\.13 \(siderolabs\/extensions v1\.13\.9\)/),
    ]);
  });

  test("a Talos version the list does not cover is not checked", () => {
    expect(unknownExtensionWarnings("v1.10.7", ["siderolabs/anything"])).toEqual([]);
    expect(unknownExtensionWarnings(undefined, ["siderolabs/anything"])).toEqual([]);
  });
});

describe("an unknown extension", () => {
  test("warns with the field, the value, the release and the closest names, and is not refused", () => {
    // GIVEN a misspelt extension beside a known one
    const spec = resolveClusterSpec({ systemExtensions: ["siderolabs/qemu-guest-agnet", "siderolabs/iscsi-tools"] });
    // WHEN it is validated and warned about
    const problems = validateClusterSpec(spec);
    const warnings = clusterWarnings(warningSubjectOf(spec));
    // THEN only the misspelt one is named, with the name it most likely means
    expect(problems).toEqual([]);
    expect(warnings.filter((warning) => warning.startsWith("talos.systemExtensions"))).toEqual([
      "talos.systemExtensions has siderolabs/qemu-guest-agnet, which is not an official extension of Talos 1.13 (siderolabs/extensions v1.13.9): did you mean siderolabs/qemu-guest-agent?",
    ]);
  });
});
