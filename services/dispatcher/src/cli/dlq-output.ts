import type { CallbackDeadLetter } from './callback-dead-letters.js';
import type { DeadLetter } from './dead-letter.js';
import type { ReplayOutcome } from './dead-letter-queue.js';

const line = (fields: readonly string[]) => fields.filter(Boolean).join('  ') + '\n';

/** One line per send job's dead letter: session, tenant, channel and country, why and when. */
export function sendLetterLine(letter: DeadLetter): string {
  return line([
    letter.jobId,
    `session=${letter.authenticationId || '-'}`,
    `client=${letter.clientId || '-'}`,
    `${letter.channel || '-'} +${letter.countryCallingCode || '?'}`,
    `reason=${letter.reason}`,
    `attempts=${letter.attempts}`,
    `provider=${letter.provider || '-'}`,
    `at=${letter.deadLetteredAt || '-'}`,
    letter.expired ? 'EXPIRED' : `expires=${letter.expiresAt}`,
    letter.lastError ? `error="${letter.lastError}"` : '',
  ]);
}

/** One line per dead callback: tenant, endpoint and its host, the callback's type, why and when. */
export function callbackLetterLine(letter: CallbackDeadLetter): string {
  return line([
    letter.jobId,
    `client=${letter.clientId || '-'}`,
    `endpoint=${letter.endpointId || '-'}`,
    `host=${letter.host || '-'}`,
    `type=${letter.type || '-'}`,
    `reason=${letter.reason}`,
    `attempts=${letter.attempts}`,
    `at=${letter.deadLetteredAt || '-'}`,
    letter.lastError ? `error="${letter.lastError}"` : '',
  ]);
}

export function printLetters<Letter>(
  letters: readonly Letter[],
  lineOf: (letter: Letter) => string,
  json: boolean,
): void {
  if (json) process.stdout.write(`${JSON.stringify(letters, null, 2)}\n`);
  else if (letters.length === 0) process.stdout.write('the dead-letter queue is empty\n');
  else for (const letter of letters) process.stdout.write(lineOf(letter));
}

export function printReplay(outcomes: readonly ReplayOutcome[]): void {
  for (const { jobId, outcome } of outcomes)
    if (outcome !== 'kept') process.stdout.write(`${jobId}  ${outcome}\n`);
  const replayed = outcomes.filter((item) => item.outcome === 'replayed').length;
  const dropped = outcomes.filter((item) => item.outcome.startsWith('dropped')).length;
  process.stdout.write(`replayed ${replayed}, dropped ${dropped}\n`);
}
