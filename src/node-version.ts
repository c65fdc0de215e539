// The oldest Node.js Facteur runs on. Imported first by the package's entries, so that an older
// Node stops with this sentence instead of failing somewhere inside. bin/facteur.js, which must
// parse on any Node, keeps its own copy of the check.
import { FacteurError } from './errors.ts';

export const MINIMUM_NODE = '22.18';

export function isSupportedNode(version: string = process.versions.node): boolean {
  const [major = 0, minor = 0] = version.split('.').map(Number);
  const [minMajor = 0, minMinor = 0] = MINIMUM_NODE.split('.').map(Number);
  return major > minMajor || (major === minMajor && minor >= minMinor);
}

export function unsupportedNodeMessage(version: string = process.versions.node): string {
  return `facteur needs Node.js ${MINIMUM_NODE} or later (this is ${version})`;
}

if (!isSupportedNode()) throw new FacteurError('NODE_UNSUPPORTED', unsupportedNodeMessage());
