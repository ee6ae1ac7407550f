/** Each peer of the tested packages with its one declared range and the packages declaring it; throws when two packages declare different ranges. */
export function declaredPeers(rootDir?: string): Map<string, { range: string; packages: string[] }>;
