import { breakdown } from '../lib/fraud-attribution.mjs';

const round = (value) => Math.round(value * 10_000) / 10_000;

/** Fresh counters for one kind of traffic. */
export const newStats = () => ({
  sends: 0,
  judged: new Set(),
  refused: [],
  /** When, to which number and from which address each refused send was asked: what explains it. */
  refusals: [],
  verified: 0,
  /** Codes a user meant to enter whose SMS had not come when the user gave up waiting. */
  smsTooLate: 0,
  errors: 0,
  otherAnswers: {},
});

/** One attack: the sends until the guard's first refusal, and the share refused after its warm-up. */
function attackFigures(stats, settings) {
  const refused = new Set(stats.refused);
  // Over the sends the guard judged (allowed or refused): a 503 of a busy store is neither.
  const after = [...stats.judged].filter((index) => index >= settings.judgedAfter).length;
  const refusedAfter = [...refused].filter((index) => index >= settings.judgedAfter).length;
  return {
    sends: stats.sends,
    sendsUntilFirstRefusal: stats.refused.length ? Math.min(...stats.refused) : null,
    refusedAfterWarmup: after > 0 ? round(refusedAfter / after) : null,
    codesEntered: stats.verified,
    // Requests that timed out or failed (a busy machine): neither allowed nor refused.
    unanswered: stats.errors,
    ...(settings.verbose
      ? {
          allowedAfterWarmup: [...stats.judged]
            .filter((i) => i >= settings.judgedAfter && !refused.has(i))
            .sort((x, y) => x - y),
        }
      : {}),
    otherAnswers: stats.otherAnswers,
  };
}

/** The guard's decisions on one gateway, by action, reason and country (otpflow_fraud_decisions_total). */
async function decisionsOf(url) {
  const text = await (await fetch(`${url}/metrics`)).text();
  const decisions = {};
  for (const [, labels, value] of text.matchAll(/^otpflow_fraud_decisions_total\{([^}]*)\} (\d+)/gm))
    decisions[labels.replace(/"/g, '')] = Number(value);
  return decisions;
}

async function guardCommands(url) {
  const text = await (await fetch(`${url}/metrics`)).text();
  return Number(/^otpflow_fraud_store_commands_total (\d+)/m.exec(text)?.[1] ?? 0);
}

/** The simulation's result: its settings, each attack, the legitimate traffic, the guard's cost. */
export async function simulationReport({ settings, urls, legit, attackStats, explain }) {
  const commands = await Promise.all(urls.map(guardCommands));
  const totalSends = legit.sends + Object.values(attackStats).reduce((sum, stats) => sum + stats.sends, 0);
  const { mongoUrl, rabbitUrl, ...shown } = settings;
  return {
    settings: {
      ...shown,
      store: mongoUrl.replace(/\/\/[^@]*@/, '//'),
      broker: rabbitUrl.replace(/\/\/[^@]*@/, '//'),
    },
    attacks: Object.fromEntries(
      Object.entries(attackStats).map(([name, stats]) => [name, attackFigures(stats, settings)]),
    ),
    legitimate: {
      sends: legit.sends,
      refused: legit.refused.length,
      judged: legit.judged.size,
      unanswered: legit.errors,
      refusedShare: round(legit.refused.length / Math.max(1, legit.judged.size)),
      // The false positives by the signal that refused them, and the ranges or addresses it blocked.
      refusedBy: breakdown(legit.refusals.map(explain)),
      verified: legit.verified,
      smsTooLate: legit.smsTooLate,
      otherAnswers: legit.otherAnswers,
    },
    decisions: await Promise.all(urls.map(decisionsOf)),
    guardStoreCommandsPerSend: round(commands.reduce((a, b) => a + b, 0) / Math.max(1, totalSends)),
  };
}
