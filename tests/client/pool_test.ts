import assert from "node:assert/strict";
import { ConcurrencyPool, mapConcurrent } from "../../src/client/pool.ts";

Deno.test("the pool never runs more than its limit at once", async () => {
  const pool = new ConcurrencyPool(3);
  let active = 0;
  let peak = 0;
  await Promise.all(Array.from({ length: 20 }, () =>
    pool.run(async () => {
      active++;
      peak = Math.max(peak, active);
      await new Promise((resolve) => setTimeout(resolve, 2));
      active--;
    })));
  assert.equal(peak, 3);
});

Deno.test("mapConcurrent keeps order and reports the first failure", async () => {
  assert.deepEqual(await mapConcurrent([3, 1, 2], 2, (n) => Promise.resolve(n * 10)), [30, 10, 20]);
  await assert.rejects(
    mapConcurrent(
      [1, 2, 3],
      2,
      (n) => n === 2 ? Promise.reject(new Error("two")) : Promise.resolve(n),
    ),
    /two/,
  );
  assert.throws(() => new ConcurrencyPool(0), RangeError);
});

Deno.test("a freed slot goes to waiting normal tasks before background ones", async () => {
  const pool = new ConcurrencyPool(1);
  const order: string[] = [];
  let release!: () => void;
  const first = pool.run(() => new Promise<void>((resolve) => release = resolve));
  const task = (name: string) => () => {
    order.push(name);
    return Promise.resolve();
  };
  const queued = [
    pool.run(task("background 1"), "background"),
    pool.run(task("normal 1")),
    pool.run(task("background 2"), "background"),
    pool.run(task("normal 2"), "normal"),
  ];
  await new Promise((resolve) => setTimeout(resolve, 0));
  release();
  await Promise.all([first, ...queued]);
  assert.deepEqual(order, ["normal 1", "normal 2", "background 1", "background 2"]);
});
