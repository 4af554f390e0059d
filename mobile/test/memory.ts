import type { KeyValue } from "../src/storage";

/** A KeyValue in memory (what AsyncStorage is on a device). */
export class MemoryKeyValue implements KeyValue {
  readonly data = new Map<string, string>();
  async getItem(key: string) {
    return this.data.get(key) ?? null;
  }
  async setItem(key: string, value: string) {
    this.data.set(key, value);
  }
  async removeItem(key: string) {
    this.data.delete(key);
  }
}
