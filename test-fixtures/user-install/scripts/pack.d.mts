/** A publishable workspace package. */
export interface PublishablePackage {
  /** Absolute path of its folder. */
  dir: string;
  name: string;
  version: string;
}

/** A package after `pnpm pack`. */
export interface PackedPackage extends PublishablePackage {
  /** Absolute path of the .tgz. */
  tarball: string;
  /** Paths inside the tarball, relative to its `package/` folder. */
  files: string[];
}

export const repoRoot: string;
export function publishablePackages(root?: string): PublishablePackage[];
export function packAll(destination: string, options?: { names?: readonly string[]; root?: string }): Promise<PackedPackage[]>;
