/**
 * Tokens live in the device's secure store (Keychain / Keystore via
 * expo-secure-store), never in plain storage. Browsers have no secure store:
 * on the web the tokens stay in memory and a reload signs out.
 */
import * as SecureStore from "expo-secure-store";
import { Platform } from "react-native";
import { MemoryTokenStore, type TokenStore, type Tokens } from "@iworkz/sdk";

const KEY = "iworkz.tokens";

export class SecureTokenStore implements TokenStore {
  async load(): Promise<Tokens | null> {
    const text = await SecureStore.getItemAsync(KEY);
    return text ? (JSON.parse(text) as Tokens) : null;
  }
  async save(tokens: Tokens): Promise<void> {
    await SecureStore.setItemAsync(KEY, JSON.stringify(tokens));
  }
  async clear(): Promise<void> {
    await SecureStore.deleteItemAsync(KEY);
  }
}

export function deviceTokenStore(): TokenStore {
  return Platform.OS === "web" ? new MemoryTokenStore() : new SecureTokenStore();
}
