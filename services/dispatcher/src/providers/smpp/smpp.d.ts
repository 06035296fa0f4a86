/**
 * The small part of the `smpp` package (node-smpp 0.5, untyped) that otpflow uses: a client session,
 * the server mode the test SMSC is built on, and the PDU fields we read or write.
 */
declare module 'smpp' {
  import type { EventEmitter } from 'node:events';
  import type { Server as NetServer } from 'node:net';

  namespace smpp {
    /** A decoded short message or message_payload: text, after the data_coding is applied. */
    interface DecodedMessage {
      message: string | Buffer;
      udh?: Buffer[];
    }

    interface Pdu {
      command: string;
      command_id: number;
      command_status: number;
      sequence_number: number;
      system_id?: string;
      password?: string;
      system_type?: string;
      message_id?: string;
      service_type?: string;
      source_addr_ton?: number;
      source_addr_npi?: number;
      source_addr?: string;
      dest_addr_ton?: number;
      dest_addr_npi?: number;
      destination_addr?: string;
      esm_class?: number;
      registered_delivery?: number;
      data_coding?: number;
      short_message?: DecodedMessage;
      message_payload?: DecodedMessage;
      /** TLVs of a delivery receipt (deliver_sm) and of concatenation by SAR (submit_sm). */
      receipted_message_id?: string;
      message_state?: number;
      network_error_code?: Buffer;
      sar_msg_ref_num?: number;
      sar_total_segments?: number;
      sar_segment_seqnum?: number;
      isResponse(): boolean;
      response(options?: { command_status?: number; message_id?: string; system_id?: string }): Pdu;
    }

    interface BindOptions {
      system_id: string;
      password: string;
      system_type?: string;
    }

    interface SubmitSmOptions {
      source_addr_ton: number;
      source_addr_npi: number;
      source_addr: string;
      dest_addr_ton: number;
      dest_addr_npi: number;
      destination_addr: string;
      registered_delivery: number;
      data_coding: number;
      esm_class?: number;
      /**
       * A string is encoded with data_coding (0: GSM 03.38, 8: UCS-2); with a user data header, the
       * header's bytes go first and esm_class gets the UDH indicator.
       */
      short_message?: string | { udh: Buffer; message: string };
      message_payload?: string;
      sar_msg_ref_num?: number;
      sar_total_segments?: number;
      sar_segment_seqnum?: number;
    }

    type ResponseCallback = (pdu: Pdu) => void;

    interface Session extends EventEmitter {
      /** False when the socket is no longer writable: nothing was sent. */
      send(pdu: Pdu, responseCallback?: ResponseCallback): boolean;
      bind_transceiver(options: BindOptions, responseCallback: ResponseCallback): boolean;
      submit_sm(options: SubmitSmOptions, responseCallback: ResponseCallback): boolean;
      unbind(responseCallback: ResponseCallback): boolean;
      enquire_link(responseCallback: ResponseCallback): boolean;
      /** What an SMSC sends to deliver a receipt (esm_class 4) or a mobile-originated message. */
      deliver_sm(
        options: {
          source_addr: string;
          destination_addr: string;
          esm_class: number;
          short_message: string;
          receipted_message_id?: string;
          message_state?: number;
          network_error_code?: Buffer;
        },
        responseCallback: ResponseCallback,
      ): boolean;
      generic_nack(options: { sequence_number: number; command_status: number }): boolean;
      close(callback?: () => void): void;
      destroy(callback?: () => void): void;
    }

    interface ConnectOptions {
      host: string;
      port: number;
      tls?: boolean;
      /** Sends enquire_link every so many milliseconds, so idle sessions survive SMSC and NAT timeouts. */
      auto_enquire_link_period?: number;
    }

    interface Server extends NetServer {
      readonly sessions: Session[];
    }
  }

  const smpp: {
    connect(options: smpp.ConnectOptions): smpp.Session;
    createServer(sessionListener: (session: smpp.Session) => void): smpp.Server;
    /** Every ESME_* command status by name. */
    readonly errors: Readonly<Record<string, number>>;
  };

  export = smpp;
}
