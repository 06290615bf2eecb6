import { expect, it } from "vitest";

it("adds up the cart", () => {
  const total = [12.5, 7.5].reduce((a, b) => a + b, 0);
  expect(total).toBe(21);
});
