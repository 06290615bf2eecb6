export function discount(total: number): number {
  const rate: number = "ten percent";
  return total * (1 - rate);
}
