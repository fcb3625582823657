/**
 * What HOMELAB_CONFIG names: nothing (the reference homelab), one file (one
 * cluster), or a folder whose every `*.yaml`, `*.yml` and `*.json` file is
 * one cluster. Every file is checked on its own, then the clusters against
 * each other (names, VIPs, addresses, VM ids): every problem of every file
 * at once, before anything is written.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { HomelabStackProps, clusterSetProblems, resolveClusterSpec } from "../domain";
import { HomelabConfigError, loadHomelabConfig } from "./load-homelab-config";

/** One configured cluster. */
export interface LoadedCluster {
  /** The file it came from, as HOMELAB_CONFIG names it; undefined for the reference homelab. */
  readonly file?: string;
  readonly props: HomelabStackProps;
}

/** The files of a folder that describe clusters. */
const CLUSTER_FILE = /\.(ya?ml|json)$/i;

export function loadClusters(configPath: string | undefined): LoadedCluster[] {
  if (configPath === undefined) return [{ props: {} }];
  if (configPath.trim() !== "" && isDirectory(configPath)) return loadFolder(configPath);
  return [{ file: configPath, props: loadHomelabConfig(configPath) }];
}

function loadFolder(folder: string): LoadedCluster[] {
  const files = fs
    .readdirSync(folder, { withFileTypes: true })
    .filter((entry) => entry.isFile() && CLUSTER_FILE.test(entry.name))
    .map((entry) => path.join(folder, entry.name))
    .sort();
  if (files.length === 0) {
    throw new HomelabConfigError(folder, ["the folder holds no *.yaml, *.yml or *.json file: put one file per cluster in it, or name a file"]);
  }
  const problems: string[] = [];
  const clusters: LoadedCluster[] = [];
  for (const file of files) {
    try {
      clusters.push({ file, props: loadHomelabConfig(file) });
    } catch (error) {
      if (!(error instanceof HomelabConfigError)) throw error;
      problems.push(...error.problems.map((problem) => `${file}: ${problem}`));
    }
  }
  if (problems.length === 0) {
    problems.push(...clusterSetProblems(clusters.map(({ file, props }) => ({ source: file!, spec: resolveClusterSpec(props.cluster) }))));
  }
  if (problems.length > 0) throw new HomelabConfigError(folder, problems);
  return clusters;
}

function isDirectory(file: string): boolean {
  try {
    return fs.statSync(file).isDirectory();
  } catch {
    return false; // loadHomelabConfig says what is wrong with the path
  }
}
