export function machine(): {
  cpus: number;
  cpuModel: string;
  memoryBytes: number;
  loadAverage: number[];
  platform: string;
  node: string;
  date: string;
};
