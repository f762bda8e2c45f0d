/**
 * The inverse of `joinWithEscapeCsv`: one record of Go's encoding/csv with leading spaces trimmed,
 * as cert-manager's SplitWithEscapeCSV reads the `subject-*` annotations (`"Acme, Inc",Example`).
 */
export function splitWithEscapeCsv(text: string): string[] {
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    while (text[i] === ' ' || text[i] === '\t') i++;
    if (text[i] === '"') {
      const start = i;
      let field = '';
      i++;
      for (;;) {
        const quote = text.indexOf('"', i);
        if (quote < 0) throw new Error(`parse error on line 1, column ${start + 1}: extraneous or missing " in quoted-field`);
        field += text.slice(i, quote);
        i = quote + 1;
        if (text[i] === '"') {
          field += '"';
          i++;
          continue;
        }
        if (i < text.length && text[i] !== ',') throw new Error(`parse error on line 1, column ${i + 1}: extraneous or missing " in quoted-field`);
        break;
      }
      fields.push(field);
    } else {
      const end = text.indexOf(',', i);
      const field = end < 0 ? text.slice(i) : text.slice(i, end);
      const bare = field.indexOf('"');
      if (bare >= 0) throw new Error(`parse error on line 1, column ${i + bare + 1}: bare " in non-quoted field`);
      fields.push(field);
      i = end < 0 ? text.length : end;
    }
    if (i >= text.length) return fields;
    i++; // the comma
  }
}
