// asciichart ships no types: the subset stable-train uses.
declare module 'asciichart' {
  export function plot(series: number[] | number[][], cfg?: {height?: number; min?: number; max?: number; offset?: number; padding?: string; colors?: string[]; format?: (x: number, i: number) => string}): string;
  export const red: string;
  export const blue: string;
  export const green: string;
  export const yellow: string;
  export const magenta: string;
  export const reset: string;
}
