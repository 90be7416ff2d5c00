// Stored state and server answers may be corrupt or empty: reading them never throws.

/** JSON.parse, or undefined when the text is missing or not JSON. */
export function parseJson(text: string | null | undefined): any {
  try {
    return JSON.parse(text as string);
  } catch {
    return undefined;
  }
}
