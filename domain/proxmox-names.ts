/**
 * What Proxmox accepts as the name of a host, bridge or datastore (a storage
 * id): letters, digits, '.', '_' and '-', starting and ending with a letter or
 * digit. One definition for validation.ts and data-disk-rules.ts.
 */
export const PROXMOX_NAME = /^[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?$/;
