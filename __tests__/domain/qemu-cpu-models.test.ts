/** cpuType is a CPU type QEMU/Proxmox knows; anything else is refused with the closest known names. */
import { QEMU_CPU_MODELS, formatProblem, isKnownCpuType, resolveClusterSpec, validateClusterSpec } from "../../domain";

const cpuTypeProblems = (cpuType: string) =>
  validateClusterSpec(resolveClusterSpec({ cpuType }))
    .filter(({ field }) => field === "cpuType")
    .map(formatProblem);

describe("cpuType", () => {
  test.each(["host", "max", "kvm64", "x86-64-v2", "x86-64-v2-AES", "x86-64-v3", "x86-64-v4", "EPYC-Milan", "Icelake-Server", "Opteron_G5", "custom-my-model"])("accepts %s", (cpuType) => {
    expect(cpuTypeProblems(cpuType)).toEqual([]);
  });

  test("the list holds qemu-server's vendor models and its x86-64 levels", () => {
    expect(QEMU_CPU_MODELS).toEqual(expect.arrayContaining(["x86-64-v2", "x86-64-v2-AES", "x86-64-v3", "x86-64-v4", "host", "max", "qemu64", "Skylake-Server-v5", "EPYC-Turin"]));
    expect(new Set(QEMU_CPU_MODELS).size).toBe(QEMU_CPU_MODELS.length);
  });

  test("fails a name in the wrong case, naming the field, the value and the known name", () => {
    expect(cpuTypeProblems("x86-64-v2-aes")).toEqual(['cpuType = "x86-64-v2-aes": not a CPU type QEMU/Proxmox knows: did you mean x86-64-v2-AES? (a custom model is custom-<name>)']);
  });

  test.each([
    ["Haswel", /did you mean Haswell\b/],
    ["skylake", /did you mean Skylake-Client, Skylake-Client-IBRS or Skylake-Client-noTSX-IBRS\?/],
    ["kvm65", /did you mean kvm64 or kvm32\?/],
    ["custom-", /not a CPU type QEMU\/Proxmox knows: did you mean/],
  ])("fails %s with the closest known names", (cpuType, message) => {
    expect(cpuTypeProblems(cpuType)).toEqual([expect.stringMatching(message)]);
  });

  test("a custom model needs a name after custom-", () => {
    expect(isKnownCpuType("custom-epyc_lab.2")).toBe(true);
    expect(isKnownCpuType("custom-")).toBe(false);
    expect(isKnownCpuType("Custom-x")).toBe(false);
  });
});
