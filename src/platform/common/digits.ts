/** The two-digit decimal number at `i` of `s` ("07" -> 7), or -1 when either is not a digit: the hand-written date parsers' building block (no regex, no substring). */
export function twoDigits(s: string, i: number): number {
  const a = s.charCodeAt(i) - 48;
  const b = s.charCodeAt(i + 1) - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}
