/**
 * What the review says of a change to the VMs' data disks: adding one is an
 * in-place update of the VM, never a replace; removing one warns that the
 * guest loses the disk (Proxmox keeps the volume as unusedN); shrinking one
 * or moving it to another datastore warns that the apply fails.
 */
import { ControlPlaneHaProps } from "../../domain";
import { renderReview } from "../../review/render-review";
import { diffStacks } from "../../review/resource-diff";
import { synthHomelab } from "../support/synth";

const VM = "proxmox_virtual_environment_vm";
const workers = [{ name: "w1", ip: "192.168.1.221" }];

function reviewOf(base: ControlPlaneHaProps, head: ControlPlaneHaProps) {
  const [before, after] = [synthHomelab({ cluster: base }).json, synthHomelab({ cluster: head }).json];
  const diff = diffStacks(before, after);
  const review = renderReview({ head: after, base: { json: before, label: "main" } });
  const warnings = (review.split("## Warnings\n\n")[1]?.split("\n\n")[0] ?? "").split("\n").filter((line) => line.startsWith("- "));
  return { diff, review, warnings };
}

describe("a data disk added", () => {
  test("GIVEN a base with no data disk and a head with one THEN each VM is updated in place, nothing is replaced, added or removed", () => {
    const { diff, warnings } = reviewOf({ workers }, { workers, workerDataDisks: [{ sizeGib: 100 }] });
    expect(diff.added).toEqual([]);
    expect(diff.removed).toEqual([]);
    expect(diff.changed.map(({ address, type, action }) => ({ type, action, worker: address.includes("Workers_w1") }))).toEqual([{ type: VM, action: "update", worker: true }]);
    const [change] = diff.changed;
    expect(change.changes).toEqual([
      {
        path: "disk.1",
        before: undefined,
        after: { interface: "scsi1", datastore_id: "local-lvm", size: 100, file_format: "raw", discard: "on", ssd: true },
        referenceOnly: false,
        outcome: { kind: "in-place" },
      },
    ]);
    // The VM keeps its id, so its configuration apply is not redone (replace_triggered_by on the id).
    expect(change.triggeredBy).toEqual([]);
    expect(warnings.filter((line) => /disk|Replaces/.test(line))).toEqual([]);
  });
});

describe("a data disk removed", () => {
  test("is an in-place update that warns that the guest loses the disk and Proxmox keeps the volume", () => {
    const { diff, warnings } = reviewOf({ workers, workerDataDisks: [{ sizeGib: 100 }, { sizeGib: 50 }] }, { workers, workerDataDisks: [{ sizeGib: 100 }] });
    expect(diff.changed.map(({ action }) => action)).toEqual(["update"]);
    expect(diff.changed[0].changes.map(({ path, outcome }) => [path, outcome.kind])).toEqual([["disk.2", "in-place"]]);
    expect(warnings).toContain(
      "- Removes the disk scsi2 of w1 (50 GiB on local-lvm): Proxmox unplugs it from the running VM and keeps its volume, with its data, as an `unusedN` disk of the VM until the VM is destroyed or you delete it in Proxmox; whatever stores data on it (Longhorn, a Ceph OSD) loses it at once. Take it out of service first.",
    );
  });

  test("from the middle of the list: the later disk's slot shrinks under it, and the review says the apply fails", () => {
    const { warnings } = reviewOf({ workers, workerDataDisks: [{ sizeGib: 100 }, { sizeGib: 50 }] }, { workers, workerDataDisks: [{ sizeGib: 50 }] });
    expect(warnings).toContainEqual(expect.stringMatching(/^- Removes the disk scsi2 of w1 \(50 GiB on local-lvm\)/));
    expect(warnings).toContainEqual(expect.stringMatching(/^- Shrinks the disk scsi1 of w1 from 100 to 50 GiB: Proxmox cannot shrink a disk and the apply fails/));
  });
});

describe("a data disk changed", () => {
  test("grown: in place, no warning", () => {
    const { diff, warnings } = reviewOf({ workers, workerDataDisks: [{ sizeGib: 100 }] }, { workers, workerDataDisks: [{ sizeGib: 200 }] });
    expect(diff.changed[0].changes.map(({ path, outcome }) => [path, outcome.kind])).toEqual([["disk.1.size", "in-place"]]);
    expect(warnings.filter((line) => line.includes("disk"))).toEqual([]);
  });

  test("moved to another datastore: warns that the move needs the VM powered off", () => {
    const { warnings } = reviewOf({ workers, workerDataDisks: [{ sizeGib: 100 }] }, { workers, workerDataDisks: [{ sizeGib: 100, datastoreId: "nvme" }] });
    expect(warnings).toContainEqual(expect.stringMatching(/^- Moves the disk scsi1 of w1 from local-lvm to nvme: a disk move needs the VM powered off/));
  });
});
