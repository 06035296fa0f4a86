/**
 * A dispatcher whose only provider is the webhook, posting every SMS to one of the bench's own servers
 * (receipts, the fraud simulation): quiet (warnings only) and without telemetry export, so the figures
 * are the delivery path's. `receiptSecret` signs the delivery receipts the server may post back.
 */
export function webhookDispatcherEnv({ port, mongoUrl, rabbitUrl, prefix, webhookUrl, receiptSecret }) {
  return {
    NODE_ENV: 'test',
    LOG_LEVEL: 'warn',
    HOST: '127.0.0.1',
    PORT: String(port),
    MONGODB_URL: mongoUrl,
    RABBITMQ_URL: rabbitUrl,
    AMQP_PREFIX: prefix,
    SMS_PROVIDERS: 'webhook',
    VOICE_PROVIDERS: 'webhook',
    WEBHOOK_URL: webhookUrl,
    WEBHOOK_RECEIPT_SECRET: receiptSecret,
    OTEL_SDK_DISABLED: 'true',
  };
}
