/**
 * Devices seen by OTA and their activation codes (xiaozhi-protocol.md §5.2–§5.3). In memory, optionally
 * persisted to a JSON file (activated devices only) so a restart keeps them.
 */
import { randomBytes, randomInt } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { normalizeMac } from '../protocol/identity-format.ts';

export interface DeviceRecord {
  deviceId: string;
  clientId?: string;
  serialNumber?: string;
  /** Key reported in `application.elf_sha256` (py-xiaozhi, §5.1). */
  hmacKey?: string;
  board?: string;
  appVersion?: string;
  /** The code was entered (device bound to "an account"). */
  bound: boolean;
  /** Activation completed (bound and the device's activate call succeeded, or set by a test). */
  activated: boolean;
  firstSeen: number;
  lastSeen: number;
}

export interface PendingCode {
  code: string;
  challenge: string;
  deviceId: string;
  expiresAt: number;
  approved: boolean;
}

/** Canonical key for a device id: MACs in lower-case colon form, anything else as given. */
export const deviceKey = (id: string) => normalizeMac(id) ?? id;

export class Registry {
  readonly devices = new Map<string, DeviceRecord>();
  readonly #byCode = new Map<string, PendingCode>();
  readonly #byDevice = new Map<string, PendingCode>();
  constructor(private readonly codeTtlMs: number, private readonly dataFile?: string) {
    if (dataFile) this.#load(dataFile);
  }

  /** Create or update the record of a device that called OTA. */
  touch(deviceId: string, info: Partial<Omit<DeviceRecord, 'deviceId' | 'bound' | 'activated' | 'firstSeen' | 'lastSeen'>>): DeviceRecord {
    const key = deviceKey(deviceId);
    const now = Date.now();
    let rec = this.devices.get(key);
    if (!rec) {
      rec = { deviceId: key, bound: false, activated: false, firstSeen: now, lastSeen: now };
      this.devices.set(key, rec);
    }
    rec.lastSeen = now;
    for (const [k, v] of Object.entries(info)) if (v !== undefined && v !== '') (rec as unknown as Record<string, unknown>)[k] = v;
    return rec;
  }

  get(deviceId: string): DeviceRecord | undefined {
    return this.devices.get(deviceKey(deviceId));
  }

  isActivated(deviceId: string): boolean {
    return this.get(deviceId)?.activated === true;
  }

  /** The device's valid pending code, or a new one (same code reused while valid, §5.2). */
  pendingFor(deviceId: string, autoApprove: boolean): PendingCode {
    const key = deviceKey(deviceId);
    const now = Date.now();
    const existing = this.#byDevice.get(key);
    if (existing && existing.expiresAt > now) return existing;
    if (existing) this.#drop(existing);
    let code: string;
    do code = String(randomInt(0, 1_000_000)).padStart(6, '0');
    while (this.#byCode.has(code));
    const p: PendingCode = { code, challenge: randomBytes(16).toString('hex'), deviceId: key, expiresAt: now + this.codeTtlMs, approved: autoApprove };
    this.#byCode.set(code, p);
    this.#byDevice.set(key, p);
    if (autoApprove) this.touch(key, {}).bound = true;
    return p;
  }

  byChallenge(challenge: string): PendingCode | undefined {
    for (const p of this.#byCode.values()) if (p.challenge === challenge) return p;
    return undefined;
  }

  byDevice(deviceId: string): PendingCode | undefined {
    return this.#byDevice.get(deviceKey(deviceId));
  }

  /** What a person does on the console: bind the device holding `code`. False if unknown or expired. */
  enterCode(code: string): PendingCode | null {
    const p = this.#byCode.get(code.trim());
    if (!p) return null;
    if (p.expiresAt <= Date.now()) { this.#drop(p); return null; }
    p.approved = true;
    this.touch(p.deviceId, {}).bound = true;
    return p;
  }

  /** Activation finished: the code is spent. */
  complete(p: PendingCode): void {
    this.#drop(p);
    const rec = this.touch(p.deviceId, {});
    rec.bound = true;
    rec.activated = true;
    this.save();
  }

  /** Mark a device activated directly (tests, `activateDevice`). */
  activate(deviceId: string): void {
    const rec = this.touch(deviceId, {});
    rec.bound = true;
    rec.activated = true;
    const p = this.#byDevice.get(rec.deviceId);
    if (p) this.#drop(p);
    this.save();
  }

  expire(p: PendingCode): void {
    this.#drop(p);
  }

  pending(): PendingCode[] {
    return [...this.#byCode.values()];
  }

  #drop(p: PendingCode): void {
    this.#byCode.delete(p.code);
    if (this.#byDevice.get(p.deviceId) === p) this.#byDevice.delete(p.deviceId);
  }

  save(): void {
    if (!this.dataFile) return;
    const devices = [...this.devices.values()].filter((d) => d.activated);
    const tmp = `${this.dataFile}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify({ version: 1, devices }, null, 2), { mode: 0o600 });
    renameSync(tmp, this.dataFile);
  }

  #load(file: string): void {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      return; // first start
    }
    const data = JSON.parse(text) as { devices?: DeviceRecord[] };
    for (const d of data.devices ?? []) if (d && typeof d.deviceId === 'string') this.devices.set(deviceKey(d.deviceId), d);
  }
}
