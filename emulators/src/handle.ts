export interface EmulatorHandle {
  readonly host: string;
  readonly port: number;
  readonly url: string;
  stop(): Promise<void>;
  exportTo(dir: string): Promise<void>;
}

/**
 * An emulator whose port is open but whose modules are not loaded yet: `GET /` answers 200 and
 * every other request waits for `load()`. Start-up is dominated by loading modules, so a process
 * running several emulators opens all their ports first; otherwise one emulator's modules would
 * delay the other's port.
 */
export interface OpenEmulator<H extends EmulatorHandle> {
  readonly host: string;
  readonly port: number;
  /** Loads the core, rules and import, then serves the requests that waited. */
  load(): Promise<H>;
  /** Instead of `load()`: closes the port; requests that waited fail (503 or a dropped connection). */
  close(): Promise<void>;
}
