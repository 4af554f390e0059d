/** The few building blocks every screen uses; each control carries an accessibility label and role. */
import React from "react";
import { ActivityIndicator, Pressable, StyleSheet, Text, TextInput, View, type TextInputProps } from "react-native";

export const colors = { primary: "#0b5fff", text: "#1a1a1a", muted: "#5c5c5c", ok: "#0a7d32", bad: "#b3261e", line: "#d9d9d9", bg: "#ffffff" };

export function Button(props: {
  label: string;
  onPress: () => void;
  hint?: string;
  kind?: "primary" | "plain";
  disabled?: boolean;
  testID?: string;
}) {
  const primary = (props.kind ?? "primary") === "primary";
  return (
    <Pressable
      accessibilityRole="button"
      accessibilityLabel={props.label}
      accessibilityHint={props.hint}
      accessibilityState={{ disabled: !!props.disabled }}
      disabled={props.disabled}
      onPress={props.onPress}
      testID={props.testID}
      style={({ pressed }) => [
        styles.button,
        primary ? styles.primary : styles.plain,
        (pressed || props.disabled) && { opacity: 0.6 },
      ]}
    >
      <Text style={[styles.buttonText, primary ? { color: "#fff" } : { color: colors.primary }]}>{props.label}</Text>
    </Pressable>
  );
}

export function Field(props: { label: string } & TextInputProps) {
  const { label, ...input } = props;
  return (
    <View style={{ marginVertical: 6 }}>
      <Text style={styles.label}>{label}</Text>
      <TextInput accessibilityLabel={label} style={styles.input} placeholderTextColor={colors.muted} {...input} />
    </View>
  );
}

export function Chip(props: { label: string; selected: boolean; onPress: () => void }) {
  return (
    <Pressable
      accessibilityRole={"checkbox" as const}
      accessibilityLabel={props.label}
      accessibilityState={{ checked: props.selected }}
      onPress={props.onPress}
      style={[styles.chip, props.selected && styles.chipOn]}
    >
      <Text style={{ color: props.selected ? "#fff" : colors.text, fontSize: 16 }}>{props.label}</Text>
    </Pressable>
  );
}

export function Title(props: { children: React.ReactNode }) {
  return (
    <Text accessibilityRole="header" style={styles.title}>
      {props.children}
    </Text>
  );
}

export function Note(props: { children: React.ReactNode; tone?: "ok" | "bad" | "muted"; testID?: string }) {
  const color = props.tone === "ok" ? colors.ok : props.tone === "bad" ? colors.bad : colors.muted;
  return (
    <Text testID={props.testID} style={{ color, fontSize: 16, marginVertical: 4 }}>
      {props.children}
    </Text>
  );
}

export function Loading(props: { label: string }) {
  return <ActivityIndicator accessibilityLabel={props.label} style={{ margin: 16 }} />;
}

export const styles = StyleSheet.create({
  button: { paddingVertical: 12, paddingHorizontal: 16, borderRadius: 8, marginVertical: 6, minHeight: 48, justifyContent: "center" },
  primary: { backgroundColor: colors.primary },
  plain: { backgroundColor: "transparent", borderWidth: 1, borderColor: colors.primary },
  buttonText: { fontSize: 17, fontWeight: "600", textAlign: "center" },
  label: { fontSize: 16, color: colors.text, marginBottom: 4 },
  input: { borderWidth: 1, borderColor: colors.line, borderRadius: 8, padding: 12, fontSize: 17, color: colors.text, minHeight: 48 },
  chip: { borderWidth: 1, borderColor: colors.line, borderRadius: 20, paddingVertical: 8, paddingHorizontal: 14, margin: 4, minHeight: 44, justifyContent: "center" },
  chipOn: { backgroundColor: colors.primary, borderColor: colors.primary },
  title: { fontSize: 24, fontWeight: "700", color: colors.text, marginVertical: 12 },
  card: { borderWidth: 1, borderColor: colors.line, borderRadius: 10, padding: 12, marginVertical: 6 },
});
