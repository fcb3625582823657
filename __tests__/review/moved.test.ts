/**
 * The review honours the head's `moved` blocks as Terraform does: a stack
 * from before the short bpg/proxmox type names (base) against this one
 * (head) reports each download, HA resource and HA group as moved, one line
 * each, never as destroyed and created; its references move with it.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { loadHomelabConfig } from "../../config/load-homelab-config";
import { LONG_TYPE_NAMES } from "../../domain";
import { renderReview } from "../../review/render-review";
import { diffStacks } from "../../review/resource-diff";
import { TerraformJson, stackModel } from "../../review/stack-model";
import { PROJECT_ROOT } from "../support/project-root";
import { bulletsOf } from "../support/review-sections";
import { synthHomelab } from "../support/synth";

type Json = Record<string, unknown>;

/**
 * What the commit before the short names synthesized: the long type names,
 * references to them, and no `moved` blocks (the same JSON otherwise; CI's
 * .ci/ci-moved-types.sh plans the real one against a real state).
 */
function beforeShortNames(head: TerraformJson): TerraformJson {
  const mention = new RegExp(`(?<![A-Za-z0-9_.-])(${Object.keys(LONG_TYPE_NAMES).join("|")})\\.`, "g");
  const rename = (value: unknown): unknown =>
    typeof value === "string"
      ? value.replace(mention, (_, type: string) => `${LONG_TYPE_NAMES[type]}.`)
      : Array.isArray(value)
        ? value.map(rename)
        : typeof value === "object" && value !== null
          ? Object.fromEntries(Object.entries(value).map(([key, item]) => [LONG_TYPE_NAMES[key] ?? key, rename(item)]))
          : value;
  const { moved: _moved, ...rest } = head as Json;
  return rename(rest) as TerraformJson;
}

const synthFile = (...parts: string[]) => synthHomelab(loadHomelabConfig(path.join(PROJECT_ROOT, ...parts))).json as TerraformJson;
/** examples/proxmox-cluster-ha.yaml with Proxmox VE 8 HA groups, so a group moves too. */
function pve8Example(): TerraformJson {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "homelab-moved-"));
  try {
    const file = path.join(dir, "lab.yaml");
    const text = fs.readFileSync(path.join(PROJECT_ROOT, "examples", "proxmox-cluster-ha.yaml"), "utf8");
    expect(text).toContain("rules: pve9");
    fs.writeFileSync(file, text.replace("rules: pve9", "rules: pve8"));
    return synthHomelab(loadHomelabConfig(file)).json as TerraformJson;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe("a base from before the short type names", () => {
  test.each([
    ["the reference homelab", () => synthHomelab().json as TerraformJson, { proxmox_download_file: 1 }],
    ["examples/proxmox-cluster-ha.yaml", () => synthFile("examples", "proxmox-cluster-ha.yaml"), { proxmox_download_file: 1, proxmox_haresource: 5 }],
    ["examples/proxmox-cluster-ha.yaml with rules: pve8", pve8Example, { proxmox_download_file: 1, proxmox_haresource: 5, proxmox_hagroup: 5 }],
  ])("%s: every long-named resource moves, nothing is added, removed or changed", (_name, synth, kinds) => {
    // GIVEN this stack and the one the commit before synthesized
    const head = synth();
    const base = beforeShortNames(head);
    expect(JSON.stringify(base)).not.toMatch(/"proxmox_(download_file|haresource|hagroup)"/);

    // WHEN the review compares them
    const diff = diffStacks(base, head);

    // THEN each moves from its long-named address, with the same name part
    const movedKinds: Record<string, number> = {};
    for (const { from, to } of diff.moved) {
      const [type, name] = to.split(".");
      expect(from).toBe(`${LONG_TYPE_NAMES[type]}.${name}`);
      movedKinds[type] = (movedKinds[type] ?? 0) + 1;
    }
    expect(movedKinds).toEqual(kinds);
    // and the VMs' image references and the HA dependencies move with them: no change
    expect({ added: diff.added, removed: diff.removed, changed: diff.changed, indirect: diff.indirect }).toEqual({ added: [], removed: [], changed: [], indirect: [] });
  });

  test("the report lists each move on one line, and warns of nothing", () => {
    // GIVEN the HA example with groups, before and after
    const head = pve8Example();
    const base = beforeShortNames(head);

    // WHEN the review renders
    const review = renderReview({ head, base: { json: base, label: "the commit before" } });

    // THEN
    expect(review).toContain("0 to add, 0 to remove, 0 with no planned change; 11 moved to a new address (`moved` blocks).");
    const moved = review.split("### Moved")[1].split(/\n#/)[0].split("\n").filter((line) => line.startsWith("- "));
    expect(moved).toHaveLength(11);
    const download = Object.keys(head.resource!.proxmox_download_file)[0];
    expect(moved).toContain(
      `- \`proxmox_download_file.${download}\`: moved from \`proxmox_virtual_environment_download_file.${download}\`: no change in Proxmox`
    );
    expect(review).not.toMatch(/### (Added|Removed|Replaced)/);
    expect(bulletsOf(review, "Warnings").filter((warning) => /Replaces|Removes|moved/.test(warning))).toEqual([]);
  });

  test("reads the HA resources under either name: the same VMs are under Proxmox HA", () => {
    const head = synthFile("examples", "proxmox-cluster-ha.yaml");
    const haOf = (json: TerraformJson) => [...stackModel(json).nodes, ...stackModel(json).workers].map(({ name, haManaged }) => [name, haManaged]);
    expect(haOf(beforeShortNames(head))).toEqual(haOf(head));
    expect(haOf(head).every(([, managed]) => managed)).toBe(true);
  });
});

describe("moved blocks in general", () => {
  const image = (type: string, url: string): TerraformJson => ({
    resource: {
      [type]: { img: { url } },
      proxmox_virtual_environment_vm: { vm: { disk: [{ import_from: `\${${type}.img.id}` }], depends_on: [`${type}.img`] } },
    },
  });
  const moved = [{ from: "old_file.img", to: "proxmox_download_file.img" }];

  test("a moved resource that also changes is listed with its change, and says where it moved from", () => {
    const head = { ...image("proxmox_download_file", "https://b"), moved };
    const diff = diffStacks(image("old_file", "https://a"), head);
    expect(diff.changed.map(({ address, action, movedFrom }) => [address, action, movedFrom])).toEqual([["proxmox_download_file.img", "replace", "old_file.img"]]);
    const review = renderReview({ head, base: { json: image("old_file", "https://a"), label: "x" } });
    expect(review).toContain("- `proxmox_download_file.img`\n  - moved from `old_file.img` (a `moved` block: the same object, at a new address)\n");
    expect(review).not.toContain("### Moved");
  });

  test("a moved block whose old address the base lacks changes nothing: the resource is added", () => {
    const head = { ...image("proxmox_download_file", "https://a"), moved };
    const diff = diffStacks({}, head);
    expect(diff.moved).toEqual([]);
    expect(diff.added.map(({ address }) => address)).toContain("proxmox_download_file.img");
  });

  test("a moved block is ignored when the base already has the new address (an applied move)", () => {
    const head = { ...image("proxmox_download_file", "https://a"), moved };
    const diff = diffStacks(image("proxmox_download_file", "https://a"), head);
    expect({ moved: diff.moved, changed: diff.changed, added: diff.added, removed: diff.removed }).toEqual({ moved: [], changed: [], added: [], removed: [] });
  });

  test("a name that only starts with the old address is not renamed", () => {
    const base: TerraformJson = { resource: { old_file: { img: { url: "a" }, "img-2": { url: "b" } } } };
    const head: TerraformJson = { resource: { proxmox_download_file: { img: { url: "a" } }, old_file: { "img-2": { url: "b" } } }, moved };
    const diff = diffStacks(base, head);
    expect(diff.moved).toEqual(moved);
    expect({ added: diff.added, removed: diff.removed, changed: diff.changed }).toEqual({ added: [], removed: [], changed: [] });
  });
});
