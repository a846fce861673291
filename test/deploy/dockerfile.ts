/** One instruction of a Dockerfile: `RUN`, its arguments as written (continuations joined). */
export interface Instruction {
  keyword: string;
  args: string;
  line: number;
}

export interface Stage {
  /** The image or stage it starts from, with the global ARGs substituted. */
  from: string;
  name: string | undefined;
  /** Its instructions, with the variables a build would substitute substituted (see `expand`). */
  instructions: Instruction[];
  /** The ENV of the stage's image: its parent stage's (when it starts from one) and its own. */
  env: Record<string, string>;
}

/** Instructions whose arguments the builder itself expands (Docker's "environment replacement"). */
const EXPANDED = new Set([
  'ADD',
  'COPY',
  'ENV',
  'EXPOSE',
  'LABEL',
  'STOPSIGNAL',
  'USER',
  'VOLUME',
  'WORKDIR',
]);

/**
 * `$NAME` and `${NAME}` replaced from `scope`. The builder replaces an unknown name with nothing; in a
 * RUN the shell does the expanding, and a name the stage did not declare (a loop variable, or an ARG
 * the stage forgot to declare) is left as written, so that an assertion on the result notices it.
 */
function expand(text: string, scope: Record<string, string>, unknown: 'empty' | 'keep'): string {
  return text.replace(/\$(?:\{(\w+)\}|(\w+))/g, (whole, braced?: string, bare?: string) => {
    const name = (braced ?? bare)!;
    return name in scope ? scope[name]! : unknown === 'empty' ? '' : whole;
  });
}

/** The NAME=value pairs of an ENV instruction, quotes removed. */
export function envPairs(args: string): [string, string][] {
  return [...args.matchAll(/([A-Za-z_][A-Za-z0-9_]*)=("(?:[^"\\]|\\.)*"|\S*)/g)].map((m) => [
    m[1]!,
    m[2]!.replace(/^"(.*)"$/, '$1'),
  ]);
}

function instructionsOf(text: string): Instruction[] {
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
  return instructions;
}

/**
 * A small structured reading of a Dockerfile as one build sees it: the global ARGs (defaults, then
 * `buildArgs`) and the stages, each with its instructions' variables substituted and its ENV.
 */
export function parseDockerfile(
  text: string,
  buildArgs: Record<string, string> = {},
): { args: Record<string, string>; stages: Stage[] } {
  const args: Record<string, string> = {};
  const stages: Stage[] = [];
  let scope: Record<string, string> = {};
  for (const ins of instructionsOf(text)) {
    if (ins.keyword === 'FROM') {
      const [image = '', as, name] = ins.args.split(/\s+/);
      const from = expand(image, args, 'empty');
      const parent = stages.find((s) => s.name !== undefined && s.name === from);
      const env = { ...parent?.env };
      stages.push({
        from,
        name: as?.toUpperCase() === 'AS' ? name : undefined,
        instructions: [],
        env,
      });
      scope = { ...env };
      continue;
    }
    if (ins.keyword === 'ARG') {
      const [name = '', value] = ins.args.split('=');
      const resolved = buildArgs[name] ?? value ?? (stages.length > 0 ? args[name] : '') ?? '';
      if (stages.length === 0) args[name] = resolved;
      else scope[name] = resolved;
      continue;
    }
    const stage = stages.at(-1);
    if (stage === undefined) continue;
    const expanded = EXPANDED.has(ins.keyword)
      ? expand(ins.args, scope, 'empty')
      : ins.keyword === 'RUN'
        ? expand(ins.args, scope, 'keep')
        : ins.args;
    stage.instructions.push({ ...ins, args: expanded });
    if (ins.keyword === 'ENV') {
      for (const [name, value] of envPairs(expanded)) {
        stage.env[name] = value;
        scope[name] = value;
      }
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
