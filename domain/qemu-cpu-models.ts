/**
 * The CPU types a Proxmox VM may have (`cpu.type` of the bpg/proxmox VM,
 * `cputype` in qemu-server), so a typo fails at synth instead of at apply
 * ("Built-in cputype '...' is not defined (missing 'custom-' prefix?)").
 *
 * Source: proxmox/qemu-server src/PVE/QemuServer/CPUConfig.pm at commit
 * e6352be67f70042a7433a3a3c712b36d02f9f7cb ("bump version to 9.2.6",
 * 2026-08-17), read 2026-12-04: `validate_vm_cpu_conf` accepts a model of
 * `get_all_cpu_models()` (the x86_64 keys of `$cpu_models_by_arch`, the
 * hard-coded list behind `$cpu_vendor_list`, plus `host`), a built-in model
 * of `$builtin_models_by_arch` (the x86-64-v2 to -v4 levels), or a custom
 * model `custom-<name>` defined in /etc/pve/virtual-guest/cpu-models.conf.
 * x86_64 only: the VMs boot Talos's nocloud-amd64 image.
 */

/** The x86_64 keys of `$cpu_models_by_arch`, in the source's order, and `host` (added for the host's architecture). */
const VENDOR_MODELS = `
  486 pentium pentium2 pentium3 coreduo core2duo Conroe Penryn Nehalem Nehalem-IBRS Westmere Westmere-IBRS
  SandyBridge SandyBridge-IBRS IvyBridge IvyBridge-IBRS Haswell Haswell-IBRS Haswell-noTSX Haswell-noTSX-IBRS
  Broadwell Broadwell-IBRS Broadwell-noTSX Broadwell-noTSX-IBRS Skylake-Client Skylake-Client-IBRS
  Skylake-Client-noTSX-IBRS Skylake-Client-v4 Skylake-Server Skylake-Server-IBRS Skylake-Server-noTSX-IBRS
  Skylake-Server-v4 Skylake-Server-v5 Cascadelake-Server Cascadelake-Server-v2 Cascadelake-Server-noTSX
  Cascadelake-Server-v4 Cascadelake-Server-v5 Cooperlake Cooperlake-v2 KnightsMill Icelake-Client
  Icelake-Client-noTSX Icelake-Server Icelake-Server-noTSX Icelake-Server-v3 Icelake-Server-v4 Icelake-Server-v5
  Icelake-Server-v6 Icelake-Server-v7 SapphireRapids SapphireRapids-v2 SapphireRapids-v3 SapphireRapids-v4
  GraniteRapids GraniteRapids-v2 GraniteRapids-v3 SierraForest SierraForest-v2 SierraForest-v3 ClearwaterForest
  athlon phenom Opteron_G1 Opteron_G2 Opteron_G3 Opteron_G4 Opteron_G5 EPYC EPYC-IBPB EPYC-v3 EPYC-v4 EPYC-v5
  EPYC-Rome EPYC-Rome-v2 EPYC-Rome-v3 EPYC-Rome-v4 EPYC-Rome-v5 EPYC-Milan EPYC-Milan-v2 EPYC-Milan-v3
  EPYC-Genoa EPYC-Genoa-v2 EPYC-Turin kvm32 kvm64 qemu32 qemu64 max host`;

/** `$builtin_models_by_arch->{x86_64}`: the x86-64 microarchitecture levels. */
const BUILTIN_MODELS = "x86-64-v2 x86-64-v2-AES x86-64-v3 x86-64-v4";

/** Every non-custom CPU type Proxmox accepts, the portable and common ones first (they lead the suggestions on a tie). */
export const QEMU_CPU_MODELS: readonly string[] = [...BUILTIN_MODELS.split(" "), ...VENDOR_MODELS.trim().split(/\s+/)];

/** A custom model: `custom-` and its section id in cpu-models.conf. */
export const CUSTOM_CPU_MODEL = /^custom-[A-Za-z0-9][A-Za-z0-9_.-]*$/;

const KNOWN = new Set(QEMU_CPU_MODELS);

/** Whether Proxmox knows this CPU type (names are case-sensitive, as in qemu-server's lookup). */
export function isKnownCpuType(cpuType: string): boolean {
  return KNOWN.has(cpuType) || CUSTOM_CPU_MODEL.test(cpuType);
}
