/** The HOMELAB_CONFIG loader's refusals, as the tests read them. */
import { HomelabConfigError, parseHomelabConfig } from "../../config/load-homelab-config";

/** The error parsing `text` throws (fails the test when nothing is thrown). */
export function configErrorOf(text: string, file = "homelab.yaml"): HomelabConfigError {
  try {
    parseHomelabConfig(file, text);
  } catch (error) {
    expect(error).toBeInstanceOf(HomelabConfigError);
    return error as HomelabConfigError;
  }
  throw new Error("expected the configuration to be refused");
}

/** The message of the error parsing `text` throws (fails the test when nothing is thrown). */
export function problemsOf(text: string, file = "homelab.yaml"): string {
  return configErrorOf(text, file).message;
}

/** The problems as printed, one entry a problem (a problem may span lines: a YAML error shows its line). */
export function problemLinesOf(text: string, file = "homelab.yaml"): readonly string[] {
  return configErrorOf(text, file).problems;
}
