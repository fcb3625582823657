/**
 * Finds credentials in a parsed configuration document. The Proxmox API
 * token (and any password) comes only from the environment, never from a
 * file that may end up in git or in a pull request.
 */
import { ValidationProblem } from "../constructs";

/** Field names that hold credentials, in any of the usual spellings. */
const SECRET_FIELD = /^(api[-_]?token|token|password|secret|private[-_]?key)$/i;
/** `user@realm!tokenid=uuid` (Proxmox token) or a `PVEAPIToken=` header value. */
const TOKEN_VALUE = /PVEAPIToken=|[\w.-]+@[\w.-]+![\w.-]+=[0-9a-f-]{8,}/i;

const FIX = "API tokens and passwords never go in the file: remove it and export PROXMOX_VE_API_TOKEN (see README, Deploy)";

export function findSecrets(document: unknown, path = ""): ValidationProblem[] {
  if (Array.isArray(document)) {
    return document.flatMap((item, index) => findSecrets(item, `${path}[${index}]`));
  }
  if (document && typeof document === "object") {
    return Object.entries(document).flatMap(([key, value]) => {
      const field = path ? `${path}.${key}` : key;
      if (SECRET_FIELD.test(key)) return [{ field, value: "***", message: FIX }];
      return findSecrets(value, field);
    });
  }
  if (typeof document === "string" && TOKEN_VALUE.test(document)) {
    return [{ field: path || "(top level)", value: "***", message: FIX }];
  }
  return [];
}
