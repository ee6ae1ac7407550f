/** Problems found in the unpacked package at `packageDir` (its `package/` folder); empty when none. */
export function checkUnpacked(packageDir: string, files: readonly string[]): string[];
