/**
 * `npm run synth:hcl` (cdktf's HCL renderer, plus app/hcl-format.ts) works
 * offline, its HCL declares the same resources, data sources, checks,
 * providers and outputs as the JSON, so reviewers can read it and the stack
 * can leave cdktf, and it is formatted as `terraform fmt` would format it.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse } from "@cdktf/hcl2json";
import { TERRAFORM_ENV, hasTerraform } from "../support/terraform";
import { PROJECT_ROOT } from "../support/project-root";

const root = PROJECT_ROOT;

/** `{ resource: { type: [names] }, ... }` of a Terraform configuration. */
function declarations(configuration: Record<string, unknown>) {
  const namesByType = (section: unknown) =>
    Object.fromEntries(Object.entries((section ?? {}) as Record<string, object>).map(([type, blocks]) => [type, Object.keys(blocks).sort()]));
  return {
    resource: namesByType(configuration.resource),
    data: namesByType(configuration.data),
    provider: Object.keys((configuration.provider ?? {}) as object).sort(),
    output: Object.keys((configuration.output ?? {}) as object).sort(),
    check: Object.keys((configuration.check ?? {}) as object).sort(),
  };
}

describe("npm run synth:hcl", () => {
  test("writes HCL beside the JSON, offline, declaring the same things", async () => {
    const hclOutdir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "hcl-")), "hcl");
    const jsonOutdir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "json-")), "cdktf.out");
    const closed = "http://127.0.0.1:9"; // any attempt to reach the network fails at once
    const result = spawnSync("npm", ["run", "--silent", "synth:hcl"], {
      cwd: root,
      env: { ...process.env, HCL_OUTDIR: hclOutdir, CDKTF_OUTDIR: jsonOutdir, HTTP_PROXY: closed, HTTPS_PROXY: closed, http_proxy: closed, https_proxy: closed },
      encoding: "utf8",
    });
    expect(result.status).toBe(0);

    const hcl = fs.readFileSync(path.join(hclOutdir, "stacks", "homelab", "cdk.tf"), "utf8");
    const json = JSON.parse(fs.readFileSync(path.join(jsonOutdir, "stacks", "homelab", "cdk.tf.json"), "utf8"));
    const fromHcl = declarations(await parse("cdk.tf", hcl));
    expect(fromHcl).toEqual(declarations(json));
    expect(fromHcl.resource.proxmox_virtual_environment_vm).toHaveLength(3);
    expect(hcl).toContain('resource "talos_machine_bootstrap"');
    expect(fromHcl.check).toHaveLength(1);
    // Printed once, by the JSON pass, as a warning naming the stack.
    expect(result.stderr.match(/warning/gi)).toEqual(["warning"]);
    expect(result.stderr).toContain("warning [stack homelab]: All 3 control planes run on Proxmox host pve: losing pve stops the cluster");

    // terraform fmt changes nothing (where terraform is installed: on CI and every deploy machine).
    if (!hasTerraform) {
      console.warn("terraform is not on PATH: the fmt check of the HCL did not run");
    } else {
      const fmt = spawnSync("terraform", ["fmt", "-check", "-diff", "-no-color", "-"], { input: hcl, encoding: "utf8", env: TERRAFORM_ENV });
      expect(fmt.stdout).toBe("");
      expect(fmt.status).toBe(0);
    }
    fs.rmSync(path.dirname(hclOutdir), { recursive: true, force: true });
    fs.rmSync(path.dirname(jsonOutdir), { recursive: true, force: true });
  });
});
