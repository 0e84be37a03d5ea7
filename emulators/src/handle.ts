export interface EmulatorHandle {
  readonly host: string;
  readonly port: number;
  readonly url: string;
  stop(): Promise<void>;
  exportTo(dir: string): Promise<void>;
}
