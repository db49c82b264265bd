/** One composed mail, ready for a transport. */
export interface OutgoingMail {
  /** `<row-id@origin-host>`: stable across retries, so receivers can drop duplicates. */
  messageId: string;
  from: string;
  to: string;
  subject: string;
  text: string;
  html: string;
  /**
   * The message as composed by the deliverer (mail/compose.ts), its headers
   * matching the fields above. Transports send these bytes when present and
   * compose from the fields only when not (a caller other than the deliverer).
   */
  source?: Buffer;
}

/**
 * Where mail goes: SMTP in production, the dev mailbox otherwise. `send`
 * resolves once the message is accepted; it throws to mean "try again later",
 * or a PermanentDeliveryError when the receiver refused it for good.
 */
export interface MailTransport {
  send(m: OutgoingMail): Promise<void>;
  close(): Promise<void>;
}
