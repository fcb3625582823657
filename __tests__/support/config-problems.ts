/** The HOMELAB_CONFIG loader's refusals, as the tests read them. */
import { HomelabConfigError, parseHomelabConfig } from "../../config/load-homelab-config";

/** The message of the error parsing `text` throws (fails the test when nothing is thrown). */
export function problemsOf(text: string, file = "homelab.yaml"): string {
  try {
    parseHomelabConfig(file, text);
  } catch (error) {
    expect(error).toBeInstanceOf(HomelabConfigError);
    return (error as Error).message;
  }
  throw new Error("expected the configuration to be refused");
}
