/** Plain records that leave the data layer; no ORM type crosses into the domain. */
export interface Account {
  id: number;
  login: string;
  email: string;
  isActive: boolean;
  roles: string[];
}

export interface AccountWithSecret extends Account {
  hashedPassword: string;
}

export interface Session {
  id: string;
  userId: number;
  refreshJti: string;
  createdAt: Date;
  /** When the current refresh token expires; no token of the session outlives it. */
  expiresAt: Date;
  revokedAt: Date | null;
}

export interface RevokedToken {
  jti: string;
  userId: number;
  expiresAt: Date;
}

export interface PendingEvent {
  id: number;
  messageId: string;
  eventType: string;
  payload: string;
  correlationId: string | null;
  createdAt: Date;
  attempts: number;
}
