"use client";
// The bars of ScoreChart (Recharts): loaded after the page, so the chart library is not first-load JS.
import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";

export default function ScoreBars({ data }: { data: { name: string; value: number }[] }) {
  return (
    <ResponsiveContainer width="100%" height="100%">
      <BarChart accessibilityLayer={false} data={data} layout="vertical" margin={{ left: 8, right: 16, top: 4, bottom: 4 }}>
        <CartesianGrid strokeDasharray="3 3" horizontal={false} />
        <XAxis type="number" domain={[0, 100]} unit="%" tick={{ fill: "#1a1a1a" }} />
        <YAxis type="category" dataKey="name" width={110} tick={{ fill: "#1a1a1a" }} />
        <Tooltip formatter={(v) => `${v}%`} />
        <Bar dataKey="value" fill="#0b5cad" isAnimationActive={false} />
      </BarChart>
    </ResponsiveContainer>
  );
}
