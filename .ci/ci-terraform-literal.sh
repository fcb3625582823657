#!/usr/bin/env bash
# .ci/ci-terraform-literal.sh
#
# Proves with real Terraform state, offline, that text the stack writes with
# terraformLiteral (domain/talos-setting-patches.ts: "${" as "$${", "%{" as
# "%%{") comes back byte for byte: CNI manifests may hold "${...}" and
# "%{...}" (a Helm chart's shell snippets do), which Terraform would otherwise
# evaluate in the JSON. A text of every awkward sequence goes into a
# talos_machine_configuration_apply's config_patches, is applied with
# ../shared/tools/terraform-offline/tf.sh and local state, and the stored
# config_patches[0] must equal the text exactly. The temp folder is removed on exit.
#
# Environment: TF_OFFLINE_SH  tf.sh to use (default: ../shared beside the repo)
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/offline-terraform-common.sh" ci-terraform-literal

# The text: what shell, Go templates and Helm leave in rendered manifests, and the escapes themselves.
printf '%s' 'a: "${HOSTNAME}" b: $${x} c: $$${y} d: %{ if z }%{ endif } e: %%{w} f: $ % $$ %% ${ %{ } $} ${}
g: "echo ${1:-default}" h: $(date) i: {{ .Values.x }} j: end$' >"$work/text"

(cd "$root" && node --import tsx -e '
const fs = require("node:fs");
const { terraformLiteral } = require("./domain/talos-setting-patches");
const text = fs.readFileSync(process.argv[1], "utf8");
const config = {
  terraform: { required_providers: { talos: { source: "siderolabs/talos", version: "0.11.0" } } },
  resource: { talos_machine_configuration_apply: { literal: {
    node: "127.0.0.1", machine_configuration_input: "machine: {}",
    client_configuration: { ca_certificate: "ca", client_certificate: "crt", client_key: "key" },
    config_patches: [terraformLiteral(text)],
  } } },
};
fs.writeFileSync(process.argv[2], JSON.stringify(config, null, 2));
' "$work/text" "$work/main.tf.json")

cd "$work"
"$tf" init -no-color >init.log 2>&1 || { cat init.log; fail "terraform init"; }
"$tf" apply -auto-approve -no-color >apply.log 2>&1 || { cat apply.log; fail "terraform apply"; }
jq -j '.resources[0].instances[0].attributes.config_patches[0]' terraform.tfstate >stored
if ! cmp -s stored text; then
  diff <(od -c text) <(od -c stored) | head -20
  fail "the text Terraform stored differs from the text written with terraformLiteral"
fi
echo "ok   terraformLiteral: $(wc -c <text) bytes of \${, %{, \$\${ and %%{ sequences stored byte for byte"
