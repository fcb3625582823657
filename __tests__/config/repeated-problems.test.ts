import { capRepeated, kindOf } from "../../config/repeated-problems";

describe("repeated problems", () => {
  const collision = (i: number) => `workers[${i}].vmId = ${1000 + i}: duplicates workers[${i - 100}]; set vmId on one of them`;

  test("lines that differ only in numbers and quoted values are one kind", () => {
    expect(kindOf(collision(120))).toBe(kindOf(collision(121)));
    expect(kindOf('workers[1].name = "W1": must be a DNS-1123 label')).toBe(kindOf('workers[7].name = "Other": must be a DNS-1123 label'));
    expect(kindOf("vm.cores = 1: too few")).not.toBe(kindOf("vm.memoryMib = 1: too few"));
  });

  test("prints ten of a kind, then one line for the rest, in place", () => {
    // GIVEN 13 collisions between an unrelated problem before and after
    const problems = ['vip = "x": not an IPv4 address', ...Array.from({ length: 13 }, (_, i) => collision(100 + i)), "vm.cores = 1: too few"];
    // WHEN capped
    const printed = capRepeated(problems);
    // THEN
    expect(printed).toEqual([problems[0], ...problems.slice(1, 11), "and 3 more like it", "vm.cores = 1: too few"]);
  });

  test("prints ten of a kind in full, with no summary line", () => {
    const problems = Array.from({ length: 10 }, (_, i) => collision(100 + i));
    expect(capRepeated(problems)).toEqual(problems);
  });

  test("counts the rest of each kind apart", () => {
    const problems = [...Array.from({ length: 12 }, (_, i) => collision(100 + i)), ...Array.from({ length: 11 }, (_, i) => `workers[${i}].ip = "10.0.0.${i}": is the gateway's address`)];
    const printed = capRepeated(problems);
    expect(printed.filter((line) => line.startsWith("and "))).toEqual(["and 2 more like it", "and 1 more like it"]);
    expect(printed).toHaveLength(10 + 1 + 10 + 1);
  });
});
