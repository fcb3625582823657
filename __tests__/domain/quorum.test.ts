import { etcdQuorum, failuresTolerated } from "../../domain";

describe("etcd quorum", () => {
  test.each([
    // members, quorum, failures tolerated
    [1, 1, 0],
    [2, 2, 0],
    [3, 2, 1],
    [4, 3, 1],
    [5, 3, 2],
    [6, 4, 2],
    [7, 4, 3],
  ])("%i members need %i votes and tolerate %i failures", (members, quorum, tolerated) => {
    expect(etcdQuorum(members)).toBe(quorum);
    expect(failuresTolerated(members)).toBe(tolerated);
  });

  test("an even count tolerates no more failures than the odd count below it", () => {
    for (const even of [2, 4, 6]) {
      expect(failuresTolerated(even)).toBe(failuresTolerated(even - 1));
    }
  });

  test.each([0, -1, 2.5, Number.NaN])("fails for member count %p", (members) => {
    expect(() => etcdQuorum(members)).toThrow(/positive integer/);
    expect(() => failuresTolerated(members)).toThrow(/positive integer/);
  });
});
