/** A snippet as the picker lists it: its title, "(server)" when the title does not say so, edited. */
export function docLabel(doc: { title: string; kind: string; edited: boolean }): string {
  const server = doc.kind === 'server' && !/\bserver\b/i.test(doc.title) ? ' (server)' : '';
  return `${doc.title}${server}${doc.edited ? ' • edited' : ''}`;
}
