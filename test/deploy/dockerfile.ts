/** One instruction of a Dockerfile: `RUN`, its arguments as written (continuations joined). */
export interface Instruction {
  keyword: string;
  args: string;
  line: number;
}

export interface Stage {
  /** The image or stage it starts from, with ARG defaults substituted. */
  from: string;
  name: string | undefined;
  instructions: Instruction[];
}

/** A small structured reading of a Dockerfile: global ARGs and the stages with their instructions. */
export function parseDockerfile(text: string): { args: Record<string, string>; stages: Stage[] } {
  const instructions: Instruction[] = [];
  let pending: { text: string; line: number } | undefined;
  text.split('\n').forEach((raw, i) => {
    const line = raw.trimEnd();
    if (pending === undefined && (line.trim() === '' || line.trimStart().startsWith('#'))) return;
    if (pending !== undefined && line.trimStart().startsWith('#')) return;
    const continued = line.endsWith('\\');
    const part = continued ? line.slice(0, -1) : line;
    pending = pending
      ? { text: `${pending.text} ${part.trim()}`, line: pending.line }
      : { text: part.trim(), line: i + 1 };
    if (!continued) {
      const [keyword = '', ...rest] = pending.text.split(/\s+/);
      instructions.push({
        keyword: keyword.toUpperCase(),
        args: rest.join(' '),
        line: pending.line,
      });
      pending = undefined;
    }
  });

  const args: Record<string, string> = {};
  const stages: Stage[] = [];
  for (const ins of instructions) {
    if (ins.keyword === 'ARG' && stages.length === 0) {
      const [name, value = ''] = ins.args.split('=');
      args[name!] = value;
    } else if (ins.keyword === 'FROM') {
      const [image = '', as, name] = ins.args.split(/\s+/);
      const from = image.replace(/^\$\{?(\w+)\}?$/, (_m, arg: string) => args[arg] ?? image);
      stages.push({ from, name: as?.toUpperCase() === 'AS' ? name : undefined, instructions: [] });
    } else if (stages.length > 0) {
      stages.at(-1)!.instructions.push(ins);
    }
  }
  return { args, stages };
}

/** The JSON (exec) form of CMD, ENTRYPOINT or HEALTHCHECK CMD, or undefined for the shell form. */
export function execForm(args: string): string[] | undefined {
  try {
    const value: unknown = JSON.parse(args);
    return Array.isArray(value) ? value.map(String) : undefined;
  } catch {
    return undefined;
  }
}
