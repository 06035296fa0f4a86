import { randomAddress, randomMobile, sequentialMobiles } from '../lib/fraud-traffic.mjs';

/**
 * The attacks: when they start and stop (share of the run), their rate, their numbers, their
 * addresses, and the share of their codes they enter.
 */
export function attacks() {
  const sweep = sequentialMobiles('LV', 1000);
  const rotation = (() => {
    let host = 0;
    return () => `203.0.113.${(host++ % 254) + 1}`;
  })();
  return {
    'sequential burst (high-cost range)': {
      from: 0.15,
      to: 0.35,
      rate: 10,
      number: () => sweep.next().value,
      address: randomAddress,
      verifies: 0,
    },
    'slow drip across many ranges': {
      from: 0.05,
      to: 0.95,
      rate: 1.5,
      number: () => randomMobile('NG', 8),
      address: randomAddress,
      verifies: 0,
    },
    'validates some of its codes': {
      from: 0.3,
      to: 0.8,
      rate: 3,
      number: () => randomMobile('PH', 7),
      address: randomAddress,
      verifies: 0.1,
    },
    'address rotation (one network)': {
      from: 0.2,
      to: 0.95,
      rate: 2.5,
      number: () => randomMobile('GB', 6),
      address: rotation,
      verifies: 0,
    },
  };
}
