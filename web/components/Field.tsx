// Labelled inputs whose API error (the edge's field violations) appears next to them and is announced.
import type { InputHTMLAttributes, SelectHTMLAttributes } from "react";

type Common = { name: string; label: string; error?: string; hint?: string };

function described(name: string, error?: string, hint?: string) {
  const ids = [hint ? `${name}-hint` : "", error ? `${name}-error` : ""].filter(Boolean).join(" ");
  return { "aria-invalid": error ? true : undefined, "aria-describedby": ids || undefined };
}

function Notes({ name, error, hint }: { name: string; error?: string; hint?: string }) {
  return (
    <>
      {hint ? (
        <span className="hint" id={`${name}-hint`}>
          {hint}
        </span>
      ) : null}
      {error ? (
        <span className="error" id={`${name}-error`} role="alert">
          {error}
        </span>
      ) : null}
    </>
  );
}

export function Field({ name, label, error, hint, ...input }: Common & InputHTMLAttributes<HTMLInputElement>) {
  return (
    <div className="field">
      <label htmlFor={name}>{label}</label>
      <input id={name} name={name} {...described(name, error, hint)} {...input} />
      <Notes name={name} error={error} hint={hint} />
    </div>
  );
}

export function SelectField({
  name,
  label,
  error,
  hint,
  options,
  blank,
  ...select
}: Common & SelectHTMLAttributes<HTMLSelectElement> & { options: { value: string; label: string }[]; blank?: string }) {
  return (
    <div className="field">
      <label htmlFor={name}>{label}</label>
      <select id={name} name={name} {...described(name, error, hint)} {...select}>
        {blank !== undefined ? <option value="">{blank}</option> : null}
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
      <Notes name={name} error={error} hint={hint} />
    </div>
  );
}
