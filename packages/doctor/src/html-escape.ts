/** Text made safe for HTML content and attribute values (`&`, `<`, `>`, `"`, `'` as character references). */
export const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
