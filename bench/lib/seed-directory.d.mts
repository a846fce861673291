export function directorySeedStatements(count: number, tag: string): string[];
export function seedDirectory(
  db: { query(text: string): Promise<unknown> },
  count: number,
  tag: string,
): Promise<void>;
