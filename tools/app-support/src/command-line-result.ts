/** What every program's argument parser returns: run with these arguments, print help, or fail. */
export type CommandLineResult<Args> =
  | { readonly kind: 'run'; readonly args: Args }
  | { readonly kind: 'help' }
  | { readonly kind: 'error'; readonly message: string };
