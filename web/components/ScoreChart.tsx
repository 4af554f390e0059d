"use client";
// A match's score by component, with the same figures as a table for screen readers. The bars
// (Recharts, ~100 kB gzip) load after first paint: the worker's pages stay within their first-load budget.
import dynamic from "next/dynamic";

const ScoreBars = dynamic(() => import("./ScoreBars"), { ssr: false });

export type ScorePart = { label: string; value: number };

export function ScoreChart({ parts, title }: { parts: ScorePart[]; title: string }) {
  const data = parts.map((p) => ({ name: p.label, value: Math.round(p.value * 100) }));
  return (
    <figure style={{ margin: 0 }}>
      <figcaption className="muted">{title}</figcaption>
      <div aria-hidden="true" style={{ width: "100%", height: 28 * data.length + 40 }}>
        <ScoreBars data={data} />
      </div>
      <table className="visually-hidden">
        <caption>{title}</caption>
        <tbody>
          {data.map((d) => (
            <tr key={d.name}>
              <th scope="row">{d.name}</th>
              <td>{d.value}%</td>
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}
