/**
 * Finds credentials in a parsed configuration document. The Proxmox API
 * token, the PostgreSQL connection string (and any password) come only from
 * the environment, never from a file that may end up in git or in a pull
 * request.
 */
import { ValidationProblem } from "../domain";

/** Field names that hold credentials, in any of the usual spellings. */
const SECRET_FIELD = /^(api[-_]?token|token|password|secret|private[-_]?key)$/i;
/** `user@realm!tokenid=uuid`: a Proxmox API token. */
const PROXMOX_TOKEN = /[\w.-]+@[\w.-]+![\w.-]+=[0-9a-f-]{8,}/;
/** A Proxmox token, or a `PVEAPIToken=` header value. */
const TOKEN_VALUE = new RegExp(`PVEAPIToken=|${PROXMOX_TOKEN.source}`, "i");
/** A PostgreSQL connection string (it carries the password): a field named for one, or a URL or keyword form. */
const CONN_FIELD = /^(conn[-_]?str(ing)?|connection[-_]?string|pg[-_]?conn[-_]?str|dsn|database[-_]?url)$/i;
const CONN_VALUE = /^\s*postgres(ql)?:\/\/|\bpassword\s*=/i;

const FIX = "API tokens and passwords never go in the file: remove it and export PROXMOX_VE_API_TOKEN (see README, First deploy)";
const CONN_FIX =
  "the PostgreSQL connection string (with its password) never goes in the file: remove it and export PG_CONN_STR, which Terraform's pg backend reads (see docs/state.md)";

export function findSecrets(document: unknown, path = ""): ValidationProblem[] {
  if (Array.isArray(document)) {
    return document.flatMap((item, index) => findSecrets(item, `${path}[${index}]`));
  }
  if (document && typeof document === "object") {
    return Object.entries(document).flatMap(([key, value]) => {
      const field = path ? `${path}.${key}` : key;
      if (CONN_FIELD.test(key)) return [{ field, value: "***", message: CONN_FIX }];
      if (SECRET_FIELD.test(key)) return [{ field, value: "***", message: FIX }];
      return findSecrets(value, field);
    });
  }
  if (typeof document === "string" && CONN_VALUE.test(document)) {
    return [{ field: path || "(top level)", value: "***", message: CONN_FIX }];
  }
  if (typeof document === "string" && TOKEN_VALUE.test(document)) {
    return [{ field: path || "(top level)", value: "***", message: FIX }];
  }
  return [];
}

/** `key: value` in a line of YAML or JSON, in block or flow style: the key (quoted or not) and its value up to `,` `}` `]`. */
const KEY_VALUE = /(["']?)([A-Za-z][\w-]*)\1(\s*:\s+)("(?:[^"\\]|\\.)*"?|'[^']*'?|[^,{}[\]\s#][^,}\]#]*)/g;

/**
 * A line of the file with what {@link findSecrets} would refuse masked: the
 * value of a credential field, a Proxmox token, a `password=` setting. For the
 * code excerpt of a file that does not parse, where findSecrets cannot run.
 */
export function maskSecretsInText(line: string): string {
  return line
    .replace(KEY_VALUE, (match, quote: string, key: string, separator: string) =>
      SECRET_FIELD.test(key) || CONN_FIELD.test(key) ? `${quote}${key}${quote}${separator}***` : match,
    )
    .replace(/PVEAPIToken=\S*/gi, "PVEAPIToken=***")
    .replace(new RegExp(PROXMOX_TOKEN.source, "gi"), "***")
    .replace(/\b(password\s*=\s*)[^\s'"]+/gi, "$1***");
}
