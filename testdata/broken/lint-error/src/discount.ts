export function discount(total: number): number {
  let unused = 0.1;
  return total;
}
