/** One account (design.md §2). */
export interface Identity {
  /** Random, not sequential. */
  id: string;
  /** The normalized address; mail goes here, never to what was typed. */
  email: string;
  passwordHash: string | null;
  verifiedAt: Date | null;
  createdAt: Date;
  /** True once a TOTP secret is in force (confirmed by a first code): sign-in then asks for a second factor. */
  totpEnabled: boolean;
}

export interface NewIdentity {
  id: string;
  email: string;
  passwordHash: string | null;
  verifiedAt: Date | null;
  createdAt: Date;
}

/** What the flows need of identities; store/ implements it. */
export interface IdentityRepository {
  findByEmail(email: string): Promise<Identity | null>;
  findById(id: string): Promise<Identity | null>;
  /** Creates the identity, or returns null when the address is taken (a concurrent sign-up won). */
  create(identity: NewIdentity): Promise<Identity | null>;
  setPassword(id: string, passwordHash: string | null, at: Date): Promise<void>;
  markVerified(id: string, at: Date): Promise<void>;
  list(options: { limit: number; offset: number }): Promise<Identity[]>;
  count(): Promise<number>;
}
