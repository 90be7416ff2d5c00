// IDs that mean "nobody": identifying them would merge every visitor into one person.
// A comma-separated string gzips smaller than the array literal; its first, empty, item is ''.
const PLACEHOLDERS = ',null,undefined,0,anonymous,nan,none,-1,false,[object object]'.split(',');

export const isPlaceholderId = (id: string): boolean => PLACEHOLDERS.indexOf(id.trim().toLowerCase()) >= 0;

/** A stored anonymous ID, or null when absent or a placeholder (page code wrote 'undefined'): then another copy restores it. */
export const storedId = (v: string | null | undefined): string | null => (v && !isPlaceholderId(v) ? v : null);
