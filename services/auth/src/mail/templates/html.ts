const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Text made safe for HTML content and for a quoted attribute value. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}

/**
 * A template literal tag that escapes every interpolated value unless it is itself the result of
 * `html`, so markup can only come from the literal parts a template author wrote.
 */
export function html(parts: TemplateStringsArray, ...values: (string | number | SafeHtml)[]) {
  let out = parts[0]!;
  values.forEach((value, i) => {
    out += (value instanceof SafeHtml ? value.markup : escapeHtml(String(value))) + parts[i + 1]!;
  });
  return new SafeHtml(out);
}

/** Markup built by `html`. */
export class SafeHtml {
  constructor(readonly markup: string) {}

  static join(items: readonly SafeHtml[], separator = '\n'): SafeHtml {
    return new SafeHtml(items.map((item) => item.markup).join(separator));
  }
}
