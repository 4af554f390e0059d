"use client";
// A match's score by component (Recharts), with the same figures as a table for screen readers.
import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";

export type ScorePart = { label: string; value: number };

export function ScoreChart({ parts, title }: { parts: ScorePart[]; title: string }) {
  const data = parts.map((p) => ({ name: p.label, value: Math.round(p.value * 100) }));
  return (
    <figure style={{ margin: 0 }}>
      <figcaption className="muted">{title}</figcaption>
      <div aria-hidden="true" style={{ width: "100%", height: 28 * data.length + 40 }}>
        <ResponsiveContainer width="100%" height="100%">
          <BarChart accessibilityLayer={false} data={data} layout="vertical" margin={{ left: 8, right: 16, top: 4, bottom: 4 }}>
            <CartesianGrid strokeDasharray="3 3" horizontal={false} />
            <XAxis type="number" domain={[0, 100]} unit="%" tick={{ fill: "#1a1a1a" }} />
            <YAxis type="category" dataKey="name" width={110} tick={{ fill: "#1a1a1a" }} />
            <Tooltip formatter={(v) => `${v}%`} />
            <Bar dataKey="value" fill="#0b5cad" isAnimationActive={false} />
          </BarChart>
        </ResponsiveContainer>
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
