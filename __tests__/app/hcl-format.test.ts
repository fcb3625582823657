/**
 * The HCL fixes for cdktf 0.21's renderer, on the cases it produces: what
 * `terraform fmt` would rewrite is rewritten, and nothing else is touched.
 */
import { normalizeCdktfHcl, renderCheckBlocks, unwrapInterpolationOnly } from "../../app/hcl-format";

describe("interpolation-only strings", () => {
  test.each([
    ['  machine_secrets = "${talos_machine_secrets.s.machine_secrets}"', "  machine_secrets = talos_machine_secrets.s.machine_secrets"],
    ['      mtu          = "${null}"', "      mtu          = null"],
    ['    "${aws_instance.a.id}",', "    aws_instance.a.id,"],
    ['  value = "${yamlencode({ a = format("https://%s:6443", ip) })}"', '  value = yamlencode({ a = format("https://%s:6443", ip) })'],
    ['  value = "${merge(x, { s = "${y}" })}"', '  value = merge(x, { s = "${y}" })'],
  ])("unwraps %s", (line, expected) => {
    expect(unwrapInterpolationOnly(line)).toBe(expected);
  });

  test.each([
    ['  url = "https://factory.talos.dev/image/${s.id}/v1.13.9/nocloud-amd64.raw.gz"'],
    ['  name = "${a.b}-${c.d}"'],
    ['  text = "${a}" # two'],
    ['  plain = "no interpolation"'],
  ])("leaves %s alone (not one interpolation and nothing else)", (line) => {
    expect(unwrapInterpolationOnly(line)).toBe(line);
  });
});

describe("normalizeCdktfHcl", () => {
  test("unquotes references in depends_on, ignore_changes and replace_triggered_by, and nothing in other lists", () => {
    const hcl = [
      "  depends_on = [",
      '    "null_resource.gate",',
      "  ]",
      "  lifecycle {",
      "    ignore_changes = [",
      '      "disk[0].file_id",',
      "    ]",
      "    replace_triggered_by = [",
      '      "proxmox_virtual_environment_vm.vm.id",',
      "    ]",
      "  }",
      "  tags = [",
      '    "talos",',
      "  ]",
    ].join("\n");
    expect(normalizeCdktfHcl(hcl)).toBe(
      [
        "  depends_on = [",
        "    null_resource.gate,",
        "  ]",
        "  lifecycle {",
        "    ignore_changes = [",
        "      disk[0].file_id,",
        "    ]",
        "    replace_triggered_by = [",
        "      proxmox_virtual_environment_vm.vm.id,",
        "    ]",
        "  }",
        "  tags = [",
        '    "talos",',
        "  ]",
      ].join("\n"),
    );
  });

  test("writes a lifecycle precondition list as one block per entry, as Terraform requires", () => {
    const hcl = ["  lifecycle {", "    precondition = [", "      {", '        condition     = "${x.ok}"', '        error_message = "not ok"', "      },", "    ]", "  }"].join("\n");
    expect(normalizeCdktfHcl(hcl)).toBe(["  lifecycle {", "    precondition {", "        condition     = x.ok", '        error_message = "not ok"', "    }", "  }"].join("\n"));
  });

  test("leaves heredocs exactly as they are", () => {
    const hcl = ["  config_patches = [", "    <<EOF", 'image: "${x.id}"', "EOF", "  ]", '  a = "${b.c}"'].join("\n");
    expect(normalizeCdktfHcl(hcl)).toBe(["  config_patches = [", "    <<EOF", 'image: "${x.id}"', "EOF", "  ]", "  a = b.c"].join("\n"));
  });
});

describe("renderCheckBlocks", () => {
  test("renders a check with its scoped data source and assertion as HCL", () => {
    const hcl = renderCheckBlocks({
      check: {
        health: {
          data: { talos_cluster_health: { health: { endpoints: ["10.0.0.1"], timeouts: { read: "60s" }, depends_on: ["null_resource.gate"] } } },
          assert: [{ condition: '${data.talos_cluster_health.health.id != ""}', error_message: 'not "healthy"' }],
        },
      },
    });
    expect(hcl).toBe(
      [
        'check "health" {',
        '  data "talos_cluster_health" "health" {',
        '    endpoints = ["10.0.0.1"]',
        '    timeouts = { read = "60s" }',
        "    depends_on = [null_resource.gate]",
        "  }",
        "",
        "  assert {",
        '    condition = data.talos_cluster_health.health.id != ""',
        '    error_message = "not \\"healthy\\""',
        "  }",
        "}",
        "",
      ].join("\n"),
    );
  });

  test("renders nothing for a configuration without checks", () => {
    expect(renderCheckBlocks({})).toBe("");
  });
});
