import { cleanup, fireEvent, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import { Field, SelectField } from "@/components/Field";
import { ScoreChart } from "@/components/ScoreChart";

afterEach(cleanup);

describe("form fields", () => {
  it("labels the input and ties its error to it", () => {
    render(<Field name="email" label="Email" error="not an email" hint="Your work address" />);
    const input = screen.getByLabelText("Email");
    expect(input.getAttribute("aria-invalid")).toBe("true");
    expect(input.getAttribute("aria-describedby")).toBe("email-hint email-error");
    expect(screen.getByRole("alert").textContent).toBe("not an email");
  });

  it("has no error state without an error", () => {
    render(<SelectField name="visa" label="Visa" options={[{ value: "A", label: "a" }]} blank="-" />);
    const select = screen.getByLabelText("Visa") as HTMLSelectElement;
    expect(select.getAttribute("aria-invalid")).toBeNull();
    fireEvent.change(select, { target: { value: "A" } });
    expect(select.value).toBe("A");
  });
});

describe("score chart", () => {
  it("gives the figures as a table too", () => {
    render(<ScoreChart title="Match breakdown" parts={[{ label: "Skills", value: 0.8 }, { label: "Wage", value: 0.456 }]} />);
    const table = screen.getByRole("table");
    expect(table.textContent).toContain("Skills80%");
    expect(table.textContent).toContain("Wage46%");
  });
});
