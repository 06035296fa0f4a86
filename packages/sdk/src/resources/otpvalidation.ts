import type { RequestOptions, Transport } from '../core/transport.js';

export interface OtpvalidationSendCodeParams {
  /**
   * The SMS text, at most 160 characters; `{{code}}` marks where the code goes, e.g.
   * `'{{code}} is your short code to authenticate with Cool App via SMS'`.
   */
  message: string;
  /** E.164 with a leading '+', e.g. `'+346661113334'`. */
  phoneNumber: string;
  /** Sent as the `x-correlator` header, to follow the call through the gateway's logs. */
  xCorrelator?: string;
}

export interface OtpvalidationSendCodeResponse {
  /** The id of this verification attempt (at most 36 characters): give it to validateCode. */
  authenticationId: string;
}

export interface OtpvalidationValidateCodeParams {
  /** From sendCode (at most 36 characters). */
  authenticationId: string;
  /** The code the user typed (at most 10 characters). */
  code: string;
  /** Sent as the `x-correlator` header. */
  xCorrelator?: string;
}

/**
 * CAMARA OTPValidation, as the seed CAMARA SDK: send a code by SMS, then validate what the user typed.
 * Neither call is ever retried: a second send-code sends a second SMS, a second validate-code spends a
 * second attempt (or fails after the first succeeded).
 */
export class Otpvalidation {
  readonly #transport: Transport;

  constructor(transport: Transport) {
    this.#transport = transport;
  }

  /** POST /otpvalidation/send-code: sends an SMS with the message and a new code. */
  sendCode(
    params: OtpvalidationSendCodeParams,
    options?: RequestOptions,
  ): Promise<OtpvalidationSendCodeResponse> {
    const { xCorrelator, message, phoneNumber } = params;
    return this.#transport.request({
      method: 'POST',
      path: '/otpvalidation/send-code',
      body: { message, phoneNumber },
      headers: { 'x-correlator': xCorrelator },
      idempotent: false,
      options,
    });
  }

  /**
   * POST /otpvalidation/validate-code: resolves (to nothing, the API's 204) when the code is right;
   * a wrong code rejects with a BadRequestError whose `code` says why
   * (`ONE_TIME_PASSWORD_SMS.INVALID_OTP`, `…VERIFICATION_FAILED`, `…VERIFICATION_EXPIRED`).
   */
  async validateCode(params: OtpvalidationValidateCodeParams, options?: RequestOptions): Promise<void> {
    const { xCorrelator, authenticationId, code } = params;
    await this.#transport.request<undefined>({
      method: 'POST',
      path: '/otpvalidation/validate-code',
      body: { authenticationId, code },
      headers: { 'x-correlator': xCorrelator },
      idempotent: false,
      options,
    });
  }
}
