/** Who performs a command: the account name goes into the audit log, with the request's address. */
export interface Actor {
  id: number;
  username: string;
  ip?: string | null;
}
