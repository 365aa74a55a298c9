/** The parsed condition, with offsets into the condition string for diagnostics. */

export type ConditionNode =
  | { readonly kind: 'ident'; readonly name: string; readonly start: number; readonly end: number }
  | {
      readonly kind: 'of';
      /** `1 of` and `any of` are the same. */
      readonly quantifier: 'any' | 'all';
      /** `them`, or a name pattern with `*` anywhere (a plain name matches itself). */
      readonly target: { readonly them: true } | { readonly them: false; readonly pattern: string };
      readonly start: number;
      readonly end: number;
    }
  | { readonly kind: 'and' | 'or'; readonly children: readonly ConditionNode[] }
  | { readonly kind: 'not'; readonly child: ConditionNode };
