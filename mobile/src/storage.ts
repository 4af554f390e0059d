/**
 * What the app keeps on the device for offline use: jobs, applications,
 * wallet credentials and the application outbox (AsyncStorage; localStorage on
 * the web). Never tokens (see tokens.ts). Messages are kept as protobuf JSON.
 */
import AsyncStorage from "@react-native-async-storage/async-storage";
import { fromJson, toJson, type DescMessage, type MessageShape } from "@bufbuild/protobuf";

export interface KeyValue {
  getItem(key: string): Promise<string | null>;
  setItem(key: string, value: string): Promise<void>;
  removeItem(key: string): Promise<void>;
}

export const deviceStorage: KeyValue = AsyncStorage;

export async function saveMessages<D extends DescMessage>(
  storage: KeyValue,
  key: string,
  schema: D,
  messages: MessageShape<D>[],
): Promise<void> {
  await storage.setItem(key, JSON.stringify(messages.map((m) => toJson(schema, m))));
}

export async function loadMessages<D extends DescMessage>(
  storage: KeyValue,
  key: string,
  schema: D,
): Promise<MessageShape<D>[] | null> {
  const text = await storage.getItem(key);
  if (!text) return null;
  try {
    return (JSON.parse(text) as unknown[]).map((j) => fromJson(schema, j as never));
  } catch {
    return null; // an old or damaged copy: ignore it, the next fetch replaces it
  }
}
