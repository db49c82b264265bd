/** One composed mail, ready for a transport. */
export interface OutgoingMail {
  /** `<row-id@origin-host>`: stable across retries, so receivers can drop duplicates. */
  messageId: string;
  from: string;
  to: string;
  subject: string;
  text: string;
  html: string;
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
