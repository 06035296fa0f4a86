/** Who is calling: the tenant every session belongs to, and what its credential allows. */
export interface Principal {
  clientId: string;
  scopes: ReadonlySet<string>;
  method: 'api_key' | 'jwt';
}
