/** Types of cidr.js, the runtime's CIDR matchers. */
export function cidr(network: string, prefix: number, family: 4 | 6): (text: string) => boolean;
