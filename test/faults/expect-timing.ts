// Detection-time assertions shared by the fault tests. The kernel never acts before a timer is
// due, but the agent stamps "last receive" a little after the kernel did, and timers fire late
// by up to one timer-wheel slot (HZ 250: 32 ms below 2 s, 256 ms up to 16 s).
export const EARLY_MARGIN_MS = 100;
export const LATE_MARGIN_MS = 500;

/** Asserts `measured` lies in [bound − EARLY_MARGIN_MS, bound + late]. */
export function expectDetectedNear(measured: number | null, bound: number, late = LATE_MARGIN_MS): void {
  expect(measured).not.toBeNull();
  expect(measured!).toBeGreaterThanOrEqual(bound - EARLY_MARGIN_MS);
  expect(measured!).toBeLessThanOrEqual(bound + late);
}
