/** The soak's result in a few lines, for the terminal: the JSON file holds everything. */
export function summaryLines(result, file) {
  const lines = [];
  const { answers, latency, memory, delivery, load } = result;
  lines.push(
    `soak ${result.runId}: ${result.settings.minutes} min at ${result.settings.rate}/s (achieved ${load.achievedRate}/s)`,
  );
  lines.push(
    `  answers: ${answers.total}, unexpected ${answers.unexpected} ${JSON.stringify(answers.unexpectedByOutcome)}`,
  );
  lines.push(`  by status: ${JSON.stringify(answers.byStatus)}`);
  for (const detail of answers.unexpectedDetails.slice(0, 5))
    lines.push(`    unexpected: ${JSON.stringify(detail)}`);
  lines.push(
    `  latency: p50 ${latency.overall.p50} ms, p99 ${latency.overall.p99} ms, max ${latency.overall.max} ms`,
  );
  if (latency.drift) {
    const { firstMinute, lastMinute } = latency.drift;
    lines.push(
      `  drift: minute ${firstMinute.minute} p50 ${firstMinute.p50} / p99 ${firstMinute.p99} ms → ` +
        `minute ${lastMinute.minute} p50 ${lastMinute.p50} / p99 ${lastMinute.p99} ms`,
    );
  }
  lines.push(
    '  per minute (p50/p99 ms): ' + latency.perMinute.map((m) => `${m.minute}:${m.p50}/${m.p99}`).join(' '),
  );
  for (const [name, trend] of Object.entries(memory)) {
    if (!trend) continue;
    lines.push(
      `  ${name} RSS: ${trend.firstMb} → ${trend.lastMb} MB (${trend.growthMb >= 0 ? '+' : ''}${trend.growthMb}), ` +
        `slope ${trend.slopeMbPerMinute} MB/min, after warm-up ${trend.slopeAfterWarmupMbPerMinute ?? '-'} MB/min, peak ${trend.peakMb} MB`,
    );
  }
  for (const [name, trend] of Object.entries(result.retainedAfterGc)) {
    lines.push(
      `  ${name} heap after forced GC: ${trend.heapAfterGcMb[0]} → ${trend.heapAfterGcMb[1]} MB from second ` +
        `${trend.fromSecond} (${trend.heapSlopeMbPerMinute} MB/min over ${trend.readings} readings), external ` +
        `${trend.externalAfterGcMb[0]} → ${trend.externalAfterGcMb[1]} MB`,
    );
  }
  const tables = result.collectionSizes;
  if (tables.length > 0) {
    const [first, last] = [tables[0], tables.at(-1)];
    const grown = Object.keys(last.sizes).map(
      (name) => `${name} ${first.sizes[name] ?? 0}→${last.sizes[name]}`,
    );
    lines.push(`  documents (second ${first.at} → ${last.at}): ${grown.join(', ')}`);
  }
  lines.push(
    `  codes: ${delivery.promised} promised to real numbers, ${delivery.delivered} delivered, ${delivery.lost} lost, ` +
      `${delivery.repeatsSameKey} repeats under one key, ${delivery.deliveredUnderSeveralKeys} under several, ` +
      `${delivery.deliveredUnasked} unasked; request→webhook p50 ` +
      `${delivery.requestToWebhookMs.p50} ms, p99 ${delivery.requestToWebhookMs.p99} ms`,
  );
  lines.push(`  metrics service: ${JSON.stringify(result.metricsService)}`);
  for (const [name, problems] of Object.entries(result.logged)) {
    if (!problems || problems.errors + problems.warnings === 0) continue;
    lines.push(
      `  ${name} logged ${problems.errors} errors, ${problems.warnings} warnings; first: ${JSON.stringify(problems.first.slice(0, 3))}`,
    );
  }
  lines.push(
    `  queues at the end: ${JSON.stringify(result.queuesAtEnd)}; shutdown: ${JSON.stringify(result.shutdown)}`,
  );
  lines.push(`  written to ${file}`);
  return lines;
}
